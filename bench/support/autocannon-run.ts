/**
 * One load run of bench/proxy.ts, in its own process so the load generator never shares an event
 * loop with the proxy under test: autocannon (programmatic) for a warm-up, discarded, then the
 * measured run. autocannon's own latency histogram keeps whole milliseconds, so every 2xx
 * response time is collected from its `response` event instead, at sub-millisecond resolution.
 * Input: one JSON argument (LoadSpec). Output on stdout: `{"phase":"measure"}` as the measured run
 * starts, then one JSON line (LoadResult) once it ends.
 */
import autocannon from "autocannon";
import { percentile } from "./stats.ts";

export interface LoadSpec {
  readonly url: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly headers: Readonly<Record<string, string>>;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly responses: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

const run = (spec: LoadSpec, seconds: number, onLatency?: (ms: number) => void) =>
  new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: spec.url,
      connections: spec.connections,
      pipelining: 1,
      duration: seconds,
      headers: { ...spec.headers },
    }, (err: unknown, result: autocannon.Result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result)));
    if (onLatency !== undefined) {
      instance.on("response", (_client, statusCode, _bytes, responseTime) => {
        if (statusCode >= 200 && statusCode < 300) onLatency(responseTime);
      });
    }
  });

const main = async () => {
  const spec = JSON.parse(process.argv[2] ?? "") as LoadSpec;
  if (spec.warmupSeconds > 0) await run(spec, spec.warmupSeconds);
  const latencies: number[] = [];
  // The parent samples its own CPU time between this line and the result line.
  process.stdout.write(`${JSON.stringify({ phase: "measure" })}\n`);
  const started = performance.now();
  const result = await run(spec, spec.durationSeconds, (ms) => void latencies.push(ms));
  const elapsed = (performance.now() - started) / 1000;
  const out: LoadResult = {
    requestsPerSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    responses: latencies.length,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
};

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exitCode = 1;
});
