import { Effect, Layer, Redacted, Schema } from "effect";
import { PlatformSecrets } from "../auth/platform-secrets.ts";
import { PeerUnavailable } from "../peers/errors.ts";
import { EndpointExtractor } from "./contract.ts";
import { ExtractionResult } from "./endpoint.ts";

const decodeResult = Schema.decodeUnknownEffect(ExtractionResult);

interface RefusedLibrary {
  readonly error?: { readonly message?: string; readonly details?: { readonly field?: string } };
}

/** The extractor over the extractor service's `/internal/extract` (split deployment). */
export const HttpEndpointExtractor = (options: { readonly url: string; readonly timeoutMs: number }) =>
  Layer.effect(
    EndpointExtractor,
    Effect.gen(function* () {
      const secrets = yield* PlatformSecrets;
      const url = `${options.url.replace(/\/+$/, "")}/internal/extract`;
      const unavailable = (reason: string) => new PeerUnavailable({ peer: "endpoint extractor", reason });
      const post = (body: Record<string, unknown>) =>
        Effect.tryPromise({
          try: async (signal) => {
            const res = await fetch(url, {
              method: "POST",
              headers: { "content-type": "application/json", "x-internal-token": Redacted.value(secrets.internalToken) },
              body: JSON.stringify(body),
              signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
            });
            return { status: res.status, body: (await res.json()) as unknown };
          },
          catch: (e) => unavailable(e instanceof Error ? e.message : String(e)),
        });
      const decoded = ({ status, body }: { status: number; body: unknown }) =>
        status !== 200
          ? Effect.fail(unavailable(`the extractor answered ${status}`))
          : decodeResult(body).pipe(Effect.mapError(() => unavailable("the extractor answered with an unexpected body")));
      return EndpointExtractor.of({
        extract: (files, extractOptions) =>
          Effect.gen(function* () {
            const base = {
              files,
              ...(extractOptions.entry === undefined ? {} : { entry: extractOptions.entry }),
              ...(extractOptions.env === undefined ? {} : { env: extractOptions.env }),
            };
            const libraries = extractOptions.libraries ?? [];
            if (libraries.length === 0) return yield* decoded(yield* post(base));
            const answer = yield* post({ ...base, libraries });
            const refused = answer.body as RefusedLibrary | null;
            if (answer.status !== 400 || refused?.error?.details?.field !== "libraries") return yield* decoded(answer);
            // A service whose allow-list leaves out this runtime's packages still lists the project's own routes, and says what it did not read.
            const result = yield* decoded(yield* post(base));
            return {
              endpoints: result.endpoints,
              diagnostics: [...result.diagnostics, {
                file: "", line: 0, severity: "warning" as const, code: "libraries_not_read",
                message: `Installed packages were not read, so routers they build are missing: ${refused.error.message ?? "the extractor refused the library directories"}`,
              }],
            };
          }),
      });
    }),
  );
