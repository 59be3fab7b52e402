// The body of an extraction worker thread (isolated-extractor.ts bundles this file): requests
// in, one result out for each, one at a time. The thread is reused while it answers
// (extraction-workers.ts), and killed when it runs over its heap or wall-time budget.
import { basename } from "node:path";
import { parentPort } from "node:worker_threads";
import { extractEndpoints } from "./extract.ts";
import { directoryLibrary } from "./libraries.ts";

interface WorkRequest {
  readonly id: number;
  readonly files: Readonly<Record<string, string>>;
  readonly entry?: string;
  /** Absolute site-packages directories, already checked by the caller. */
  readonly libraries?: ReadonlyArray<string>;
  readonly env?: Readonly<Record<string, string>>;
}

parentPort?.on("message", (request: WorkRequest) => {
  // Named by their last segment (site-packages, dist-packages) in sources and diagnostics: no host path leaks into an answer.
  const libraries = (request.libraries ?? []).map((dir) => directoryLibrary(dir, basename(dir)));
  const result = extractEndpoints(request.files, {
    ...(request.entry === undefined ? {} : { entry: request.entry }),
    ...(request.env === undefined ? {} : { env: request.env }),
    libraries,
  });
  parentPort?.postMessage({ id: request.id, result });
});
