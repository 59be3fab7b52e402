import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./services/logs/db/schema-pg.ts",
  out: "./services/logs/db/migrations-pg",
});
