import { spawn } from "node:child_process";

const quote = (arg: string) => `'${arg.replace(/'/g, "'\\''")}'`;

/**
 * Runs an npm script in a pseudo-terminal (util-linux `script`), as typed in a shell: what it
 * printed (CR LF made LF, colours removed) and its exit code.
 */
export const runInPty = (env: NodeJS.ProcessEnv, script: string, args: ReadonlyArray<string>): Promise<{ output: string; code: number | null }> => {
  const command = `npm run --silent ${script} -- ${args.map(quote).join(" ")}`;
  const child = spawn("script", ["-qfec", command, "/dev/null"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => { output += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { output += d.toString(); });
  return new Promise((resolve) => child.once("exit", (code) => resolve({
    // eslint-disable-next-line no-control-regex
    output: output.replace(/\r\n/g, "\n").replace(/\u001b\[[0-9;]*m/g, ""),
    code,
  })));
};
