import { and, count, desc, eq, inArray, isNull, lt, notInArray, or, type SQL, sql, sum } from "drizzle-orm";
import { Effect, Layer } from "effect";
import { PreviewAlreadyRunning, PreviewLimitReached } from "../../../libs/previews/errors.ts";
import { OrchestratorPgDb, type OrchestratorPgDatabase } from "../db/orchestrator-pg-db.ts";
import { liveStatuses } from "../db/schema.ts";
import { generationEnv, generations, nodes, portReservations, previews } from "../db/schema-pg.ts";
import { OrchestratorStore, type PreviewPageQuery, type PreviewRow } from "./contract.ts";
import { isUniqueViolation } from "./unique-violation.ts";

type Tx = Parameters<Parameters<OrchestratorPgDatabase["transaction"]>[0]>[0];
type Reader = Pick<OrchestratorPgDatabase, "select">;

// Advisory lock namespaces: one user's admissions, one user's uploads.
const admissionLocks = 1;
const uploadLocks = 2;

/**
 * Serialises one user's transactions of one kind across every replica until the transaction
 * ends: what SQLite's IMMEDIATE write lock gives the embedded store, per user instead of global.
 */
const lockUser = (tx: Tx, space: number, userId: string) =>
  tx.execute(sql`select pg_advisory_xact_lock(${space}, hashtext(${userId}))`);

const statusFilter = (status: PreviewPageQuery["status"]): SQL | undefined => {
  if (status === undefined) return undefined;
  if (status === "live") return inArray(previews.status, [...liveStatuses]);
  if (status === "ended") return notInArray(previews.status, [...liveStatuses]);
  return eq(previews.status, status as PreviewRow["status"]);
};

const usageOf = async (tx: Reader, userId: string) => {
  const [used] = await tx.select({ n: count(), bytes: sum(generations.bytes) }).from(generations).where(eq(generations.userId, userId));
  return { count: used?.n ?? 0, bytes: Number(used?.bytes ?? 0) };
};

/** The scale-out store: the same queries as the SQLite one, on the PostgreSQL every replica shares. */
export const PostgresOrchestratorStoreLive = Layer.effect(OrchestratorStore, Effect.gen(function* () {
  const db = yield* OrchestratorPgDb;
  const run = <A>(f: () => Promise<A>) => Effect.promise(f);
  return OrchestratorStore.of({
    previews: {
      admit: (row, maxLivePerUser) => run(async () => {
        try {
          return await db.transaction(async (tx) => {
            await lockUser(tx, admissionLocks, row.userId);
            const [live] = await tx.select({ n: count() }).from(previews)
              .where(and(eq(previews.userId, row.userId), inArray(previews.status, [...liveStatuses])));
            if ((live?.n ?? 0) >= maxLivePerUser) {
              const [same] = await tx.select({ id: previews.id }).from(previews)
                .where(and(eq(previews.generationId, row.generationId), inArray(previews.status, [...liveStatuses]))).limit(1);
              return same === undefined ? new PreviewLimitReached({ limit: maxLivePerUser }) : new PreviewAlreadyRunning({ generationId: row.generationId });
            }
            const [inserted] = await tx.insert(previews).values(row).returning();
            if (inserted === undefined) throw new Error("INSERT … RETURNING gave no row");
            return inserted;
          });
        } catch (e) {
          if (isUniqueViolation(e)) return new PreviewAlreadyRunning({ generationId: row.generationId });
          throw e;
        }
      }),
      update: (id, patch) => run(async () => void await db.update(previews).set(patch).where(eq(previews.id, id))),
      finishIfLive: (id, patch) => run(async () =>
        (await db.update(previews).set(patch).where(and(eq(previews.id, id), inArray(previews.status, [...liveStatuses]))).returning({ id: previews.id })).length === 1),
      byId: (id) => run(async () => (await db.select().from(previews).where(eq(previews.id, id)))[0]),
      latestOfGeneration: (generationId) => run(async () =>
        (await db.select().from(previews).where(eq(previews.generationId, generationId)).orderBy(desc(previews.createdAt), desc(previews.id)).limit(1))[0]),
      live: () => run(() => db.select().from(previews).where(inArray(previews.status, [...liveStatuses]))),
      liveOn: (node) => run(() =>
        db.select().from(previews).where(and(inArray(previews.status, [...liveStatuses]), or(eq(previews.node, node), isNull(previews.node))))),
      liveCountByNode: () => run(async () => new Map(
        (await db.select({ node: previews.node, n: count() }).from(previews).where(inArray(previews.status, [...liveStatuses])).groupBy(previews.node))
          .flatMap((r) => (r.node === null ? [] : [[r.node, r.n] as const])),
      )),
      page: (query) => run(() => {
        const older = query.before === undefined
          ? undefined
          : or(lt(previews.createdAt, query.before[0]), and(eq(previews.createdAt, query.before[0]), lt(previews.id, query.before[1])));
        return db.select().from(previews)
          .where(and(eq(previews.userId, query.userId), statusFilter(query.status), older))
          .orderBy(desc(previews.createdAt), desc(previews.id))
          .limit(query.limit);
      }),
    },
    generations: {
      owned: (userId, generationId) => run(async () =>
        (await db.select().from(generations).where(and(eq(generations.id, generationId), eq(generations.userId, userId))))[0]),
      usage: (userId) => run(() => usageOf(db, userId)),
      insertUnless: (row, refuse) => run(() => db.transaction(async (tx) => {
        await lockUser(tx, uploadLocks, row.userId);
        const refused = refuse(await usageOf(tx, row.userId));
        if (refused === undefined) await tx.insert(generations).values(row);
        return refused;
      })),
      update: (row) => run(async () => void await db.update(generations).set(row).where(eq(generations.id, row.id))),
    },
    environments: {
      save: (generationId, variables) => run(async () => {
        const values = { variables: JSON.stringify(variables), updatedAt: Date.now() };
        await db.insert(generationEnv).values({ generationId, ...values }).onConflictDoUpdate({ target: generationEnv.generationId, set: values });
      }),
      load: (generationId) => run(async () => {
        const [row] = await db.select().from(generationEnv).where(eq(generationEnv.generationId, generationId));
        return row === undefined ? {} : (JSON.parse(row.variables) as Record<string, string>);
      }),
    },
    nodes: {
      put: (row) => run(async () => {
        const { id: _, ...values } = row;
        await db.insert(nodes).values(row).onConflictDoUpdate({ target: nodes.id, set: values });
      }),
      all: () => run(() => db.select().from(nodes)),
      drain: (id) => run(async () => void await db.update(nodes).set({ draining: 1 }).where(eq(nodes.id, id))),
      remove: (id) => run(async () => void await db.delete(nodes).where(eq(nodes.id, id))),
      claimLost: (id, now) => run(async () =>
        (await db.delete(nodes).where(and(eq(nodes.id, id), lt(nodes.leaseExpiresAt, now))).returning({ id: nodes.id })).length === 1),
    },
    ports: {
      reserved: () => run(async () => (await db.select({ port: portReservations.port }).from(portReservations)).map((r) => r.port)),
      reserve: (port, holder) => run(async () =>
        (await db.insert(portReservations).values({ port, previewId: holder, reservedAt: Date.now() }).onConflictDoNothing().returning({ port: portReservations.port })).length === 1),
      release: (port) => run(async () => void await db.delete(portReservations).where(eq(portReservations.port, port))),
      keepOnly: (previewIds) => run(async () => void await db.delete(portReservations).where(notInArray(portReservations.previewId, [...previewIds]))),
    },
  });
}));
