import { Context, Effect, Layer } from "effect";
import type { PreviewStatus } from "../../libs/previews/contract.ts";
import { type LogLineInput, LogSink } from "../../libs/logsink/contract.ts";

export interface CapturedLine extends LogLineInput {
  readonly id: number;
}

/** Reads what the in-process sink captured, per preview, in order. */
export class CapturedLogs extends Context.Service<CapturedLogs, {
  readonly read: (previewId: string) => ReadonlyArray<CapturedLine>;
  readonly statuses: (previewId: string) => ReadonlyArray<PreviewStatus>;
}>()("platform/CapturedLogs") {}

/** The in-process sink: keeps every line in memory with a per-preview id. For tests only: it keeps every line, unbounded, for a test to read back. */
export const InMemoryLogSink = Layer.effectContext(Effect.sync(() => {
  const byPreview = new Map<string, CapturedLine[]>();
  const statusesByPreview = new Map<string, PreviewStatus[]>();
  const sink = LogSink.of({
    emit: (previewId, lines) => {
      const list = byPreview.get(previewId) ?? [];
      for (const line of lines) list.push({ ...line, id: list.length + 1 });
      byPreview.set(previewId, list);
    },
    statusChanged: (previewId, status) => {
      statusesByPreview.set(previewId, [...(statusesByPreview.get(previewId) ?? []), status]);
    },
  });
  const captured = CapturedLogs.of({
    read: (previewId) => byPreview.get(previewId) ?? [],
    statuses: (previewId) => statusesByPreview.get(previewId) ?? [],
  });
  return Context.make(LogSink, sink).pipe(Context.add(CapturedLogs, captured));
}));
