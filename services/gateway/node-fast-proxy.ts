import { type Agent, type IncomingMessage, request as httpRequest, type ServerResponse, Agent as HttpAgent } from "node:http";
import { timingSafeEqual } from "node:crypto";
import { nanoid } from "nanoid";
import type { ErrorBody } from "../../libs/http/error-envelope.ts";
import { describeFailure } from "../../libs/http/error-mapping.ts";
import { PayloadTooLarge } from "../../libs/http/request-errors.ts";
import type { Logger } from "../../libs/observability/logger.ts";
import { UpstreamTimeout, UpstreamUnreachable } from "../../libs/proxy/errors.ts";
import type { Upstream } from "../../libs/runtime/contract.ts";
import type { ActivityReporter } from "./activity.ts";
import { previewTokenCookie, tokenMatches } from "./preview-token.ts";
import type { RouteCache } from "./route-cache.ts";

export interface FastProxyOptions {
  readonly cache: RouteCache;
  readonly activity: ActivityReporter;
  readonly upstreamTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
}

// RFC 9110 §7.6.1, plus what the platform keeps to itself (see preview-proxy.ts).
const dropped = new Set([
  "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
  "proxy-authenticate", "proxy-authorization", "authorization", "x-preview-token", "cookie",
  "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-prefix",
]);
const hopByHop = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization"]);
const acceptableRequestId = /^[A-Za-z0-9._-]{1,64}$/;
const smallBodyBytes = 64 * 1024;

const cookieToken = (cookie: string | undefined): string | undefined => {
  if (cookie === undefined) return undefined;
  for (const part of cookie.split(";")) {
    const p = part.trim();
    if (p.startsWith(`${previewTokenCookie}=`)) return p.slice(previewTokenCookie.length + 1);
  }
  return undefined;
};

const connectionNamed = (value: string | undefined): Set<string> =>
  new Set((value ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean));

const sendError = (res: ServerResponse, requestId: string, failure: UpstreamUnreachable | UpstreamTimeout | PayloadTooLarge) => {
  if (res.headersSent) return void res.destroy();
  const e = describeFailure(failure);
  const body: ErrorBody = { error: { code: e.code, message: e.message, requestId, ...(e.details ? { details: e.details } : {}) } };
  res.writeHead(e.status, { "content-type": "application/json", "x-request-id": requestId });
  res.end(JSON.stringify(body));
};

/**
 * The Node fast path of the preview proxy: a request to a preview whose route is cached and whose
 * token is good is piped between node:http streams directly, skipping the web-stream, Request and
 * Effect layers (bench/proxy.ts measured them at ~3× http-proxy's CPU per request). Anything else
 * — a cache miss, a bad token, the hand-off, `/p/{id}` without a slash — returns false and goes
 * through the full handler, which answers it and fills the cache.
 */
