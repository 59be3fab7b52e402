/**
 * The idle platform's footprint: runs `npm start` as the README says (fresh DATA_DIR, free ports),
 * waits until the gateway reaches the orchestrator and the logs service, lets it settle, then
 * prints every process of the tree under npm (npm itself included) with its RSS, and the totals.
 * Usage: npm run bench:idle [-- --dir <checkout> --settle S --samples N]
 *   --dir      the checkout whose `npm start` to measure (default: this one), e.g. an older one
 *              for a before/after figure in the same session
 *   --settle   seconds to wait after the platform answers, before sampling (default 5)
 *   --samples  samples one second apart; the median total is reported (default 5)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import getPort from "get-port";

const { values: args } = parseArgs({
  options: {
    dir: { type: "string", default: process.cwd() },
    settle: { type: "string", default: "5" },
    samples: { type: "string", default: "5" },
  },
});
const dir = resolve(args.dir);
const settleMs = Number(args.settle) * 1000;
const sampleCount = Math.max(1, Number(args.samples));

interface Proc { readonly pid: number; readonly ppid: number; readonly rssKb: number; readonly pssKb: number; readonly command: string }

const readProc = (pid: number): Proc | undefined => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    const pssKb = Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((s) => s !== "").join(" ");
    return { pid, ppid: field("PPid"), rssKb: field("VmRSS"), pssKb, command };
  } catch {
    return undefined; // gone meanwhile
  }
};

/** The process and all its descendants, from /proc. */
const tree = (root: number): Proc[] => {
  const all = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).flatMap((d) => readProc(Number(d)) ?? []);
  const children = new Map<number, Proc[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: Proc[] = [];
  const visit = (pid: number) => {
    const self = all.find((p) => p.pid === pid);
    if (self !== undefined) out.push(self);
    for (const child of children.get(pid) ?? []) visit(child.pid);
  };
  visit(root);
  return out;
};

/** The command without its Node flags (and --import's module), so the service's entry shows. */
const shown = (command: string) => command.replace(/ --import \S+/g, "").replace(/ --[\w-]+(=\S+)?/g, "").slice(0, 110);
const mb = (kb: number) => (kb / 1024).toFixed(1).padStart(7);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const waitForPlatform = async (gateway: string, child: ChildProcess) => {
  // 401s from the orchestrator and from the logs service: both are up behind the gateway.
  const answers = async (path: string) => (await fetch(gateway + path).catch(() => undefined))?.status === 401;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}) before the platform answered at ${gateway}`);
    if ((await answers("/api/generations/x")) && (await answers("/api/generations/x/preview/logs"))) return;
    await sleep(250);
  }
  throw new Error(`the platform did not answer at ${gateway} within 120 s`);
};

const dataDir = mkdtempSync(join(tmpdir(), "bench-idle-"));
const [gatewayPort, orchestratorPort, logsPort, extractorPort] = await Promise.all([getPort(), getPort(), getPort(), getPort()]);
const child = spawn("npm", ["start"], {
  cwd: dir,
  env: {
    PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, ORCHESTRATOR_RUNTIME: "host",
    ...(process.env.NODE_OPTIONS === undefined ? {} : { NODE_OPTIONS: process.env.NODE_OPTIONS }),
    GATEWAY_PORT: String(gatewayPort), ORCHESTRATOR_PORT: String(orchestratorPort), LOGS_PORT: String(logsPort), EXTRACTOR_PORT: String(extractorPort),
  },
  stdio: "ignore",
});
const exited = new Promise<void>((done) => child.once("exit", () => done()));
const started = performance.now();
try {
  await waitForPlatform(`http://127.0.0.1:${gatewayPort}`, child);
  const readyMs = performance.now() - started;
  await sleep(settleMs);
  const samples: Proc[][] = [];
  for (let i = 0; i < sampleCount; i++) {
    if (i > 0) await sleep(1000);
    samples.push(tree(child.pid as number));
  }
  const totals = samples.map((s) => s.reduce((sum, p) => sum + p.rssKb, 0));
  const last = samples.at(-1) ?? [];
  console.log(`idle platform under \`npm start\` in ${dir} (node ${process.version} runs this bench)`);
  console.log(`    pid  RSS MB  PSS MB  command`);
  for (const p of last) console.log(`${String(p.pid).padStart(7)} ${mb(p.rssKb)} ${mb(p.pssKb)}  ${shown(p.command)}`);
  console.log(`processes: ${last.length}`);
  console.log(`ready (the gateway reaching the orchestrator and the logs service) ${(readyMs / 1000).toFixed(1)} s after \`npm start\` (load average ${loadavg()[0]?.toFixed(1)})`);
  console.log(`total RSS: ${mb(median(totals)).trim()} MB (median of ${sampleCount} samples: ${totals.map((t) => mb(t).trim()).join(", ")})`);
  console.log(`total PSS: ${mb(last.reduce((sum, p) => sum + p.pssKb, 0)).trim()} MB (shared pages counted once)`);
} finally {
  child.kill("SIGTERM");
  await exited;
  rmSync(dataDir, { recursive: true, force: true });
}
