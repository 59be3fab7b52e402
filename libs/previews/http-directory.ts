import { Effect, Layer, Redacted } from "effect";
import { PlatformSecrets } from "../auth/platform-secrets.ts";
import { GenerationNotFound } from "../generations/errors.ts";
import type { PreviewRoute, StatusView } from "./contract.ts";
import { PreviewDirectory } from "./directory.ts";
import { PreviewNotFound } from "./errors.ts";

interface ErrorBody {
  readonly error?: { readonly code?: string };
}

/** The directory over the orchestrator's internal HTTP API (split deployment). */
export const HttpPreviewDirectoryLive = (orchestratorUrl: string) =>
  Layer.effect(
    PreviewDirectory,
    Effect.gen(function* () {
      const secrets = yield* PlatformSecrets;
      const headers = { "x-internal-token": Redacted.value(secrets.internalToken) };
      const get = (path: string) => Effect.promise(async () => {
        const res = await fetch(orchestratorUrl + path, { headers });
        return { status: res.status, body: (await res.json()) as unknown };
      });
      return PreviewDirectory.of({
        route: (previewInstanceId) =>
          get(`/internal/previews/${encodeURIComponent(previewInstanceId)}`).pipe(Effect.flatMap(({ status, body }) =>
            status === 200 ? Effect.succeed(body as PreviewRoute) : Effect.fail(new PreviewNotFound({ previewInstanceId })))),
        latestFor: (userId, generationId) =>
          get(`/internal/generations/${encodeURIComponent(generationId)}/preview?userId=${encodeURIComponent(userId)}`).pipe(
            Effect.flatMap(({ status, body }): Effect.Effect<StatusView, GenerationNotFound | PreviewNotFound> => {
              if (status === 200) return Effect.succeed(body as StatusView);
              return (body as ErrorBody).error?.code === "generation_not_found"
                ? Effect.fail(new GenerationNotFound({ generationId }))
                : Effect.fail(new PreviewNotFound({ generationId }));
            }),
          ),
        touch: (ids) =>
          Effect.promise(() => Promise.all(ids.map((id) =>
            fetch(`${orchestratorUrl}/internal/previews/${encodeURIComponent(id)}/touch`, { method: "POST", headers })
              .then((r) => r.body?.cancel(), () => undefined)))).pipe(Effect.asVoid),
      });
    }),
  );
