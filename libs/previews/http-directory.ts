import { Effect, Layer, Redacted } from "effect";
import { PlatformSecrets } from "../auth/platform-secrets.ts";
import { GenerationNotFound } from "../generations/errors.ts";
import { PeerUnavailable } from "../peers/errors.ts";
import type { PreviewRoute, StatusView } from "./contract.ts";
import { PreviewDirectory } from "./directory.ts";
import { PreviewNotFound } from "./errors.ts";

const peer = "orchestrator";
/** How long one call to the orchestrator may take before it counts as unavailable. */
const timeoutMs = 5000;

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const errorCode = (body: unknown): string | undefined =>
  (body as { readonly error?: { readonly code?: unknown } } | null)?.error?.code as string | undefined;

/**
 * The directory over the orchestrator's internal HTTP API (split deployment), shared by the
 * gateway and the logs service. The orchestrator's own "not found" answers become
 * `PreviewNotFound` / `GenerationNotFound`; no answer, a timeout, any other status or an
 * unreadable body is `PeerUnavailable` (a retryable 503), never a defect or a wrong 404.
 */
export const HttpPreviewDirectoryLive = (orchestratorUrl: string) =>
  Layer.effect(
    PreviewDirectory,
    Effect.gen(function* () {
      const secrets = yield* PlatformSecrets;
      const base = orchestratorUrl.replace(/\/+$/, "");
      const headers = { "x-internal-token": Redacted.value(secrets.internalToken) };
      const unavailable = (reason: string) => new PeerUnavailable({ peer, reason });

      const call = (path: string, method: "GET" | "POST") =>
        Effect.tryPromise({
          try: async (signal): Promise<Answer> => {
            const res = await fetch(base + path, { method, headers, signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
            if (method === "POST" || res.status === 204) {
              await res.body?.cancel();
              return { status: res.status, body: null };
            }
            const text = await res.text();
            try {
              return { status: res.status, body: JSON.parse(text) as unknown };
            } catch {
              throw new Error(`unreadable ${res.status} answer`);
            }
          },
          catch: (e) => unavailable(e instanceof Error ? e.message : String(e)),
        });

      return PreviewDirectory.of({
        route: (previewInstanceId) =>
          call(`/internal/previews/${encodeURIComponent(previewInstanceId)}`, "GET").pipe(
            Effect.flatMap(({ status, body }): Effect.Effect<PreviewRoute, PreviewNotFound | PeerUnavailable> => {
              if (status === 200) return Effect.succeed(body as PreviewRoute);
              if (status === 404 && errorCode(body) === "preview_not_found") return Effect.fail(new PreviewNotFound({ previewInstanceId }));
              return Effect.fail(unavailable(`status ${status}`));
            }),
          ),
        latestFor: (userId, generationId) =>
          call(`/internal/generations/${encodeURIComponent(generationId)}/preview?userId=${encodeURIComponent(userId)}`, "GET").pipe(
            Effect.flatMap(({ status, body }): Effect.Effect<StatusView, GenerationNotFound | PreviewNotFound | PeerUnavailable> => {
              if (status === 200) return Effect.succeed(body as StatusView);
              const code = status === 404 ? errorCode(body) : undefined;
              if (code === "generation_not_found") return Effect.fail(new GenerationNotFound({ generationId }));
              if (code === "preview_not_found") return Effect.fail(new PreviewNotFound({ generationId }));
              return Effect.fail(unavailable(`status ${status}`));
            }),
          ),
        // Activity is best effort: a preview that ended (404) or an orchestrator that did not answer changes nothing here.
        touch: (ids) =>
          Effect.forEach(ids, (id) => call(`/internal/previews/${encodeURIComponent(id)}/touch`, "POST").pipe(Effect.ignore), {
            concurrency: "unbounded",
            discard: true,
          }),
      });
    }),
  );
