import { LineBudgets, type LineRate, rateDropMessage } from "../../libs/logs/line-budget.ts";
import type { IngestRecord } from "../../libs/logs/schemas.ts";
import { isFinalStatus } from "../../libs/logs/statuses.ts";

/**
 * The logs service's own per-preview rate budget, whatever sink sends: a preview's output lines
 * over it are not stored, and the last one dropped in a batch becomes the `system` line that says
 * how many went (it keeps that line's seq, so order and retry dedup hold). The platform's own
 * lines and statuses always pass.
 */
export const makeIngestBudget = (rate: LineRate, now: () => number = Date.now) => {
  const budgets = new LineBudgets(rate, now);
  return (records: ReadonlyArray<IngestRecord>): ReadonlyArray<IngestRecord> => {
    const dropped = new Map<string, { n: number; last: number }>();
    const kept: Array<IngestRecord | undefined> = [];
    for (const record of records) {
      if (record.type === "status") {
        if (isFinalStatus(record.status)) budgets.forget(record.previewId);
      } else if (record.source !== "system" && !budgets.take(record.previewId)) {
        dropped.set(record.previewId, { n: (dropped.get(record.previewId)?.n ?? 0) + 1, last: kept.length });
        kept.push(undefined);
        continue;
      }
      kept.push(record);
    }
    if (dropped.size === 0) return records;
    for (const [, { n, last }] of dropped) {
      const record = records[last];
      if (record?.type !== "line") continue;
      kept[last] = { ...record, source: "system", level: "WARN", message: rateDropMessage(n, rate.linesPerSecond) };
    }
    return kept.filter((r) => r !== undefined);
  };
};
