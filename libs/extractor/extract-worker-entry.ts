// The body of an extraction worker process (extraction-workers.ts starts it): requests in on
// stdin, one JSON line each; for each, one line out on stdout, `<id> <result JSON>`, one at a
// time. The process is reused while it answers, killed when it runs over its wall time, and
// ended by V8 itself over its heap cap; stdin's end (the service gone) ends it.
import { basename } from "node:path";
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

const answer = (request: WorkRequest): void => {
  // Named by their last segment (site-packages, dist-packages) in sources and diagnostics: no host path leaks into an answer.
  const libraries = (request.libraries ?? []).map((dir) => directoryLibrary(dir, basename(dir)));
  const result = extractEndpoints(request.files, {
    ...(request.entry === undefined ? {} : { entry: request.entry }),
    ...(request.env === undefined ? {} : { env: request.env }),
    libraries,
  });
  process.stdout.write(`${request.id} ${JSON.stringify(result)}\n`);
};

// JSON escapes every newline inside a value, so a raw newline ends a request.
let pending: Buffer[] = [];
process.stdin.on("data", (chunk: Buffer) => {
  for (let start = 0; ;) {
    const newline = chunk.indexOf(10, start);
    if (newline === -1) {
      if (start < chunk.length) pending.push(chunk.subarray(start));
      return;
    }
    pending.push(chunk.subarray(start, newline));
    const line = Buffer.concat(pending).toString("utf8");
    pending = [];
    answer(JSON.parse(line) as WorkRequest);
    start = newline + 1;
  }
});
process.stdin.on("end", () => process.exit(0));
