// SSE fan-out benchmark (npm run bench:sse): the real orchestrator and logs service as separate
// processes, one real uvicorn preview printing 100 lines/s for 10 s, watched first by 1 subscriber
// (the baseline) and then by 1,000; then 10,000 idle connections held. Latency is from the
// preview's print (its own clock, wall time) to the subscriber reading the line (wall time).
//
// The subscribers are raw sockets that only look for the emitted lines in the bytes they read.
// They run in worker threads (BENCH_CLIENT_THREADS, default 2), because in one thread the k-th of
// 1,000 sockets woken together is only read after the k-1 before it, which the service did not
// cause; BENCH_CLIENT_THREADS=0 runs them all on the bench's main thread as before.
// BENCH_CPU_PROF=<dir> writes a CPU profile of the logs service there; BENCH_IDLE_CONNECTIONS=0
// skips the idle phase; LOGS_* variables are passed on to the logs service.
// BENCH_CLUSTER=1 then runs the same two phases again on the scale-out path, printed beside the
// single-machine figures of the same run: two logs replicas on a throwaway PostgreSQL and
// nats-server (libs/cluster), the preview's lines ingested by the first and fanned out by both,
// the subscribers split evenly over the two.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import getPort from "get-port";
import { signUserToken } from "../libs/auth/user-token.ts";
import { startThrowawayNats } from "../libs/cluster/throwaway-nats.ts";
import { startThrowawayPostgres } from "../libs/cluster/throwaway-postgres.ts";

const subscribersUnderLoad = 1000;
const idleConnections = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 10_000);
const clientThreads = Number(process.env.BENCH_CLIENT_THREADS ?? 2);
const rate = 100;
const seconds = 10;

interface ClientTarget {
  readonly port: number;
  readonly path: string;
  readonly token: string;
}

const now = () => performance.timeOrigin + performance.now();

/**
 * A set of minimal SSE subscribers on raw sockets. A read costs a timestamp and a byte search for
 * this phase's lines (`"message":"emit <tag> <i> <ms>"`); nothing else is parsed.
 */
class ClientPool {
  private readonly target: ClientTarget;
  private sockets: Socket[] = [];
  private latencies: number[] = [];
  delivered = 0;

  constructor(target: ClientTarget) {
    this.target = target;
  }

