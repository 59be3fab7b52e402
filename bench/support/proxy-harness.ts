/** The pieces of bench/proxy.ts around the proxies under test: child processes, the http-proxy baseline, the SSE probe. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { Agent, createServer, get as httpGet, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import httpProxy from "http-proxy";
import type { LoadResult, LoadSpec } from "./autocannon-run.ts";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Runs a TypeScript file of this folder as a child process; its first stdout line is JSON. */
const spawnTs = (file: string, args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [here(file), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => { stdout += chunk.toString("utf8"); });
  child.stderr?.on("data", (chunk: Buffer) => { stderr += chunk.toString("utf8"); });
  const firstLine = new Promise<string>((resolve, reject) => {
    const onData = () => {
      const nl = stdout.indexOf("\n");
      if (nl >= 0) {
        child.stdout?.off("data", onData);
        resolve(stdout.slice(0, nl));
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code, signal) => reject(new Error(`${file} ended (${String(code ?? signal)}) before answering: ${stderr.trim()}`)));
    child.once("error", reject);
  });
  firstLine.catch(() => {}); // also rejects after a normal exit, once nobody waits for it
  return { child, firstLine, stdout: () => stdout, stderr: () => stderr };
};

const stopChild = async (child: ChildProcess) => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
};

export interface MeasuredLoad extends LoadResult {
  /** CPU time this process spent during the measured run, per 2xx response. */
  readonly cpuMicrosPerResponse: number;
}

/**
 * One autocannon load run in its own process (see autocannon-run.ts), with the CPU time this
 * process (where the proxies under test live) spent while it was measured.
 */
export const runLoad = async (spec: LoadSpec): Promise<MeasuredLoad> => {
  const run = spawnTs("autocannon-run.ts", [JSON.stringify(spec)]);
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  let cpu: NodeJS.CpuUsage | undefined;
  let seen = 0;
  run.child.stdout?.on("data", () => {
    // Lines: {"phase":"measure"} as the measured run starts, then the result as it ends.
    const lines = run.stdout().split("\n").length - 1;
    if (lines >= 1 && seen < 1) cpuAtStart = process.cpuUsage();
    if (lines >= 2 && seen < 2 && cpuAtStart !== undefined) cpu = process.cpuUsage(cpuAtStart);
    seen = lines;
  });
  try {
    const [code] = (await once(run.child, "exit")) as [number | null];
    if (code !== 0) throw new Error(`autocannon run against ${spec.url} exited ${String(code)}: ${run.stderr().trim()}`);
    const result = JSON.parse(run.stdout().split("\n")[1] ?? "") as LoadResult;
    if (cpu === undefined) throw new Error(`autocannon run against ${spec.url} printed no measure line`);
    return { ...result, cpuMicrosPerResponse: (cpu.user + cpu.system) / Math.max(1, result.responses) };
  } finally {
    await stopChild(run.child);
  }
};

export interface NodeOrigin { readonly port: number; readonly stop: () => Promise<void> }

/** The minimal Node HTTP origin (node-origin.ts), in its own process. */
export const startNodeOrigin = async (): Promise<NodeOrigin> => {
  const run = spawnTs("node-origin.ts", []);
  try {
    const { port } = JSON.parse(await run.firstLine) as { port: number };
    return { port, stop: () => stopChild(run.child) };
  } catch (e) {
    await stopChild(run.child);
    throw e;
  }
};

export interface HttpProxyServer { readonly url: string; readonly close: () => Promise<void> }

/** The node-http-proxy baseline: `http-proxy` with a keep-alive agent, served by node:http. */
export const startHttpProxy = async (targetPort: number): Promise<HttpProxyServer> => {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const proxy = httpProxy.createProxyServer({ target: `http://127.0.0.1:${targetPort}`, agent });
  const server: Server = createServer((req, res) => {
    proxy.web(req, res, {}, (err) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`proxy error: ${err.message}`);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      proxy.close();
      agent.destroy();
    },
  };
};

const wallClockMs = () => performance.timeOrigin + performance.now();

/**
 * Opens an SSE stream whose events carry their send time (`data: <ms since the epoch>`) and
 * returns, per event, receive time minus send time in ms. The sender is on this machine: one clock.
 */
export const sseDelays = (url: string, headers: Readonly<Record<string, string>>, timeoutMs = 15_000): Promise<number[]> =>
  new Promise((resolve, reject) => {
    const delays: number[] = [];
    const req = httpGet(url, { headers: { accept: "text/event-stream", ...headers }, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`SSE ${url} answered ${String(res.statusCode)}`));
        return;
      }
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        const at = wallClockMs();
        buffer += chunk;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event.split("\n").find((line) => line.startsWith("data: "));
          if (data !== undefined) delays.push(at - Number(data.slice(6)));
        }
      });
      res.once("end", () => resolve(delays));
      res.once("error", reject);
    });
    req.once("error", reject);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`SSE ${url} timed out`)));
  });
