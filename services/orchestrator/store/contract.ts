import { Context, type Effect } from "effect";
import type { PreviewAlreadyRunning, PreviewLimitReached } from "../../../libs/previews/errors.ts";
import type { generations, nodes, previews } from "../db/schema.ts";

export type PreviewRow = typeof previews.$inferSelect;
export type NewPreviewRow = typeof previews.$inferInsert;
export type PreviewPatch = Partial<Omit<PreviewRow, "id">>;
export type GenerationRow = typeof generations.$inferSelect;
export type NodeRow = typeof nodes.$inferSelect;

/** Which of a user's previews a listing page shows (GET /api/previews). */
export interface PreviewPageQuery {
  readonly userId: string;
  /** "live", "ended" or one status; undefined: all. */
  readonly status?: string;
  /** Rows strictly older than this (createdAt, id) pair: the page after it. */
  readonly before?: readonly [number, string];
  readonly limit: number;
}

/**
 * The orchestrator's state, as Effects, whatever holds it: the embedded SQLite file (synchronous
 * underneath, so no slower than before) or a PostgreSQL shared by replicas (DATABASE_URL). Every
 * query means the same on both; each implementation keeps the atomic ones atomic across processes.
 * Database failures are defects: the request fails with a 500 and nothing half-written stays.
 */
export class OrchestratorStore extends Context.Service<OrchestratorStore, {
  readonly previews: {
    /**
     * Admits a launch or refuses it, atomically across every replica: the user's live count and
     * the insert in one transaction serialised per user, and at most one live preview per
     * generation (a partial unique index) whatever the race.
     */
    readonly admit: (row: NewPreviewRow, maxLivePerUser: number) => Effect.Effect<PreviewRow | PreviewAlreadyRunning | PreviewLimitReached>;
    readonly update: (id: string, patch: PreviewPatch) => Effect.Effect<void>;
    /** Ends a preview only if it is still live, so two enders (a stop and an exit) cannot both write. */
    readonly finishIfLive: (id: string, patch: PreviewPatch) => Effect.Effect<boolean>;
    readonly byId: (id: string) => Effect.Effect<PreviewRow | undefined>;
    readonly latestOfGeneration: (generationId: string) => Effect.Effect<PreviewRow | undefined>;
    readonly live: () => Effect.Effect<ReadonlyArray<PreviewRow>>;
    /** The live previews one node runs (and those from before nodes, which have none). */
    readonly liveOn: (node: string) => Effect.Effect<ReadonlyArray<PreviewRow>>;
    /** How many live previews each node runs. */
    readonly liveCountByNode: () => Effect.Effect<ReadonlyMap<string, number>>;
    /** A user's previews, newest first (createdAt, then id). */
    readonly page: (query: PreviewPageQuery) => Effect.Effect<ReadonlyArray<PreviewRow>>;
  };
  readonly generations: {
    readonly owned: (userId: string, generationId: string) => Effect.Effect<GenerationRow | undefined>;
    readonly usage: (userId: string) => Effect.Effect<{ readonly count: number; readonly bytes: number }>;
    /** Inserts the row unless `refuse` (given the user's usage, read in the same transaction, serialised per user) says why not. */
    readonly insertUnless: <E>(row: GenerationRow, refuse: (usage: { readonly count: number; readonly bytes: number }) => E | undefined) => Effect.Effect<E | undefined>;
    readonly update: (row: GenerationRow) => Effect.Effect<void>;
  };
  /** A generation's launch environment: the latest launch's `env` replaces it; never returned by a route. */
  readonly environments: {
    readonly save: (generationId: string, variables: Readonly<Record<string, string>>) => Effect.Effect<void>;
    readonly load: (generationId: string) => Effect.Effect<Readonly<Record<string, string>>>;
  };
  /** Runner nodes and their leases (services/orchestrator/node-lease.ts). */
  readonly nodes: {
    /** Registers the node or renews its lease (the row as given). */
    readonly put: (row: NodeRow) => Effect.Effect<void>;
    readonly all: () => Effect.Effect<ReadonlyArray<NodeRow>>;
    /** Marks it draining: placement passes it over. */
    readonly drain: (id: string) => Effect.Effect<void>;
    readonly remove: (id: string) => Effect.Effect<void>;
    /**
     * Removes the node if its lease ended before `now`; true for the one caller that removed it,
     * so of several replicas noticing one lost node, one ends its previews.
     */
    readonly claimLost: (id: string, now: number) => Effect.Effect<boolean>;
  };
  /** Host ports handed to previews; a port is the key, so a double hand-out is impossible. */
  readonly ports: {
    readonly reserved: () => Effect.Effect<ReadonlyArray<number>>;
    /** False when another holder has it. */
    readonly reserve: (port: number, holder: string) => Effect.Effect<boolean>;
    readonly release: (port: number) => Effect.Effect<void>;
    /** Releases every port but those of these previews (at start, after reconciling). */
    readonly keepOnly: (previewIds: ReadonlyArray<string>) => Effect.Effect<void>;
  };
}>()("orchestrator/Store") {}

export type PreviewRows = OrchestratorStore["Service"]["previews"];
