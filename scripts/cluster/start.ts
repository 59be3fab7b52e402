// `npm run start:cluster`: the platform as a cluster on this machine, all on loopback. Under
// DATA_DIR: a throwaway PostgreSQL and nats-server (unless DATABASE_URL / NATS_URL name existing
// ones), then CLUSTER_NODES runner nodes (orchestrators, default 3), 2 logs replicas, 2 gateways
// (GATEWAY_PORT and GATEWAY_PORT+1, either one serving any request) and the extractor, run by the
// Procfile runner (scripts/procfile.ts: prefixed output, restarts). Ctrl-C stops them all, then
// the servers. The secrets are DATA_DIR's, so `npm run --silent token` works with the same DATA_DIR.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Effect, Redacted } from "effect";
import { PlatformSecrets, PlatformSecretsLive } from "../../libs/auth/platform-secrets.ts";
import { startThrowawayNats } from "../../libs/cluster/throwaway-nats.ts";
import { startThrowawayPostgres } from "../../libs/cluster/throwaway-postgres.ts";
import { clusterProcfile, clusterSettings } from "./cluster-procfile.ts";

const env = process.env;
const settings = clusterSettings(env);
const dataDir = resolve(env["DATA_DIR"] ?? "data");
mkdirSync(dataDir, { recursive: true });
const say = (line: string) => process.stdout.write(`cluster | ${line}\n`);

const given = (name: string) => (env[name] ?? "") !== "" ? env[name] : undefined;
const postgres = given("DATABASE_URL") === undefined ? await startThrowawayPostgres(join(dataDir, "cluster", "postgres")) : undefined;
const nats = given("NATS_URL") === undefined
  ? await startThrowawayNats(join(dataDir, "cluster", "nats")).catch(async (e: unknown) => {
    await postgres?.stop();
    throw e;
  })
  : undefined;
const stopServers = () => Promise.allSettled([nats?.stop(), postgres?.stop()]);
const databaseUrl = given("DATABASE_URL") ?? postgres?.url ?? "";
const natsUrl = given("NATS_URL") ?? nats?.url ?? "";
say(`PostgreSQL ${postgres === undefined ? "given" : "started"}: ${databaseUrl}`);
say(`NATS ${nats === undefined ? "given" : "started"}: ${natsUrl}`);

// DATA_DIR's secrets (made on first use, as `npm start` does), handed to every process: the
// nodes each have a data dir of their own, as they would on machines of their own.
env["DATA_DIR"] = dataDir;
const secrets = await Effect.runPromise(Effect.gen(function* () { return yield* PlatformSecrets; }).pipe(Effect.provide(PlatformSecretsLive)));

const procfile = join(dataDir, "cluster", "Procfile");
mkdirSync(join(dataDir, "cluster"), { recursive: true });
writeFileSync(procfile, clusterProcfile(settings, dataDir));
say(`${settings.nodes} nodes, 2 logs replicas, 2 gateways on http://127.0.0.1:${settings.gatewayPort} and :${settings.gatewayPort + 1}, the extractor (${procfile})`);

const runner = spawn(process.execPath, ["--optimize-for-size", "scripts/procfile.ts", procfile], {
  stdio: ["ignore", "inherit", "inherit"],
  env: {
    ...env,
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    NATS_URL: natsUrl,
    JWT_SECRET: Redacted.value(secrets.jwtSecret),
    INTERNAL_TOKEN: Redacted.value(secrets.internalToken),
  },
});

let stopping = false;
const stop = () => {
  if (stopping) return; // a terminal's Ctrl-C reaches the group; a second signal changes nothing
  stopping = true;
  if (runner.exitCode === null && runner.signalCode === null) runner.kill("SIGTERM");
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
runner.once("exit", (code) => {
  void stopServers().then(() => {
    say("stopped");
    process.exit(stopping ? 0 : code ?? 1);
  });
});
