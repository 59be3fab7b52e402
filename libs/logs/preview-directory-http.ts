import { Effect, Layer, Redacted } from "effect";
import { PlatformSecrets } from "../auth/platform-secrets.ts";
import { GenerationNotFound } from "../generations/errors.ts";
import type { StatusView } from "../previews/contract.ts";
import { PreviewNotFound } from "../previews/errors.ts";
import { PeerUnavailable } from "./errors.ts";
import { PreviewDirectory } from "./preview-directory.ts";

const peer = "orchestrator";

const request = (url: string, init: RequestInit, timeoutMs: number) =>
  Effect.tryPromise({
    try: (signal) => fetch(url, { ...init, signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) }),
    catch: (e) => new PeerUnavailable({ peer, reason: e instanceof Error ? e.message : String(e) }),
  });

const readJson = <T>(res: Response) =>
  Effect.tryPromise({
    try: () => res.json() as Promise<T>,
    catch: () => new PeerUnavailable({ peer, reason: `unreadable ${res.status} answer` }),
  });

/** The orchestrator's internal routes as the `PreviewDirectory` contract (split mode). */
export const PreviewDirectoryHttp = (options: { readonly orchestratorUrl: string; readonly timeoutMs?: number }) =>
  Layer.effect(PreviewDirectory, Effect.gen(function* () {
    const secrets = yield* PlatformSecrets;
    const base = options.orchestratorUrl.replace(/\/+$/, "");
    const timeoutMs = options.timeoutMs ?? 5000;
    const headers = { "x-internal-token": Redacted.value(secrets.internalToken) };
    return PreviewDirectory.of({
      latest: (userId, generationId) => Effect.gen(function* () {
        const url = `${base}/internal/generations/${encodeURIComponent(generationId)}/preview?userId=${encodeURIComponent(userId)}`;
        const res = yield* request(url, { headers }, timeoutMs);
        if (res.status === 404) {
          const body = yield* readJson<{ error?: { code?: string } }>(res);
          if (body.error?.code === "preview_not_found") return yield* Effect.fail(new PreviewNotFound({ generationId }));
          return yield* Effect.fail(new GenerationNotFound({ generationId }));
        }
        if (res.status !== 200) {
          yield* Effect.promise(() => res.body?.cancel() ?? Promise.resolve());
          return yield* Effect.fail(new PeerUnavailable({ peer, reason: `status ${res.status}` }));
        }
        const view = yield* readJson<StatusView>(res);
        return { previewInstanceId: view.previewInstanceId, status: view.status, stoppedAt: view.stoppedAt };
      }),
      touch: (previewInstanceId) => Effect.gen(function* () {
        const res = yield* request(`${base}/internal/previews/${encodeURIComponent(previewInstanceId)}/touch`, { method: "POST", headers }, timeoutMs);
        yield* Effect.promise(() => res.body?.cancel() ?? Promise.resolve());
        if (res.status === 204) return true;
        if (res.status === 404) return false;
        return yield* Effect.fail(new PeerUnavailable({ peer, reason: `status ${res.status}` }));
      }),
    });
  }));
