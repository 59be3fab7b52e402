// A warm launch's files move into its slot's quota mount (another filesystem): a copy, in process,
// that must keep what cp -a keeps, since the preview's uid owns its files and reads their modes.
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { moveEntries } from "../../libs/runtime/disk-quota.ts";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) {
    execFileSync("umount", ["-l", join(root, "quota")], { stdio: "ignore" });
    rmSync(root, { recursive: true, force: true });
  }
});

describe("moving a launch's files into a quota mount", () => {
  it("keeps contents, owners, modes, times and symlinks, and leaves the source empty", async () => {
    const root = mkdtempSync(join(tmpdir(), "move-entries-"));
    const from = join(root, "work");
    const to = join(root, "quota");
    mkdirSync(join(from, "app", "routers"), { recursive: true });
    mkdirSync(to);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", to]);
    roots.push(root);
    writeFileSync(join(from, "main.py"), "from app.routers import users\n");
    writeFileSync(join(from, "app", "routers", "users.py"), "router = None\n");
    writeFileSync(join(from, "run.sh"), "#!/bin/sh\n");
    chmodSync(join(from, "run.sh"), 0o750);
    chownSync(join(from, "app", "routers", "users.py"), 50_123, 50_123);
    chownSync(join(from, "app"), 50_123, 50_123);
    utimesSync(join(from, "main.py"), new Date("2026-01-02T03:04:05Z"), new Date("2026-01-02T03:04:05Z"));
    symlinkSync("app/routers/users.py", join(from, "users-link.py"));

    await moveEntries(from, to);

    expect(readdirSync(from)).toEqual([]);
    expect(readdirSync(to).sort()).toEqual(["app", "main.py", "run.sh", "users-link.py"]);
    expect(readFileSync(join(to, "users-link.py"), "utf8")).toBe("router = None\n");
    expect(readlinkSync(join(to, "users-link.py"))).toBe("app/routers/users.py");
    expect(lstatSync(join(to, "run.sh")).mode & 0o777).toBe(0o750);
    expect(lstatSync(join(to, "app")).uid).toBe(50_123);
    expect(lstatSync(join(to, "app", "routers", "users.py")).gid).toBe(50_123);
    expect(lstatSync(join(to, "main.py")).mtime.toISOString()).toBe("2026-01-02T03:04:05.000Z");
  });
});
