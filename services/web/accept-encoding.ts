/**
 * Whether a request's Accept-Encoding (RFC 9110 §12.5.3) takes gzip: named with a q above 0, or
 * `*` above 0 with gzip not refused by name. No header means any encoding is acceptable, but a
 * client that sent none is given identity, as servers commonly do (old proxies drop the header).
 */
export const acceptsGzip = (header: string | undefined): boolean => {
  if (header === undefined) return false;
  const weights = new Map<string, number>();
  for (const part of header.slice(0, 1024).split(",")) {
    const [coding = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    weights.set(coding.trim(), q === undefined ? 1 : Number(q));
  }
  const gzip = weights.get("gzip") ?? weights.get("x-gzip");
  return gzip !== undefined ? gzip > 0 : (weights.get("*") ?? 0) > 0;
};
