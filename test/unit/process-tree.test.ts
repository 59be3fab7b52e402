import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { descendantsOf, processChildren, treeMemoryBytes } from "../../libs/runtime/process-tree.ts";

/** A real tree: a parent whose worker thread starts a child, which starts a grandchild in a session of its own. */
const treeScript = `
import os, subprocess, sys, threading
def start():
    child = subprocess.Popen([sys.executable, "-c", """
import subprocess, sys
g = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], start_new_session=True, stdin=subprocess.PIPE)
print(g.pid, flush=True)
sys.stdin.read()
"""], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    grandchild = int(child.stdout.readline())
    print(os.getpid(), child.pid, grandchild, flush=True)
    threading.Event().wait()  # the thread that started the child lives on: the child is in its list, not the main thread's
threading.Thread(target=start, daemon=True).start()
sys.stdin.read()
`;

describe("a process tree", () => {
  it("is walked from its root alone, children started by a thread and a process in its own session included, as a scan of /proc finds it", async () => {
    const root = spawn("python3", ["-c", treeScript], { stdio: ["pipe", "pipe", "inherit"] });
    try {
      const line = await new Promise<string>((resolve) => createInterface({ input: root.stdout }).once("line", resolve));
      const pids = line.split(" ").map(Number);
      expect(pids[0]).toBe(root.pid);
      const walked = descendantsOf(root.pid ?? -1);
      expect([...walked].sort()).toEqual([...pids].sort());
      expect([...walked].sort()).toEqual([...descendantsOf(root.pid ?? -1, processChildren())].sort());
      const bytes = treeMemoryBytes(root.pid ?? -1);
      expect(bytes).toBeGreaterThan(0);
      expect(treeMemoryBytes(pids[2] ?? -1)).toBeLessThan(bytes);
    } finally {
      // Closing the root's stdin ends it; its child and grandchild read pipes that close with them.
      root.stdin.end();
      await new Promise((resolve) => root.once("exit", resolve));
    }
  });

  it("of a process that is gone is that pid alone, with no memory", () => {
    expect(descendantsOf(2 ** 22 + 1)).toEqual([2 ** 22 + 1]);
    expect(treeMemoryBytes(2 ** 22 + 1)).toBe(0);
  });
});
