import type { PreviewStatus } from "../previews/contract.ts";
import type { LogLine } from "./schemas.ts";

/** SSE frames exactly as api.md "SSE log stream format" shows them, encoded once and shared by every subscriber. */
const encoder = new TextEncoder();

export const retryFrame = (retryMs: number): Uint8Array => encoder.encode(`retry: ${retryMs}\n\n`);

export const pingFrame: Uint8Array = encoder.encode(": ping\n\n");

export const logFrame = (line: LogLine): Uint8Array =>
  encoder.encode(`id: ${line.id}\nevent: log\ndata: ${JSON.stringify(line)}\n\n`);

export const statusFrame = (status: PreviewStatus, previewInstanceId: string): Uint8Array =>
  encoder.encode(`event: status\ndata: ${JSON.stringify({ status, previewInstanceId })}\n\n`);

/** Joins frames into one chunk: one write per wake-up instead of one per line. */
export const joinFrames = (frames: ReadonlyArray<Uint8Array>): Uint8Array => {
  if (frames.length === 1) return frames[0] as Uint8Array;
  let size = 0;
  for (const f of frames) size += f.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.byteLength;
  }
  return out;
};
