import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./services/orchestrator/db/schema.ts",
  out: "./services/orchestrator/db/migrations",
});
