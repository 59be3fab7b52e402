import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { Effect } from "effect";
import { liveStatuses } from "./db/schema.ts";
import { type LogSink, systemLine } from "../../libs/logsink/contract.ts";
import { outputDirOf, removeOutputPipes } from "../../libs/runtime/output-pipes.ts";
import { isRunningProcess } from "../../libs/runtime/process-identity.ts";
import type { PreviewRow } from "./preview-rows.ts";
import type { OrchestratorStore } from "./store/contract.ts";
import { removeWorkDir } from "./work-dir.ts";

/**
 * Runs before the orchestrator serves. A live row whose process still runs (same pid *and* same
 * start time, so a recycled pid is never taken for it) outlived the previous orchestrator and is
 * returned, to be re-adopted; any other live row ends as `crashed`, its work dir released. Ports
 * stay reserved only for the previews returned (the table is per machine: a node per machine, or
 * nodes of one machine in one port range, as `npm run start:cluster` runs them).
 */
/**
 * Work dirs of previews that ended while this node was away (another node found it lost and
 * ended them): nobody else can release their disk quota mounts, so the node does when it is back.
 */
const removeEndedWorkDirs = (store: OrchestratorStore["Service"], previewsRoot: string) =>
  Effect.gen(function* () {
    const names = yield* Effect.promise(() => readdir(previewsRoot).catch(() => [] as string[]));
    for (const name of names) {
      if (name.startsWith(".")) continue;
      const row = yield* store.previews.byId(name);
      if (row !== undefined && !liveStatuses.includes(row.status as never) && row.workDir === join(previewsRoot, name)) {
        yield* Effect.promise(() => Promise.all([removeWorkDir(row.workDir), removeOutputPipes(outputDirOf(row.workDir))]));
      }
    }
  });

export const reconcileOnStart = (store: OrchestratorStore["Service"], sink: LogSink["Service"], node: string, previewsRoot: string) =>
  Effect.gen(function* () {
    const adoptable: PreviewRow[] = [];
    // Only this node's: another node's previews are its own business (runner-node.ts watches it).
    for (const row of yield* store.previews.liveOn(node)) {
      const reachable = row.port !== null || row.socketPath !== null;
      if (reachable && row.pid !== null && row.processStartTicks !== null && isRunningProcess(row.pid, row.processStartTicks)) {
        adoptable.push(row);
        continue;
      }
      const errorMessage = "The preview's process was gone when the orchestrator restarted";
      yield* Effect.promise(() => Promise.all([removeWorkDir(row.workDir), removeOutputPipes(outputDirOf(row.workDir))]));
      if (yield* store.previews.finishIfLive(row.id, { status: "crashed", stoppedAt: Date.now(), errorMessage })) {
        // Log subscribers learn the end like any other: a system line, then the final status.
        sink.emit(row.id, [systemLine(errorMessage, "ERROR")]);
        sink.statusChanged(row.id, "crashed");
      }
    }
    yield* removeEndedWorkDirs(store, previewsRoot);
    const othersLive = (yield* store.previews.live()).filter((r) => r.node !== null && r.node !== node);
    yield* store.ports.keepOnly([...adoptable, ...othersLive].map((r) => r.id));
    return adoptable;
  });
