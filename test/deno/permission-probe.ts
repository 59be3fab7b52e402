// Run by scripts/deno-service.sh in place of a service's entry, with that service's permissions:
// it tries what a compromised service might, and prints which attempts Deno refused.
import { readFileSync, writeFileSync } from "node:fs";

const attempt = async (what: () => unknown | Promise<unknown>): Promise<"allowed" | "refused" | "failed"> => {
  try {
    await what();
    return "allowed";
  } catch (e) {
    return (e as Error).name === "NotCapable" ? "refused" : "failed";
  }
};

const dataDir = process.env.DATA_DIR ?? "./.data";
const { Deno } = globalThis as unknown as {
  Deno: {
    Command: new (cmd: string, options: { args: string[] }) => { output(): Promise<unknown> };
    connect(options: { hostname: string; port: number }): Promise<{ close(): void }>;
    readTextFile(path: string): Promise<string>;
  };
};
const results = {
  writeDataDir: await attempt(() => writeFileSync(`${dataDir}/probe-${Date.now()}.txt`, "x")),
  writeTmp: await attempt(() => writeFileSync(`/tmp/probe-${Date.now()}.txt`, "x")),
  runProcess: await attempt(() => new Deno.Command("/bin/true", { args: [] }).output()),
  readEtcPasswd: await attempt(() => Deno.readTextFile("/etc/passwd")),
  // A refusal comes at once; an allowed connection may wait for the network as long as it likes.
  connectOutside: await attempt(() => Promise.race([
    Deno.connect({ hostname: "10.0.0.1", port: 80 }).then((c) => c.close(), (e: Error) => { if (e.name === "NotCapable") throw e; }),
    new Promise((resolve) => setTimeout(resolve, 1000)),
  ])),
  readProc: await attempt(() => readFileSync("/proc/self/stat", "utf8")),
};
console.log(JSON.stringify(results));
