// Starts the cluster's PostgreSQL and NATS under DATA_DIR/cluster (throwaway servers of their own,
// libs/cluster), prints DATABASE_URL and NATS_URL for the services, and stops both on Ctrl-C/SIGTERM.
import { join, resolve } from "node:path";
import { startThrowawayNats } from "../../libs/cluster/throwaway-nats.ts";
import { startThrowawayPostgres } from "../../libs/cluster/throwaway-postgres.ts";

const dataDir = resolve(process.env["DATA_DIR"] ?? "data");
const postgres = await startThrowawayPostgres(join(dataDir, "cluster", "postgres"));
const nats = await startThrowawayNats(join(dataDir, "cluster", "nats")).catch(async (e: unknown) => {
  await postgres.stop();
  throw e;
});
process.stdout.write(`DATABASE_URL=${postgres.url}\nNATS_URL=${nats.url}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return; // a terminal's Ctrl-C may arrive twice (tty and a supervisor)
  stopping = true;
  await Promise.allSettled([nats.stop(), postgres.stop()]);
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
