import { and, count, desc, eq, inArray, isNull, lt, notInArray, or, type SQL, sum } from "drizzle-orm";
import { Effect, Layer } from "effect";
import { PreviewAlreadyRunning, PreviewLimitReached } from "../../../libs/previews/errors.ts";
import { OrchestratorDb } from "../db/orchestrator-db.ts";
import { generationEnv, generations, liveStatuses, nodes, portReservations, previews } from "../db/schema.ts";
import { isUniqueViolation } from "./unique-violation.ts";
import { OrchestratorStore, type PreviewPageQuery } from "./contract.ts";

const statusFilter = (status: PreviewPageQuery["status"]): SQL | undefined => {
  if (status === undefined) return undefined;
  if (status === "live") return inArray(previews.status, [...liveStatuses]);
  if (status === "ended") return notInArray(previews.status, [...liveStatuses]);
  return eq(previews.status, status as (typeof previews.$inferSelect)["status"]);
};

/**
 * The embedded store: orchestrator.db through node:sqlite. Its calls are synchronous; an
 * IMMEDIATE transaction takes SQLite's write lock (across processes on the file too), which is
 * what makes admission and the generation quota atomic here.
 */
export const SqliteOrchestratorStoreLive = Layer.effect(OrchestratorStore, Effect.gen(function* () {
  const db = yield* OrchestratorDb;
  type Reader = Pick<typeof db, "select">;
  const usageOf = (tx: Reader, userId: string) => {
    const used = tx.select({ n: count(), bytes: sum(generations.bytes) }).from(generations).where(eq(generations.userId, userId)).get();
    return { count: used?.n ?? 0, bytes: Number(used?.bytes ?? 0) };
  };
  return OrchestratorStore.of({
    previews: {
      admit: (row, maxLivePerUser) => Effect.sync(() => {
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
      }),
      update: (id, patch) => Effect.sync(() => void db.update(previews).set(patch).where(eq(previews.id, id)).run()),
      finishIfLive: (id, patch) => Effect.sync(() =>
        db.update(previews).set(patch).where(and(eq(previews.id, id), inArray(previews.status, [...liveStatuses]))).run().changes === 1),
      byId: (id) => Effect.sync(() => db.select().from(previews).where(eq(previews.id, id)).get()),
      latestOfGeneration: (generationId) => Effect.sync(() =>
        db.select().from(previews).where(eq(previews.generationId, generationId)).orderBy(desc(previews.createdAt), desc(previews.id)).limit(1).get()),
      live: () => Effect.sync(() => db.select().from(previews).where(inArray(previews.status, [...liveStatuses])).all()),
      liveOn: (node) => Effect.sync(() =>
        db.select().from(previews).where(and(inArray(previews.status, [...liveStatuses]), or(eq(previews.node, node), isNull(previews.node)))).all()),
      liveCountByNode: () => Effect.sync(() => new Map(
        db.select({ node: previews.node, n: count() }).from(previews).where(inArray(previews.status, [...liveStatuses])).groupBy(previews.node).all()
          .flatMap((r) => (r.node === null ? [] : [[r.node, r.n] as const])),
      )),
      page: (query) => Effect.sync(() => {
        const older = query.before === undefined
          ? undefined
          : or(lt(previews.createdAt, query.before[0]), and(eq(previews.createdAt, query.before[0]), lt(previews.id, query.before[1])));
        return db.select().from(previews)
          .where(and(eq(previews.userId, query.userId), statusFilter(query.status), older))
          .orderBy(desc(previews.createdAt), desc(previews.id))
          .limit(query.limit)
          .all();
      }),
    },
    generations: {
      owned: (userId, generationId) => Effect.sync(() =>
        db.select().from(generations).where(and(eq(generations.id, generationId), eq(generations.userId, userId))).get()),
      usage: (userId) => Effect.sync(() => usageOf(db, userId)),
      insertUnless: (row, refuse) => Effect.sync(() => db.transaction((tx) => {
        const refused = refuse(usageOf(tx, row.userId));
        if (refused === undefined) tx.insert(generations).values(row).run();
        return refused;
      }, { behavior: "immediate" })),
      update: (row) => Effect.sync(() => void db.update(generations).set(row).where(eq(generations.id, row.id)).run()),
    },
    environments: {
      save: (generationId, variables) => Effect.sync(() => {
        const values = { variables: JSON.stringify(variables), updatedAt: Date.now() };
        db.insert(generationEnv).values({ generationId, ...values }).onConflictDoUpdate({ target: generationEnv.generationId, set: values }).run();
      }),
      load: (generationId) => Effect.sync(() => {
        const row = db.select().from(generationEnv).where(eq(generationEnv.generationId, generationId)).get();
        return row === undefined ? {} : (JSON.parse(row.variables) as Record<string, string>);
      }),
    },
    nodes: {
      put: (row) => Effect.sync(() => {
        const { id: _, ...values } = row;
        db.insert(nodes).values(row).onConflictDoUpdate({ target: nodes.id, set: values }).run();
      }),
      all: () => Effect.sync(() => db.select().from(nodes).all()),
      drain: (id) => Effect.sync(() => void db.update(nodes).set({ draining: 1 }).where(eq(nodes.id, id)).run()),
      remove: (id) => Effect.sync(() => void db.delete(nodes).where(eq(nodes.id, id)).run()),
      claimLost: (id, now) => Effect.sync(() => db.delete(nodes).where(and(eq(nodes.id, id), lt(nodes.leaseExpiresAt, now))).run().changes === 1),
    },
    ports: {
      reserved: () => Effect.sync(() => db.select({ port: portReservations.port }).from(portReservations).all().map((r) => r.port)),
      reserve: (port, holder) => Effect.sync(() =>
        db.insert(portReservations).values({ port, previewId: holder, reservedAt: Date.now() }).onConflictDoNothing().run().changes === 1),
      release: (port) => Effect.sync(() => void db.delete(portReservations).where(eq(portReservations.port, port)).run()),
      keepOnly: (previewIds) => Effect.sync(() => void db.delete(portReservations).where(notInArray(portReservations.previewId, [...previewIds])).run()),
    },
  });
}));
