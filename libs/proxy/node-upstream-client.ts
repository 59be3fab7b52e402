import { Agent, type IncomingMessage, request as httpRequest } from "node:http";
import { Readable, Transform } from "node:stream";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import { Effect, Layer } from "effect";
import { PayloadTooLarge } from "../http/request-errors.ts";
import type { Upstream } from "../runtime/contract.ts";
import { UpstreamTimeout, UpstreamUnreachable } from "./errors.ts";
import { endToEndHeaders } from "./headers.ts";
import { UpstreamClient, type UpstreamRequest } from "./upstream-client.ts";

const bodilessStatuses = new Set([101, 204, 205, 304]);

const responseHeaders = (res: IncomingMessage): Headers => {
  const headers = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i] ?? "", res.rawHeaders[i + 1] ?? "");
  return new Headers(endToEndHeaders(headers));
};

/** Counts request body bytes as they stream and stops the stream past the limit. */
const capped = (limit: number, onOver: () => void) => {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.byteLength;
      if (seen > limit) {
        onOver();
        done(new Error("request body over the limit"));
      } else done(null, chunk);
    },
  });
};

/**
 * The Node layer: node:http with keep-alive agents, one pool per upstream, Unix sockets through
 * `socketPath`. Global fetch measured 2–3× slower here and decodes content encodings.
 */
export const NodeUpstreamClientLive = Layer.sync(UpstreamClient, () => {
  const agents = new Map<string, Agent>();
  const agentFor = (key: string) => {
    let agent = agents.get(key);
    if (agent === undefined) {
      agent = new Agent({ keepAlive: true, maxFreeSockets: 64 });
      agents.set(key, agent);
    }
    return agent;
  };
  const send = (upstream: Upstream, req: UpstreamRequest) =>
    Effect.callback<Response, UpstreamUnreachable | UpstreamTimeout | PayloadTooLarge>((resume) => {
      let failure: UpstreamTimeout | PayloadTooLarge | undefined;
      const target = upstream.kind === "tcp"
        ? { host: upstream.host, port: upstream.port, agent: agentFor(`${upstream.host}:${upstream.port}`) }
        : { socketPath: upstream.path, agent: agentFor(upstream.path) };
      const outgoing = httpRequest({ ...target, method: req.method, path: req.path, headers: req.headers.flat(), setHost: false });
      const timer = setTimeout(() => {
        failure = new UpstreamTimeout({ timeoutMs: req.timeoutMs });
        outgoing.destroy();
      }, req.timeoutMs);
      const onAbort = () => outgoing.destroy();
      req.signal?.addEventListener("abort", onAbort, { once: true });
      outgoing.once("response", (res) => {
        clearTimeout(timer);
        res.once("close", () => req.signal?.removeEventListener("abort", onAbort));
        const body = bodilessStatuses.has(res.statusCode ?? 0) || req.method === "HEAD"
          ? null
          : (Readable.toWeb(res) as NodeWebStream<Uint8Array> as unknown as ReadableStream<Uint8Array>);
        if (body === null) res.resume();
        resume(Effect.succeed(new Response(body, { status: res.statusCode ?? 502, statusText: res.statusMessage ?? "", headers: responseHeaders(res) })));
      });
      outgoing.once("error", (e) => {
        clearTimeout(timer);
        resume(Effect.fail(failure ?? new UpstreamUnreachable({ reason: e.message })));
      });
      if (req.body === null) outgoing.end();
      else {
        Readable.fromWeb(req.body as unknown as NodeWebStream<Uint8Array>)
          .once("error", () => outgoing.destroy())
          .pipe(capped(req.maxBodyBytes, () => {
            failure = new PayloadTooLarge({ limitBytes: req.maxBodyBytes });
            outgoing.destroy();
          }))
          .once("error", () => outgoing.destroy())
          .pipe(outgoing);
      }
      return Effect.sync(() => outgoing.destroy());
    });
  return UpstreamClient.of({ send });
});
