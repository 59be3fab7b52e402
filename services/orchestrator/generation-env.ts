import { eq } from "drizzle-orm";
import type { OrchestratorDatabase } from "./db/orchestrator-db.ts";
import { generationEnv } from "./db/schema.ts";

/** A generation's launch environment: the latest launch's `env` replaces it; never returned by a route. */
export const generationEnvStore = (db: OrchestratorDatabase) => ({
  save: (generationId: string, variables: Readonly<Record<string, string>>): void => {
    const values = { variables: JSON.stringify(variables), updatedAt: Date.now() };
    db.insert(generationEnv).values({ generationId, ...values }).onConflictDoUpdate({ target: generationEnv.generationId, set: values }).run();
  },
  load: (generationId: string): Readonly<Record<string, string>> => {
    const row = db.select().from(generationEnv).where(eq(generationEnv.generationId, generationId)).get();
    return row === undefined ? {} : (JSON.parse(row.variables) as Record<string, string>);
  },
});
