import { Readable, type Transform } from "node:stream";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import { Effect, Layer } from "effect";
import { type Dispatcher, errors as undiciErrors } from "undici";
import { PayloadTooLarge } from "../http/request-errors.ts";
import { UpstreamTimeout, UpstreamUnreachable } from "./errors.ts";
import { endToEndHeaders, passesBody } from "./headers.ts";
import { cappedBody } from "./capped-body.ts";
import { type ProxyUpstream, requestFor, retireOnNode } from "./node-relay.ts";
import { UpstreamClient, type UpstreamRequest } from "./upstream-client.ts";
import { UpstreamPools, UpstreamPoolsLive } from "./upstream-pools.ts";

const responseHeaders = (headers: Dispatcher.ResponseData["headers"]): Headers => {
  const all = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value ?? ""]) all.append(name, v);
  }
  return new Headers(endToEndHeaders(all));
};

/**
 * A response body as a web stream, with backpressure. Not `Readable.toWeb`: on Node 20 its
 * adapter still enqueues a chunk undici's body emits after the client went away (the stream
 * cancelled), which throws outside any handler and ends the process (seen under load in
 * bench/proxy.ts; test/gateway/preview-proxy.test.ts "clients that go away").
 */
const webStreamOf = (body: Readable): ReadableStream<Uint8Array> => {
  let settled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      body.on("data", (chunk: Buffer) => {
        if (settled) return;
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) <= 0) body.pause();
      });
      body.once("end", () => {
        if (settled) return;
        settled = true;
        controller.close();
      });
      body.on("error", (e) => {
        if (settled) return;
        settled = true;
        controller.error(e);
      });
    },
    pull() {
      body.resume();
    },
    cancel() {
      settled = true;
      body.destroy();
    },
  });
};

/**
 * The Node layer: the process's undici pools (one per upstream, Unix sockets included; see
 * upstream-pools.ts). Global fetch measured 2–3× slower here and decodes content encodings.
 * `Expect` is not passed on: the gateway's own server has already answered it, and undici refuses it.
 */
const NodeUpstreamClientLive = Layer.effect(
  UpstreamClient,
  Effect.gen(function* () {
    const pools = yield* UpstreamPools;
    const send = (upstream: ProxyUpstream, req: UpstreamRequest) =>
      Effect.callback<Response, UpstreamUnreachable | UpstreamTimeout | PayloadTooLarge>((resume) => {
        let failure: PayloadTooLarge | undefined;
        const abort = new AbortController();
        const onClientAbort = () => abort.abort();
        req.signal?.addEventListener("abort", onClientAbort, { once: true });
        let body: Transform | null = null;
        if (req.body !== null) {
          const counted = cappedBody(req.maxBodyBytes, () => (failure = new PayloadTooLarge({ limitBytes: req.maxBodyBytes })));
          body = Readable.fromWeb(req.body as unknown as NodeWebStream<Uint8Array>)
            .once("error", (e) => counted.destroy(e))
            .pipe(counted);
        }
        const target = requestFor(upstream, req.path, req.headers.filter(([name]) => name !== "expect"));
        pools.poolFor(upstream).request({
          method: req.method as Dispatcher.HttpMethod,
          path: target.path,
          headers: target.headers.flat(),
          body,
          signal: abort.signal,
          headersTimeout: req.timeoutMs,
          bodyTimeout: 0, // a streaming response (SSE) may stay quiet as long as it likes
        }).then(
          (res) => {
            const passBody = passesBody(res.statusCode, req.method);
            if (!passBody) res.body.resume();
            res.body.once("close", () => req.signal?.removeEventListener("abort", onClientAbort));
            resume(Effect.succeed(new Response(
              passBody ? webStreamOf(res.body) : null,
              { status: res.statusCode, statusText: res.statusText, headers: responseHeaders(res.headers) },
            )));
          },
          (e: unknown) => {
            req.signal?.removeEventListener("abort", onClientAbort);
            if (failure !== undefined) return resume(Effect.fail(failure));
            if (e instanceof undiciErrors.HeadersTimeoutError) return resume(Effect.fail(new UpstreamTimeout({ timeoutMs: req.timeoutMs })));
            resume(Effect.fail(new UpstreamUnreachable({ reason: e instanceof Error ? e.message : String(e) })));
          },
        );
        return Effect.sync(() => abort.abort());
      });
    // A node's pool serves all its previews: the node lets go of its own connections to this one.
    const retire = (upstream: ProxyUpstream) =>
      upstream.kind === "node" ? Effect.promise(() => retireOnNode(upstream)) : Effect.sync(() => pools.retire(upstream));
    return UpstreamClient.of({ send, retire });
  }),
);

/** The Node upstream client together with the pools it uses, which the gateway's fast path shares. */
export const NodeUpstreamLive = Layer.provideMerge(NodeUpstreamClientLive, UpstreamPoolsLive);
