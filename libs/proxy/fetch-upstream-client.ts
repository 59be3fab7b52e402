import { Effect, Layer } from "effect";
import { PayloadTooLarge } from "../http/request-errors.ts";
import { UpstreamTimeout, UpstreamUnreachable } from "./errors.ts";
import { endToEndHeaders, passesBody } from "./headers.ts";
import { nodeOrigin, type ProxyUpstream, requestFor, retireOnNode } from "./node-relay.ts";
import { UpstreamClient, type UpstreamRequest } from "./upstream-client.ts";

interface DenoHttpClient {
  close(): void;
}
interface DenoHttp {
  createHttpClient(options: { proxy: { transport: "unix"; path: string } }): DenoHttpClient;
}

/** Counts request body bytes as they stream and fails the stream past the limit. */
const capped = (limit: number, onOver: () => void) => {
  let seen = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > limit) {
        onOver();
        controller.error(new Error("request body over the limit"));
      } else controller.enqueue(chunk);
    },
  });
};

/**
 * The Deno layer: fetch, with Deno's Unix-socket client for sandboxed previews. fetch would
 * decode a compressed response and still pass its content-encoding on, so the upstream is asked
 * for identity encoding: bytes are never decoded twice.
 */
export const FetchUpstreamClientLive = Layer.sync(UpstreamClient, () => {
  const { Deno } = globalThis as unknown as { Deno: DenoHttp };
  const unixClients = new Map<string, DenoHttpClient>();
  const clientFor = (path: string) => {
    let client = unixClients.get(path);
    if (client === undefined) {
      client = Deno.createHttpClient({ proxy: { transport: "unix", path } });
      unixClients.set(path, client);
    }
    return client;
  };
  const send = (upstream: ProxyUpstream, req: UpstreamRequest) =>
    Effect.callback<Response, UpstreamUnreachable | UpstreamTimeout | PayloadTooLarge>((resume) => {
      let failure: UpstreamTimeout | PayloadTooLarge | undefined;
      const abort = new AbortController();
      const timer = setTimeout(() => {
        failure = new UpstreamTimeout({ timeoutMs: req.timeoutMs });
        abort.abort();
      }, req.timeoutMs);
      req.signal?.addEventListener("abort", () => abort.abort(), { once: true });
      const target = requestFor(upstream, req.path, req.headers.filter(([name]) => name !== "accept-encoding"));
      const headers = new Headers(target.headers);
      const url = upstream.kind === "tcp"
        ? `http://${upstream.host}:${upstream.port}${target.path}`
        : upstream.kind === "unix" ? `http://preview${target.path}` : `${nodeOrigin(upstream.url)}${target.path}`;
      const body = req.body?.pipeThrough(capped(req.maxBodyBytes, () => {
        failure = new PayloadTooLarge({ limitBytes: req.maxBodyBytes });
        abort.abort();
      }));
      fetch(url, {
        method: req.method,
        headers,
        signal: abort.signal,
        redirect: "manual",
        ...(body === undefined ? {} : { body, duplex: "half" }),
        ...(upstream.kind === "unix" ? { client: clientFor(upstream.path) } : {}),
      } as RequestInit).then(
        (res) => {
          clearTimeout(timer);
          const passBody = passesBody(res.status, req.method);
          if (!passBody) void res.body?.cancel();
          resume(Effect.succeed(new Response(passBody ? res.body : null, {
            status: res.status,
            statusText: res.statusText,
            headers: new Headers(endToEndHeaders(res.headers)),
          })));
        },
        (e: unknown) => {
          clearTimeout(timer);
          resume(Effect.fail(failure ?? new UpstreamUnreachable({ reason: e instanceof Error ? e.message : String(e) })));
        },
      );
      return Effect.sync(() => abort.abort());
    });
  // A TCP upstream's connections are fetch's own; only a Unix socket's client is ours to let go
  // (a node lets go of its own connections to its preview).
  const retire = (upstream: ProxyUpstream) => upstream.kind === "node" ? Effect.promise(() => retireOnNode(upstream)) : Effect.sync(() => {
    if (upstream.kind !== "unix") return;
    unixClients.get(upstream.path)?.close();
    unixClients.delete(upstream.path);
  });
  return UpstreamClient.of({ send, retire });
});
