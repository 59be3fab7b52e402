import { expect } from "vitest";
import type { LogEvent } from "./sse-client.ts";

/** The lines are a non-empty run of ids `from`, `from + 1`, …: nothing missing, nothing twice, in order. */
export const expectContiguous = (lines: ReadonlyArray<LogEvent>, from: number) => {
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.map((l) => l.id)).toEqual(lines.map((_, i) => from + i));
};
