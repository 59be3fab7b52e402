/** Nearest-rank percentile: with 20 samples p95 is the 19th, a real observation rather than an interpolation. */
export const percentile = (samples: ReadonlyArray<number>, p: number): number => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

export const mean = (samples: ReadonlyArray<number>): number => samples.reduce((a, b) => a + b, 0) / samples.length;

export interface Summary { readonly n: number; readonly p50: number; readonly p95: number; readonly mean: number }

export const summarize = (samples: ReadonlyArray<number>): Summary =>
  ({ n: samples.length, p50: percentile(samples, 50), p95: percentile(samples, 95), mean: mean(samples) });

export const table = (rows: ReadonlyArray<readonly [string, Summary]>): string => {
  const width = Math.max(...rows.map(([label]) => label.length));
  const ms = (v: number) => `${v.toFixed(1)} ms`.padStart(10);
  return [
    `${"".padEnd(width)}    n        p50        p95       mean`,
    ...rows.map(([label, s]) => `${label.padEnd(width)} ${String(s.n).padStart(4)} ${ms(s.p50)} ${ms(s.p95)} ${ms(s.mean)}`),
  ].join("\n");
};
