import { and, count, desc, eq, inArray } from "drizzle-orm";
import { PreviewAlreadyRunning, PreviewLimitReached } from "../../libs/previews/errors.ts";
import type { OrchestratorDatabase } from "./db/orchestrator-db.ts";
import { liveStatuses, previews } from "./db/schema.ts";

export type PreviewRow = typeof previews.$inferSelect;
export type NewPreviewRow = typeof previews.$inferInsert;
export type PreviewPatch = Partial<Omit<PreviewRow, "id">>;

const isUniqueViolation = (e: unknown): boolean => {
  for (let cause: unknown = e; cause instanceof Error; cause = cause.cause) {
    if ((cause as { code?: unknown }).code === "SQLITE_CONSTRAINT_UNIQUE") return true;
  }
  return false;
};

/** The queries of the preview lifecycle, kept to drizzle's portable subset. */
export const previewRows = (db: OrchestratorDatabase) => ({
  /**
   * Admits a launch or refuses it, atomically: the per-user count and the insert run in one
   * IMMEDIATE transaction (a write lock even across processes), and the partial unique index
   * refuses a second live preview of one generation.
   */
  admit: (row: NewPreviewRow, maxLivePerUser: number): PreviewRow | PreviewAlreadyRunning | PreviewLimitReached => {
    try {
      return db.transaction((tx) => {
        const live = tx.select({ n: count() }).from(previews)
          .where(and(eq(previews.userId, row.userId), inArray(previews.status, [...liveStatuses]))).get()?.n ?? 0;
        if (live >= maxLivePerUser) {
          const same = tx.select({ id: previews.id }).from(previews)
            .where(and(eq(previews.generationId, row.generationId), inArray(previews.status, [...liveStatuses]))).get();
          return same === undefined ? new PreviewLimitReached({ limit: maxLivePerUser }) : new PreviewAlreadyRunning({ generationId: row.generationId });
        }
        return tx.insert(previews).values(row).returning().get();
      }, { behavior: "immediate" });
    } catch (e) {
      if (isUniqueViolation(e)) return new PreviewAlreadyRunning({ generationId: row.generationId });
      throw e;
    }
  },

  update: (id: string, patch: PreviewPatch): void => {
    db.update(previews).set(patch).where(eq(previews.id, id)).run();
  },

  /** Ends a preview only if it is still live, so two enders (a stop and an exit) cannot both write. */
  finishIfLive: (id: string, patch: PreviewPatch): boolean =>
    db.update(previews).set(patch).where(and(eq(previews.id, id), inArray(previews.status, [...liveStatuses]))).run().changes === 1,

  byId: (id: string): PreviewRow | undefined => db.select().from(previews).where(eq(previews.id, id)).get(),

  latestOfGeneration: (generationId: string): PreviewRow | undefined =>
    db.select().from(previews).where(eq(previews.generationId, generationId)).orderBy(desc(previews.createdAt), desc(previews.id)).limit(1).get(),

  live: (): PreviewRow[] => db.select().from(previews).where(inArray(previews.status, [...liveStatuses])).all(),
});

export type PreviewRows = ReturnType<typeof previewRows>;
