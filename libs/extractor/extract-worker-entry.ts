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
  // One JSON string, not the objects: a structured clone of a large result (10,000 routes) costs
  // the worker a serialisation and the caller's thread a deserialisation that together took about
  // twice a stringify and a parse (the string itself crosses as one flat copy).
  parentPort?.postMessage({ id: request.id, json: JSON.stringify(result) });
});
