import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { Effect } from "effect";
import postgres from "postgres";

export interface PostgresOptions<TSchema extends Record<string, unknown>> {
  readonly url: string;
  readonly migrationsFolder: string;
  /** Each service keeps its own migration journal: several share one database. */
  readonly migrationsTable: string;
  readonly schema: TSchema;
  /** Connections in the pool (default 10). */
  readonly max?: number;
}

/**
 * Seconds before the pool's next connection attempt after `retries` failed ones. postgres.js's own
 * backoff grows to 20 s (3^retries / 100): after an outage of ten seconds a replica would wait that
 * long after the server came back, and runner nodes whose reconnections lag by more than two leases
 * take each other for lost. Capped at a second, a replica is back within about a second of the server.
 */
export const reconnectDelaySeconds = (retries: number): number => (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** retries, 1);

/** One lock key for every service's migrations: replicas starting together apply them one at a time. */
const migrationLock = 160_016;

/**
 * Opens a service's PostgreSQL database (DATABASE_URL) through postgres.js (no dependencies, pure
 * JavaScript on Node and Deno alike, pipelined queries), applies the service's drizzle migrations
 * under an advisory lock (two replicas starting at once would both try to create the tables),
 * and ends the pool with the scope. A server that is down or restarting is reconnected by the
 * pool on the next query; what fails meanwhile fails as a defect of that one query.
 */
export const openPostgres = <TSchema extends Record<string, unknown>>(options: PostgresOptions<TSchema>) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const client = postgres(options.url, {
        max: options.max ?? 10,
        onnotice: () => undefined, // "relation already exists, skipping" and the like
        connect_timeout: 10,
        backoff: reconnectDelaySeconds,
      });
      const db: PostgresJsDatabase<TSchema> = drizzle({ client, schema: options.schema });
      // One connection of its own holds the lock for the whole migration (a pool might switch).
      const migrator = postgres(options.url, { max: 1, onnotice: () => undefined, connect_timeout: 10 });
      try {
        await migrator`select pg_advisory_lock(${migrationLock})`;
        await migrate(drizzle({ client: migrator, schema: options.schema }), {
          migrationsFolder: options.migrationsFolder,
          migrationsTable: options.migrationsTable,
        });
      } finally {
        await migrator.end({ timeout: 5 }); // ending the session releases the lock
      }
      return { db, client };
    }),
    ({ client }) => Effect.promise(() => client.end({ timeout: 5 })),
  ).pipe(Effect.map(({ db }) => db));

/** Whether DATABASE_URL names a PostgreSQL server (anything else: the embedded SQLite files). */
export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//.test(url);