  async open(count: number, tag: string): Promise<void> {
    const marker = Buffer.from(`"message":"emit ${tag} `);
    for (let i = 0; i < count; i += 100) {
      this.sockets.push(...await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => this.subscribe(tag === "" ? undefined : marker))));
    }
  }

  take(): { readonly delivered: number; readonly latencies: Float64Array } {
    const out = { delivered: this.delivered, latencies: Float64Array.from(this.latencies) };
    this.latencies = [];
    this.delivered = 0;
    return out;
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets = [];
  }

  private subscribe(marker: Buffer | undefined): Promise<Socket> {
    const { port, path, token } = this.target;
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      let carry: Buffer | undefined;
      let started = false;
      socket.once("connect", () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`));
      socket.once("error", reject);
      socket.on("data", (chunk: Buffer) => {
        const at = now();
        const bytes = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
        // Only whole frames are looked at; a frame cut at the end of this read waits for the next.
        const end = bytes.lastIndexOf("\n\n");
        const complete = end === -1 ? 0 : end + 2;
        carry = complete < bytes.length ? bytes.subarray(complete) : undefined;
        if (!started) {
          if (bytes.indexOf("retry: 2000") === -1) {
            carry = bytes;
            return;
          }
          started = true;
          if (bytes.indexOf("HTTP/1.1 200") !== 0) reject(new Error(bytes.subarray(0, 200).toString()));
          resolve(socket);
        }
        if (marker === undefined) return;
        for (let i = bytes.indexOf(marker); i !== -1 && i < complete; i = bytes.indexOf(marker, i + marker.length)) {
          const numbers = i + marker.length;
          const text = bytes.toString("latin1", numbers, bytes.indexOf(34, numbers));
          this.delivered += 1;
          this.latencies.push(at - Number(text.slice(text.indexOf(" ") + 1)));
        }
      });
    });
  }
}

type Request =
  | { readonly id: number; readonly op: "open"; readonly count: number; readonly tag: string }
  | { readonly id: number; readonly op: "count" | "take" | "close" };

if (!isMainThread) {
  const pool = new ClientPool(workerData as ClientTarget);
  parentPort?.on("message", async (r: Request) => {
    if (r.op === "open") await pool.open(r.count, r.tag);
    if (r.op === "count") return parentPort?.postMessage({ id: r.id, delivered: pool.delivered });
    if (r.op === "take") return parentPort?.postMessage({ id: r.id, ...pool.take() });
    if (r.op === "close") pool.close();
    parentPort?.postMessage({ id: r.id });
  });
}

/** The subscribers, spread over worker threads (or all on this thread when `threads` is 0). */
const makeClients = (target: ClientTarget, threads: number) => {
  if (threads === 0) {
    const pool = new ClientPool(target);
    return {
      open: (count: number, tag: string) => pool.open(count, tag),
      delivered: async () => pool.delivered,
      take: async () => [pool.take()],
      close: async () => pool.close(),
      stop: async () => {},
    };
  }
  const workers = Array.from({ length: threads }, () => {
    const worker = new Worker(new URL(import.meta.url), { workerData: target });
    worker.on("error", (e) => {
      console.error("bench client thread failed:", e);
      process.exit(1);
    });
    return worker;
  });
  let nextId = 0;
  const ask = <T>(worker: Worker, request: Omit<Request, "id">): Promise<T> => new Promise((resolve) => {
    const id = nextId++;
    const onMessage = (m: T & { id: number }) => {
      if (m.id !== id) return;
      worker.off("message", onMessage);
      resolve(m);
    };
    worker.on("message", onMessage);
    worker.postMessage({ ...request, id });
  });
  const all = <T>(request: Omit<Request, "id">) => Promise.all(workers.map((w) => ask<T>(w, request)));
  return {
    open: async (count: number, tag: string) => {
      await Promise.all(workers.map((w, i) => ask(w, { op: "open", count: Math.floor(count / threads) + (i < count % threads ? 1 : 0), tag } as Omit<Request, "id">)));
    },
    delivered: async () => (await all<{ delivered: number }>({ op: "count" })).reduce((n, r) => n + r.delivered, 0),
    take: () => all<{ delivered: number; latencies: Float64Array }>({ op: "take" }),
    close: async () => void await all({ op: "close" }),
    stop: async () => void await Promise.all(workers.map((w) => w.terminate())),
  };
};

const emitterApp = {
  "main.py": [
    "import sys, threading, time",
    "from fastapi import FastAPI",
    "app = FastAPI()",
    "",
    "def emit(tag, n, rate):",
    "    start = time.time()",
    "    for i in range(n):",
    "        delay = start + i / rate - time.time()",
    "        if delay > 0:",
    "            time.sleep(delay)",
    "        sys.stdout.write(f'emit {tag} {i} {time.time() * 1000:.3f}\\n')",
    "        sys.stdout.flush()",
    "",
    "@app.post('/emit')",
    "def start(tag: str, n: int, rate: int):",
    "    threading.Thread(target=emit, args=(tag, n, rate), daemon=True).start()",
    "    return {'started': n}",
    "",
  ].join("\n"),
};

const profileDir = process.env.BENCH_CPU_PROF;
/** LOGS_* settings given to the bench (e.g. LOGS_FANOUT_PACING) go to the logs service. */
const serviceSettings = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith("LOGS_") && e[1] !== undefined));

const waitHealthy = async (url: string) => {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not start`);
};

const memory = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
};

/** CPU seconds (user + system) a process has used so far, from /proc. */
const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const ownCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const quantile = (sorted: ReadonlyArray<number>, q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

const cluster = process.env.BENCH_CLUSTER === "1";
/** Servers to stop on the way out, also when the bench is interrupted (pg_ctl's server outlives us otherwise). */
const stops: Array<() => Promise<void>> = [];
const stopServers = async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
};
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stopServers().then(() => process.exit(130)));

