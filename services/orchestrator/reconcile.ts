import { Effect } from "effect";
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
 * stay reserved only for the previews returned.
 */
export const reconcileOnStart = (store: OrchestratorStore["Service"], sink: LogSink["Service"]) =>
  Effect.gen(function* () {
    const adoptable: PreviewRow[] = [];
    for (const row of yield* store.previews.live()) {
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
    yield* store.ports.keepOnly(adoptable.map((r) => r.id));
    return adoptable;
  });
