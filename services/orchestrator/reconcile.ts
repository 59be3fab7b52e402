import { Duration, Effect } from "effect";
import { type LogSink, systemLine } from "../../libs/logsink/contract.ts";
import { groupExists, isSameProcess, signalGroup } from "../../libs/runtime/process-identity.ts";
import type { OrchestratorDatabase } from "./db/orchestrator-db.ts";
import { portReservations } from "./db/schema.ts";
import type { PreviewRows } from "./preview-rows.ts";
import { removeWorkDir } from "./work-dir.ts";

const waitForGroupToEnd = (pgid: number, graceMs: number) =>
  Effect.gen(function* () {
    const deadline = Date.now() + graceMs;
    while (groupExists(pgid) && Date.now() < deadline) yield* Effect.sleep(Duration.millis(20));
    if (groupExists(pgid)) signalGroup(pgid, "SIGKILL");
  });

/**
 * Runs before the orchestrator serves: nothing it does not supervise may claim to run. A row's
 * process that still exists (same pid *and* same start time, so a recycled pid is left alone) lost
 * its supervisor with the previous orchestrator and is stopped; every such row ends as `crashed`,
 * and its port and work dir are released.
 */
export const reconcileOnStart = (db: OrchestratorDatabase, rows: PreviewRows, sink: LogSink["Service"], stopGraceMs: number) =>
  Effect.gen(function* () {
    for (const row of rows.live()) {
      const orphaned = row.pid !== null && row.processStartTicks !== null && isSameProcess(row.pid, row.processStartTicks);
      if (orphaned && row.pid !== null) {
        signalGroup(row.pid, "SIGTERM");
        yield* waitForGroupToEnd(row.pid, stopGraceMs);
      }
      const errorMessage = orphaned
        ? "The orchestrator restarted while the preview ran; the preview was stopped"
        : "The preview's process was gone when the orchestrator restarted";
      yield* Effect.promise(() => removeWorkDir(row.workDir));
      if (rows.finishIfLive(row.id, { status: "crashed", stoppedAt: Date.now(), errorMessage })) {
        // Log subscribers learn the end like any other: a system line, then the final status.
        sink.emit(row.id, [systemLine(errorMessage, "ERROR")]);
        sink.statusChanged(row.id, "crashed");
      }
    }
    // No preview is live now, so no port may stay reserved.
    db.delete(portReservations).run();
  });
