let nextBlock = 0;
const firstPort = 25_000;
const blockCount = 300;
const blockSize = 100;

/**
 * A block of host ports for one test orchestrator's previews. Orchestrators in different test
 * files (other worker processes) keep separate reservation tables, so each takes its own block:
 * the worker's pid picks where to start, a counter moves on from there.
 */
export const previewPortBlock = (): { readonly from: number; readonly to: number } => {
  const index = (process.pid * 37 + nextBlock++) % blockCount;
  const from = firstPort + index * blockSize;
  return { from, to: from + blockSize - 1 };
};
