import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processAlive } from "./processes.ts";

const firstPort = 25_000;
const blockCount = 300;
const blockSize = 100;
const claimsDir = join(tmpdir(), "preview-port-blocks");
const claimed: string[] = [];

/** Gives back every block this process holds (test/support/setup-file.ts, once a file's tests are done). */
export const releasePortBlocks = (): void => {
  for (const claim of claimed.splice(0)) {
    try {
      unlinkSync(claim);
    } catch {
      // gone already
    }
  }
};

// A bench or script that uses the test support ends normally, and gives its claims back here; a
// vitest worker is ended by a signal instead (test/support/setup-file.ts).
process.once("exit", releasePortBlocks);

/** Whether this process now holds `claim`: a file made exclusively, naming its holder's pid. */
const tryClaim = (claim: string): boolean => {
  try {
    writeFileSync(claim, String(process.pid), { flag: "wx" });
    return true;
  } catch {
    // Held: by a live process (this one, or another test file's), or left by a killed one.
  }
  let holder = Number.NaN;
  try {
    holder = Number(readFileSync(claim, "utf8"));
  } catch {
    return false; // released meanwhile; the next block will do
  }
  if (!Number.isInteger(holder) || holder === process.pid || processAlive(holder)) return false;
  try {
    unlinkSync(claim);
    writeFileSync(claim, String(process.pid), { flag: "wx" });
    return true;
  } catch {
    return false; // another process took it over first
  }
};

/**
 * A block of host ports for one test orchestrator's previews, held by no other orchestrator on
 * this machine while this test process lives. Orchestrators in different test files keep separate
 * reservation tables, and get-port only sees a port once a preview binds it: two sharing a block
 * would hand out the same port, and one preview's readiness check could be answered by the other's.
 */
export const previewPortBlock = (): { readonly from: number; readonly to: number } => {
  mkdirSync(claimsDir, { recursive: true });
  const start = (process.pid * 37) % blockCount;
  for (let i = 0; i < blockCount; i++) {
    const index = (start + i) % blockCount;
    const claim = join(claimsDir, String(index));
    if (!tryClaim(claim)) continue;
    claimed.push(claim);
    const from = firstPort + index * blockSize;
    return { from, to: from + blockSize - 1 };
  }
  throw new Error(`all ${blockCount} preview port blocks are held (${claimsDir})`);
};
