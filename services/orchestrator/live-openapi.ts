import { request } from "node:http";
import { Data, Effect } from "effect";
import type { Upstream } from "../../libs/runtime/contract.ts";

/** The running preview did not give us its OpenAPI document; callers fall back to static analysis. */
export class LiveReadFailed extends Data.TaggedError("LiveReadFailed")<{
  readonly reason: string;
}> {}

const maxDocumentBytes = 16 * 1024 * 1024;

/**
 * GETs the app's OpenAPI document (`/openapi.json` unless the app put it elsewhere) straight from
 * a preview's upstream (TCP port or Unix socket), where the app serves it at its own path
 * (previews run at the root of their own origin).
 */
export const readLiveOpenApi = (upstream: Upstream, timeoutMs: number, path = "/openapi.json"): Effect.Effect<unknown, LiveReadFailed> =>
  Effect.callback<unknown, LiveReadFailed>((resume) => {
    let settled = false;
    const settle = (outcome: Effect.Effect<unknown, LiveReadFailed>) => {
      if (settled) return;
      settled = true;
      resume(outcome);
    };
    const fail = (reason: string) => settle(Effect.fail(new LiveReadFailed({ reason })));
    const where = upstream.kind === "tcp" ? { host: upstream.host, port: upstream.port } : { socketPath: upstream.path };
    const req = request({ ...where, path, headers: { accept: "application/json" }, timeout: timeoutMs }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return fail(`the preview answered ${res.statusCode} for ${path}`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > maxDocumentBytes) {
          req.destroy();
          return fail(`the OpenAPI document is over ${maxDocumentBytes} bytes`);
        }
        chunks.push(chunk);
      });
      res.on("error", (e) => fail(e.message));
      res.on("end", () => {
        try {
          settle(Effect.succeed(JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown));
        } catch {
          fail("the OpenAPI document is not JSON");
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (e) => fail(e.message));
    req.end();
    return Effect.sync(() => req.destroy());
  });
