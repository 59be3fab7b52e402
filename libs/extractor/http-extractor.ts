import { Effect, Layer, Redacted, Schema } from "effect";
import { PlatformSecrets } from "../auth/platform-secrets.ts";
import { PeerUnavailable } from "../peers/errors.ts";
import { EndpointExtractor } from "./contract.ts";
import { ExtractionResult } from "./endpoint.ts";

const decodeResult = Schema.decodeUnknownEffect(ExtractionResult);

/** The extractor over the extractor service's `/internal/extract` (split deployment). */
export const HttpEndpointExtractor = (options: { readonly url: string; readonly timeoutMs: number }) =>
  Layer.effect(
    EndpointExtractor,
    Effect.gen(function* () {
      const secrets = yield* PlatformSecrets;
      const url = `${options.url.replace(/\/+$/, "")}/internal/extract`;
      const unavailable = (reason: string) => new PeerUnavailable({ peer: "endpoint extractor", reason });
      return EndpointExtractor.of({
        extract: (files, extractOptions) =>
          Effect.gen(function* () {
            const { status, body } = yield* Effect.tryPromise({
              try: async (signal) => {
                const res = await fetch(url, {
                  method: "POST",
                  headers: { "content-type": "application/json", "x-internal-token": Redacted.value(secrets.internalToken) },
                  body: JSON.stringify({
                    files,
                    ...(extractOptions.entry === undefined ? {} : { entry: extractOptions.entry }),
                    ...(extractOptions.libraries === undefined || extractOptions.libraries.length === 0 ? {} : { libraries: extractOptions.libraries }),
                  }),
                  signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
                });
                return { status: res.status, body: (await res.json()) as unknown };
              },
              catch: (e) => unavailable(e instanceof Error ? e.message : String(e)),
            });
            if (status !== 200) return yield* Effect.fail(unavailable(`the extractor answered ${status}`));
            return yield* decodeResult(body).pipe(Effect.mapError(() => unavailable("the extractor answered with an unexpected body")));
          }),
      });
    }),
  );