const runMode = async (mode: "single machine" | "cluster") => {
  const dataDir = mkdtempSync(join(tmpdir(), "bench-sse-"));
  chmodSync(dataDir, 0o755); // the cluster's PostgreSQL runs as the postgres user
  const secrets = { JWT_SECRET: randomBytes(24).toString("base64url"), INTERNAL_TOKEN: randomBytes(24).toString("base64url") };
  const children: ChildProcess[] = [];
  let clients: Array<ReturnType<typeof makeClients>> = [];

  const startService = (entry: string, env: Record<string, string>, profile = false) => {
    const prof = profile && profileDir !== undefined ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
    const child = spawn(process.execPath, [...prof, "--disable-warning=ExperimentalWarning", entry], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", DATA_DIR: dataDir, ...secrets, ...serviceSettings, ...env },
      stdio: ["ignore", "ignore", "inherit"],
    });
    children.push(child);
    return child;
  };

  const run = async () => {
    let shared: Record<string, string> = {};
    if (mode === "cluster") {
      const pg = await startThrowawayPostgres(join(dataDir, "postgres"));
      stops.push(pg.stop);
      const nats = await startThrowawayNats(join(dataDir, "nats"));
      stops.push(nats.stop);
      shared = { DATABASE_URL: pg.url, NATS_URL: nats.url };
    }
    // Picked once the servers are up: a port picked before PostgreSQL and NATS took their seconds
    // to start could be someone else's by the time the service binds it (EADDRINUSE).
    const [orchestratorPort, logsPort, secondLogsPort] = [await getPort(), await getPort(), await getPort()];
    const orchestratorUrl = `http://127.0.0.1:${orchestratorPort}`;
    const logsUrl = `http://127.0.0.1:${logsPort}`;
    const logs = startService("services/logs/main.ts", { ...shared, LOGS_PORT: String(logsPort), LOGS_ORCHESTRATOR_URL: orchestratorUrl }, true);
    const second = mode === "cluster" ? startService("services/logs/main.ts", { ...shared, LOGS_PORT: String(secondLogsPort), LOGS_ORCHESTRATOR_URL: orchestratorUrl }) : undefined;
    if (second !== undefined) await waitHealthy(`http://127.0.0.1:${secondLogsPort}`);
    const orchestrator = startService("services/orchestrator/main.ts", {
      ORCHESTRATOR_PORT: String(orchestratorPort), ORCHESTRATOR_LOGS_URL: logsUrl, PUBLIC_URL: "http://gateway.bench",
    });
    await Promise.all([waitHealthy(orchestratorUrl), waitHealthy(logsUrl)]);
    const pid = logs.pid as number;
    const token = await signUserToken(secrets.JWT_SECRET, "bench");
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const created = (await (await fetch(`${orchestratorUrl}/api/generations`, { method: "POST", headers: auth, body: JSON.stringify({ files: emitterApp }) })).json()) as { generationId: string };
    const launched = (await (await fetch(`${orchestratorUrl}/api/generations/${created.generationId}/preview/launch`, { method: "POST", headers: auth, body: JSON.stringify({ wait: true }) })).json()) as { previewInstanceId: string; status: string };
    if (launched.status !== "running") throw new Error(`launch: ${JSON.stringify(launched)}`);
    const db = new DatabaseSync(join(dataDir, "orchestrator.db"), { readOnly: true });
    const previewPort = (db.prepare("select port from previews where id = ?").get(launched.previewInstanceId) as { port: number }).port;
    db.close();
    const streamPath = `/api/generations/${created.generationId}/preview/logs/stream?tail=0`;
    // In the cluster, one pool of subscribers per logs replica, the threads shared out between them.
    const ports = second === undefined ? [logsPort] : [logsPort, secondLogsPort];
    clients = ports.map((port) => makeClients({ port, path: streamPath, token }, clientThreads === 0 ? 0 : Math.max(1, Math.floor(clientThreads / ports.length))));
    const pools = clients;
    const pool = {
      // A remainder goes to the last replicas: a lone subscriber is on the one that did not ingest (its lines come over NATS).
      open: (count: number, tag: string) => Promise.all(pools.map((p, i) => p.open(Math.floor(count / pools.length) + (i >= pools.length - (count % pools.length) ? 1 : 0), tag))).then(() => undefined),
      delivered: async () => (await Promise.all(pools.map((p) => p.delivered()))).reduce((a, b) => a + b, 0),
      take: async () => (await Promise.all(pools.map((p) => p.take()))).flat(),
      close: () => Promise.all(pools.map((p) => p.close())).then(() => undefined),
    };
    console.log(`[${mode}${second === undefined ? "" : `: 2 logs replicas on PostgreSQL + NATS, subscribers split over both`}] logs service pid ${pid}, preview ${launched.previewInstanceId}; after start: ${memory(pid).rssMb.toFixed(1)} MB RSS; ` +
      `clients: ${clientThreads === 0 ? "all on the bench's main thread" : `raw sockets spread over ${clientThreads} worker threads`}` +
      (Object.keys(serviceSettings).length > 0 ? `; logs service settings ${JSON.stringify(serviceSettings)}` : ""));

    const phase = async (tag: string, subscribers: number) => {
      await pool.open(subscribers, tag);
      let peakRss = 0;
      const sampler = setInterval(() => { peakRss = Math.max(peakRss, memory(pid).rssMb); }, 200);
      const load = loadavg()[0] ?? 0;
      const cpuBefore = { logs: cpuSeconds(pid), orchestrator: cpuSeconds(orchestrator.pid as number), bench: ownCpuSeconds(), at: performance.now() };
      await fetch(`http://127.0.0.1:${previewPort}/emit?tag=${tag}&n=${rate * seconds}&rate=${rate}`, { method: "POST" });
      const expected = subscribers * rate * seconds;
      const deadline = Date.now() + (seconds + 20) * 1000;
      while ((await pool.delivered()) < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      clearInterval(sampler);
      const wall = (performance.now() - cpuBefore.at) / 1000;
      const share = (s: number) => `${s.toFixed(1)} s (${((100 * s) / wall).toFixed(0)}% of a core)`;
      const cpu = `CPU over ${wall.toFixed(1)} s: logs service ${share(cpuSeconds(pid) - cpuBefore.logs)}, ` +
        `orchestrator ${share(cpuSeconds(orchestrator.pid as number) - cpuBefore.orchestrator)}, bench clients ${share(ownCpuSeconds() - cpuBefore.bench)}; ` +
        `load average ${load.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)}`;
      const taken = await pool.take();
      await pool.close();
      const delivered = taken.reduce((n, t) => n + t.delivered, 0);
      const latencies = taken.flatMap((t) => [...t.latencies]).sort((a, b) => a - b);
      console.log(`[${mode}] ${String(subscribers).padStart(5)} subscriber(s): delivered ${delivered}/${expected} (${((100 * delivered) / expected).toFixed(2)}%), ` +
        `latency p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${quantile(latencies, 0.99).toFixed(1)} ms, max ${(latencies.at(-1) ?? Number.NaN).toFixed(1)} ms; ` +
        `logs service RSS peak during phase ${peakRss.toFixed(1)} MB; ${cpu}`);
      await new Promise((r) => setTimeout(r, 500));
    };

    await phase("one", 1);
    await phase("many", subscribersUnderLoad);

    if (idleConnections === 0 || mode === "cluster") return;
    const before = memory(pid).rssMb;
    await pool.open(idleConnections, "");
    await new Promise((r) => setTimeout(r, 2000));
    const held = memory(pid).rssMb;
    console.log(`${idleConnections} idle connections held: RSS ${before.toFixed(1)} → ${held.toFixed(1)} MB, ` +
      `${(((held - before) * 1024 * 1024) / idleConnections / 1024).toFixed(1)} KiB per connection`);
    await pool.close();
    console.log(`logs service peak memory (VmHWM) over the whole run: ${memory(pid).peakMb.toFixed(1)} MB`);
  };

  try {
    await run();
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
    await stopServers();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

const main = async () => {
  await runMode("single machine");
  if (cluster) await runMode("cluster");
};

if (isMainThread) await main();
