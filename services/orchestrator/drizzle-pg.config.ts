import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./services/orchestrator/db/schema-pg.ts",
  out: "./services/orchestrator/db/migrations-pg",
});
