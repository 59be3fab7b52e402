// npm run preview -- <project dir> [--detach] [--entry module:app] [--watch]
// Uploads a local FastAPI project, launches it showing each stage, prints its URLs and tails
// its logs until Ctrl-C, which stops the preview (unless --detach). --watch applies every change
// under the dir to the running preview in place (a live reload) and shows each one.
// The other commands (ls, stop, logs, open), --help and the exit codes are in scripts/preview/.
import { openFetchEventSource } from "../libs/client/fetch-event-source.ts";
import { PreviewLogStream } from "../libs/client/log-stream.ts";
import { describeApiError, exitCodeOf, makeCliContext } from "./preview/cli-context.ts";
import { reportFailure, runSubcommand } from "./preview/commands.ts";
import { handleInterrupts } from "./preview/interrupt.ts";
import { failureBlock } from "./preview/failure-block.ts";
import { parseLaunchArgs, readProject } from "./preview/launch-input.ts";
import { limitHint } from "./preview/limit-hint.ts";
import { localZoneLabel } from "../libs/logs/local-time.ts";
import { watchAndReload } from "./preview/watch.ts";

const interrupt = handleInterrupts((code) => process.exit(code));

const command = await runSubcommand(process.argv.slice(2), interrupt);
if (command !== undefined) process.exit(command);

let launchInput;
try {
  const values = parseLaunchArgs(process.argv.slice(2));
  process.stdout.write(`Reading ${values.dir} …\n`);
  launchInput = { values, project: readProject(values.dir), context: await makeCliContext() };
} catch (e) {
  process.exit(reportFailure(e));
}
const { values, project, context: { client, term, apiUrl } } = launchInput;
const fileCount = Object.keys(project.files).length;
term.info(`Uploading ${fileCount} file${fileCount === 1 ? "" : "s"} to ${apiUrl} …`);
const created = await client.createGeneration({ files: project.files });
await interrupt.unlessInterrupted();
if (!created.ok) {
  term.failure("upload", describeApiError(created.error));
  process.exit(exitCodeOf(created.error));
}
const generationId = created.value.generationId;
term.stage("upload", `${created.value.fileCount} files, ${(created.value.bytes / 1024).toFixed(1)} KiB → generation ${generationId}`);
for (const s of project.skipped) term.info(`  skipped ${s.path}: ${s.reason}`);

// From here a Ctrl-C stops the preview (unless --detach), after a launch still in flight has
// answered, so the stop cannot overtake it.
let launching: Promise<unknown> = Promise.resolve();
let stream: PreviewLogStream | undefined;
let watcher: { readonly close: () => void } | undefined;
let tailing = false;
interrupt.onInterrupt(async () => {
  watcher?.close();
  stream?.close();
  await launching;
  if (values.detach) return 0;
  const stopped = await client.stop(generationId);
  term.stage("stopped", stopped.ok ? stopped.value.message : stopped.error.message);
  // Stopping a preview that was tailed is how a session ends; earlier it cut the launch short.
  return stopped.ok ? (tailing ? 0 : 130) : 1;
});
const launchCall = client.launch(generationId, values.entry === undefined ? {} : { entry: values.entry });
launching = launchCall;
const launched = await launchCall;
await interrupt.unlessInterrupted();
if (!launched.ok) {
  term.failure("launch", describeApiError(launched.error));
  const hint = await limitHint(client, launched.error);
  if (hint !== undefined) term.info(hint);
  process.exit(exitCodeOf(launched.error));
}
const settings = await client.config(generationId);
term.stage("runtime", settings.ok ? `${settings.value.runtime} (limits: ${settings.value.limits.memoryMb} MB, ${settings.value.limits.cpuSeconds} s CPU)` : "unknown");

stream = new PreviewLogStream({
  client,
  generationId,
  open: (url) => openFetchEventSource(url),
  onLine: (line) => {
    if (line.source === "system" && line.message.startsWith("launching")) term.stage("starting", line.message);
    // The diagnosis is printed once, as a block, when the launch settles.
    if (line.source === "system" && line.message.startsWith("failure: ")) return;
    term.logLine(line);
  },
  onStatus: (status) => {
    // Before the preview ran, settle() below reports how the launch ended.
    if (!tailing || interrupt.interrupted() || status === "launching" || status === "running") return;
    // The preview ended by itself while we tailed it (crashed, expired).
    term.failure(status, "the preview ended");
    process.exit(status === "crashed" || status === "failed" ? 1 : 0);
  },
});
void stream.start();

/** Polls status until the launch settles: the stages do not depend on the log stream being up. */
const settle = async () => {
  for (;;) {
    const status = await client.status(generationId);
    await interrupt.unlessInterrupted();
    if (status.ok && status.value.status !== "launching") return status.value;
    await new Promise((r) => setTimeout(r, 100));
  }
};
const settled = await settle();
if (settled.status !== "running") {
  await new Promise((r) => setTimeout(r, 300)); // let the last log lines arrive, so the diagnosis comes last
  stream.close();
  if (settled.failure === null) term.failure(settled.status, settled.errorMessage ?? "the preview ended before it was ready");
  else {
    const [first = "", ...rest] = failureBlock(settled.failure);
    term.failure(settled.status, first);
    for (const line of rest) term.info(`               ${line}`);
  }
  process.exit(1);
}
const readyMs = Date.parse(settled.startedAt ?? settled.createdAt) - Date.parse(settled.createdAt);
term.stage("ready", `in ${readyMs} ms`);
term.info(`  preview  ${launched.value.previewUrl}   (its own origin; the docs link signs a browser in)`);
term.info(`  docs     ${client.docsUrl(launched.value)}`);
term.info(`  api      ${client.programmaticUrl(launched.value)}   (header X-Preview-Token: ${launched.value.previewToken})`);
tailing = true;
if (values.watch) watcher = watchAndReload(project.root, generationId, client, term);
term.info(`${values.detach ? "Tailing logs; Ctrl-C leaves the preview running (--detach)." : "Tailing logs; Ctrl-C stops the preview."} ${localZoneLabel()}.`);

