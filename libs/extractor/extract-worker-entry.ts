// The body of an extraction worker thread (isolated-extractor.ts bundles this file): one
// request in, one result out. Nothing here may outlive the extraction: the thread is ended
// after it answers, or killed when it runs over its heap or wall-time budget.
import { parentPort } from "node:worker_threads";
import { extractEndpoints } from "./extract.ts";

interface WorkRequest {
  readonly files: Readonly<Record<string, string>>;
  readonly entry?: string;
}

parentPort?.once("message", (request: WorkRequest) => {
  parentPort?.postMessage(extractEndpoints(request.files, request.entry === undefined ? {} : { entry: request.entry }));
});
