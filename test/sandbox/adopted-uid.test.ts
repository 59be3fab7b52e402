import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { signUserToken } from "../../libs/auth/user-token.ts";
import { isRunningProcess } from "../../libs/runtime/process-identity.ts";
import { sandboxUidOf } from "../../libs/runtime/sandbox-uid.ts";
import { callApi, eventually } from "../support/api.ts";
import { releaseMountsUnder } from "../support/mounts.ts";
import { type OrchestratorProcess, spawnOrchestrator } from "../support/orchestrator-process.ts";
import { previewPath } from "../support/previews.ts";
import { testJwtSecret } from "../support/test-orchestrator.ts";
import { imagesDir, requireImage } from "./support.ts";

const appSaying = (word: string) => ({
  "main.py": ["from fastapi import FastAPI", "app = FastAPI()", "", "@app.get('/word')", "def word():", `    return {'word': '${word}'}`, ""].join("\n"),
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const uidBase = 230_000;
const env = {
  ORCHESTRATOR_RUNTIME: "sandbox", ORCHESTRATOR_RUNTIME_IMAGE_DIR: imagesDir, ORCHESTRATOR_RUNTIME_AUTO_BUILD: "false",
  ORCHESTRATOR_WARM_POOL_SIZE: "0", ORCHESTRATOR_SANDBOX_UID_BASE: String(uidBase), ORCHESTRATOR_SANDBOX_UIDS: "2",
};

describe("the uid of a re-adopted sandboxed preview", () => {
  it("stays taken: with two uids, a new launch gets the other one, a third is refused naming the limit, and stopping the adopted preview frees its uid", async () => {
    requireImage();
    const dataDir = mkdtempSync(join(tmpdir(), "adopt-uid-"));
    cleanups.push(async () => {
      await releaseMountsUnder(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    });
    let orchestrator: OrchestratorProcess = await spawnOrchestrator(dataDir, env);
    cleanups.push(async () => {
      if (orchestrator.child.exitCode === null && orchestrator.child.signalCode === null) await orchestrator.crash();
    });
    const token = await signUserToken(testJwtSecret, "alice");
    const generation = async (word: string) =>
      (await callApi<{ generationId: string }>(orchestrator.url, "POST", "/api/generations", { token, json: { files: appSaying(word) } })).body.generationId;
    const launch = (generationId: string) => callApi(orchestrator.url, "POST", `${previewPath(generationId)}/launch`, { token, json: { wait: true } });
    const rowOf = (previewId: string) => {
      const db = new DatabaseSync(join(dataDir, "orchestrator.db"), { readOnly: true });
      try {
        return db.prepare("select pid, process_start_ticks as ticks, status, error_message as errorMessage from previews where id = ?").get(previewId) as
          { pid: number; ticks: string; status: string; errorMessage: string | null };
      } finally {
        db.close();
      }
    };
    const [first, second, third] = [await generation("one"), await generation("two"), await generation("three")];

    const one = await launch(first);
    expect(one.status).toBe(200);
    const oneRow = rowOf(one.body.previewInstanceId as string);
    cleanups.push(() => {
      if (isRunningProcess(oneRow.pid, oneRow.ticks)) process.kill(-oneRow.pid, "SIGKILL");
    });
    const oneUid = sandboxUidOf(oneRow.pid, uidBase, 2);
    expect(oneUid).toBeDefined();

    await orchestrator.crash();
    orchestrator = await spawnOrchestrator(dataDir, env);
    // Re-adopted: the new orchestrator answers for it, same process.
    const status = await callApi(orchestrator.url, "GET", `${previewPath(first)}/status`, { token });
    expect(status.body).toMatchObject({ status: "running", previewInstanceId: one.body.previewInstanceId });

    const two = await launch(second);
    expect(two.status).toBe(200);
    const twoRow = rowOf(two.body.previewInstanceId as string);
    cleanups.push(() => {
      if (isRunningProcess(twoRow.pid, twoRow.ticks)) process.kill(-twoRow.pid, "SIGKILL");
    });
    const twoUid = sandboxUidOf(twoRow.pid, uidBase, 2);
    expect(twoUid).toBeDefined();
    expect(twoUid).not.toBe(oneUid);

    const three = await launch(third);
    expect(three.status).toBe(422);
    expect(three.body.error).toMatchObject({
      code: "preview_launch_failed",
      message: `The preview could not start: Every sandbox uid (2 from ${uidBase}) is taken by a running preview; stop one, or raise ORCHESTRATOR_SANDBOX_UIDS`,
    });

    // The adopted preview's end gives its uid back.
    expect((await callApi(orchestrator.url, "DELETE", previewPath(first), { token })).status).toBe(200);
    await eventually(() => (isRunningProcess(oneRow.pid, oneRow.ticks) ? undefined : true), 20_000, "the adopted preview to end");
    const again = await eventually(async () => {
      const res = await launch(third);
      return res.body.status === "running" ? res : undefined;
    }, 60_000, "a launch to get the freed uid");
    expect(sandboxUidOf(rowOf(again.body.previewInstanceId as string).pid, uidBase, 2)).toBe(oneUid);
  }, 180_000);
});
