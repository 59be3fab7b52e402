import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./services/logs/db/schema.ts",
  out: "./services/logs/db/migrations",
});
