import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { canMoveQuota } from "../../libs/runtime/disk-quota.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) {
    try {
      execFileSync("umount", ["-l", dir], { stdio: "ignore" });
    } catch {
      // not a mount
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
const mountsUnder = (dir: string) => readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => l.split(" ")[4]?.startsWith(dir));

describe("whether a warm slot's quota mount can move (the sandbox runtime's probe at start)", () => {
  it("yes under a private mount, no under a shared one (systemd's default), and the probe leaves nothing behind", async () => {
    const root = mkdtempSync(join(tmpdir(), "move-probe-"));
    dirs.push(root);
    const privateDir = join(root, "private");
    const sharedDir = join(root, "shared");
    mkdirSync(privateDir);
    mkdirSync(sharedDir);
    execFileSync("mount", ["--bind", privateDir, privateDir]);
    execFileSync("mount", ["--make-private", privateDir]);
    execFileSync("mount", ["--bind", sharedDir, sharedDir]);
    execFileSync("mount", ["--make-shared", sharedDir]);
    dirs.unshift(privateDir, sharedDir);

    expect(await canMoveQuota(join(privateDir, "warm"))).toBe(true);
    expect(await canMoveQuota(join(sharedDir, "warm"))).toBe(false);
    for (const dir of [privateDir, sharedDir]) {
      expect(readdirSync(join(dir, "warm"))).toEqual([]);
      expect(mountsUnder(join(dir, "warm"))).toEqual([]);
    }
  });
});
