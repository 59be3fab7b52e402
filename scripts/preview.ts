// npm run preview -- <project dir> [--detach] [--entry module:app] [--watch]
// Uploads a local FastAPI project, launches it showing each stage, prints its URLs and tails
// its logs until Ctrl-C, which stops the preview (unless --detach). --watch applies every change
// under the dir to the running preview in place (a live reload) and shows each one.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { Config, ConfigProvider, Effect, Layer, Option, Redacted } from "effect";
import { PlatformSecrets, PlatformSecretsLive } from "../libs/auth/platform-secrets.ts";
import { signUserToken } from "../libs/auth/user-token.ts";
import { createPreviewClient } from "../libs/client/api-client.ts";
import { openFetchEventSource } from "../libs/client/fetch-event-source.ts";
import { PreviewLogStream } from "../libs/client/log-stream.ts";
import { handleInterrupts } from "./preview/interrupt.ts";
import { readUploadableProject } from "./preview/project-files.ts";
import { failureBlock } from "./preview/failure-block.ts";
import { makeTerminal } from "./preview/terminal.ts";
import { watchAndReload } from "./preview/watch.ts";

const interrupt = handleInterrupts((code) => process.exit(code));

const cliConfig = Config.all({
  apiUrl: Config.String("PREVIEW_API_URL").pipe(Config.orElse(() =>
    Config.Port("GATEWAY_PORT").pipe(Config.withDefault(8080), Config.map((port) => `http://127.0.0.1:${port}`)))),
  token: Config.Redacted("PREVIEW_TOKEN").pipe(Config.option),
  user: Config.String("PREVIEW_USER").pipe(Config.withDefault("local")),
  noColour: Config.String("NO_COLOR").pipe(Config.option),
});

const { values, positionals } = parseArgs({ allowPositionals: true, options: { detach: { type: "boolean", default: false }, entry: { type: "string" }, watch: { type: "boolean", default: false } } });
const dir = positionals[0];
if (dir === undefined) {
  process.stderr.write("usage: npm run preview -- <project dir> [--detach] [--entry module:app] [--watch]\n");
  process.exit(2);
}

const config = await Effect.runPromise(cliConfig.parse(ConfigProvider.fromEnv()));
const term = makeTerminal(process.stdout.isTTY === true && Option.isNone(config.noColour), (t) => process.stdout.write(t));
// Without PREVIEW_TOKEN, sign one for PREVIEW_USER with the local secret `npm start` uses (same DATA_DIR).
const token = Option.isSome(config.token)
  ? Redacted.value(config.token.value)
  : await Effect.runPromise(Effect.gen(function* () {
    const secrets = yield* PlatformSecrets;
    return yield* Effect.promise(() => signUserToken(Redacted.value(secrets.jwtSecret), config.user));
  }).pipe(Effect.provide(PlatformSecretsLive.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv()))))));
const client = createPreviewClient({ baseUrl: config.apiUrl, token: () => token });

let project;
try {
  project = readUploadableProject(resolve(dir));
} catch (e) {
  term.failure("read", `${dir}: ${(e as Error).message}`);
  process.exit(2);
}
const created = await client.createGeneration({ files: project.files });
if (!created.ok) {
  term.failure("upload", `${created.error.message} (${created.error.code})`);
  process.exit(1);
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
  term.failure("launch", `${launched.error.message} (${launched.error.code})`);
  process.exit(1);
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
if (values.watch) watcher = watchAndReload(resolve(dir), generationId, client, term);
term.info(values.detach ? "Tailing logs; Ctrl-C leaves the preview running (--detach)." : "Tailing logs; Ctrl-C stops the preview.");