export const makeNodeFastProxy = (o: FastProxyOptions) => {
  const agents = new Map<string, Agent>();
  const agentFor = (key: string) => {
    let agent = agents.get(key);
    if (agent === undefined) {
      agent = new HttpAgent({ keepAlive: true, maxFreeSockets: 256 });
      agents.set(key, agent);
    }
    return agent;
  };
  // A token once checked against its hash is remembered per preview: later requests compare
  // strings (in constant time) instead of hashing again.
  const verified = new Map<string, Buffer>();
  const tokenIsGood = (id: string, token: string, hash: string): boolean => {
    const given = Buffer.from(token);
    const known = verified.get(id);
    if (known !== undefined && known.length === given.length && timingSafeEqual(known, given)) return true;
    if (!tokenMatches(token, hash)) return false;
    verified.set(id, given);
    return true;
  };
  // Unique per process and cheap: a random prefix and a counter.
  const idPrefix = nanoid(8);
  let counter = 0;
  const nextRequestId = () => `${idPrefix}-${(counter++).toString(36)}`;
  const target = (u: Upstream) =>
    u.kind === "tcp" ? { host: u.host, port: u.port, agent: agentFor(`${u.host}:${u.port}`) } : { socketPath: u.path, agent: agentFor(u.path) };

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? "";
    if (!url.startsWith("/p/") || req.headers.upgrade !== undefined) return false;
    const slash = url.indexOf("/", 3);
    if (slash === -1) return false;
    const id = url.slice(3, slash);
    const path = url.slice(slash);
    if (path.includes("previewToken=")) return false;
    const route = o.cache.peek(id);
    if (route === undefined || route.status !== "running" || route.upstream === null) return false;
    const token = (req.headers["x-preview-token"] as string | undefined) ?? cookieToken(req.headers.cookie);
    if (token === undefined || !tokenIsGood(id, token, route.previewTokenHash)) return false;
    const declared = Number(req.headers["content-length"] ?? 0);
    const incomingId = req.headers["x-request-id"];
    const requestId = typeof incomingId === "string" && acceptableRequestId.test(incomingId) ? incomingId : nextRequestId();
    const started = performance.now();
    if (declared > o.maxBodyBytes) {
      sendError(res, requestId, new PayloadTooLarge({ limitBytes: o.maxBodyBytes }));
      req.resume();
      return true;
    }

    const named = connectionNamed(req.headers.connection);
    const headers: string[] = [];
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const name = (raw[i] ?? "").toLowerCase();
      if (dropped.has(name) || named.has(name) || name.startsWith("proxy-")) continue;
      headers.push(raw[i] ?? "", raw[i + 1] ?? "");
    }
    const cookies = req.headers.cookie?.split(";").map((p) => p.trim()).filter((p) => p !== "" && !p.startsWith(`${previewTokenCookie}=`));
    if (cookies !== undefined && cookies.length > 0) headers.push("cookie", cookies.join("; "));
    const earlier = req.headers["x-forwarded-for"];
    const client = req.socket.remoteAddress ?? "";
    headers.push(
      "x-forwarded-for", typeof earlier === "string" ? `${earlier}, ${client}` : client,
      "x-forwarded-host", req.headers.host ?? "",
      "x-forwarded-proto", "http",
      "x-forwarded-prefix", `/p/${id}`,
    );

    let failure: UpstreamTimeout | PayloadTooLarge | undefined;
    const upstreamReq = httpRequest({ ...target(route.upstream), method: req.method, path, headers, setHost: false });
    const timer = setTimeout(() => {
      failure = new UpstreamTimeout({ timeoutMs: o.upstreamTimeoutMs });
      upstreamReq.destroy();
    }, o.upstreamTimeoutMs);
    upstreamReq.once("response", (upstreamRes) => {
      clearTimeout(timer);
      const out: string[] = [];
      const rawOut = upstreamRes.rawHeaders;
      const namedOut = connectionNamed(upstreamRes.headers.connection);
      for (let i = 0; i < rawOut.length; i += 2) {
        const name = (rawOut[i] ?? "").toLowerCase();
        if (!hopByHop.has(name) && !namedOut.has(name)) out.push(rawOut[i] ?? "", rawOut[i + 1] ?? "");
      }
      out.push("x-request-id", requestId);
      const status = upstreamRes.statusCode ?? 502;
      const length = Number(upstreamRes.headers["content-length"]);
      if (length <= smallBodyBytes) {
        // A small body of known length goes out with the headers in one write: half the
        // syscalls of a pipe, which is where most of a small proxied request's time goes.
        const chunks: Buffer[] = [];
        upstreamRes.on("data", (chunk: Buffer) => chunks.push(chunk));
        upstreamRes.once("end", () => {
          res.writeHead(status, upstreamRes.statusMessage ?? "", out);
          res.end(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
        });
        upstreamRes.once("error", () => res.destroy());
      } else {
        res.writeHead(status, upstreamRes.statusMessage ?? "", out);
        upstreamRes.pipe(res);
      }
      res.once("finish", () => o.logger.info("request", {
        requestId, method: req.method, path: url.split("?")[0], status: upstreamRes.statusCode, ms: Math.round((performance.now() - started) * 10) / 10,
      }));
    });
    upstreamReq.once("error", (e) => {
      clearTimeout(timer);
      if (failure === undefined) o.cache.invalidate(id);
      sendError(res, requestId, failure ?? new UpstreamUnreachable({ reason: e.message }));
    });
    // The client went away: so does the upstream exchange.
    res.once("close", () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    if (req.headers["content-length"] === undefined && req.headers["transfer-encoding"] === undefined) {
      upstreamReq.end(); // no body (RFC 9112 §6.3): nothing to stream or count
    } else {
      let seen = 0;
      req.on("data", (chunk: Buffer) => {
        seen += chunk.byteLength;
        if (seen > o.maxBodyBytes && failure === undefined) {
          failure = new PayloadTooLarge({ limitBytes: o.maxBodyBytes });
          upstreamReq.destroy();
        }
      });
      req.pipe(upstreamReq);
    }
    o.activity.record(id);
    return true;
  };
};
