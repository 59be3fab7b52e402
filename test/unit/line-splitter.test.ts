import { describe, expect, it } from "vitest";
import { cutMarker, LineSplitter, maxLineBytes } from "../../libs/logsink/line-splitter.ts";

const split = (chunks: ReadonlyArray<Uint8Array | string>) => {
  const lines: string[] = [];
  const splitter = new LineSplitter((l) => lines.push(l));
  for (const c of chunks) splitter.push(typeof c === "string" ? Buffer.from(c) : c);
  splitter.end();
  return lines;
};

describe("LineSplitter", () => {
  it("joins partial lines across chunks and treats CRLF as one break", () => {
    expect(split(["INFO: sta", "rted\r\nsecond", " line\n", "last without newline"])).toEqual([
      "INFO: started", "second line", "last without newline",
    ]);
  });

  it("keeps a multi-byte character split across chunks whole", () => {
    const bytes = Buffer.from("héllo ✓\n");
    expect(split([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)])).toEqual(["héllo ✓"]);
  });

  it("replaces invalid UTF-8 instead of failing", () => {
    expect(split([new Uint8Array([0x61, 0xff, 0x62, 0x0a])])).toEqual(["a\uFFFDb"]);
  });

  it("cuts a line over 16 KiB once, marks the cut, and goes on with the next line", () => {
    const lines = split(["x".repeat(maxLineBytes + 5000), "y".repeat(3000), "\nnext\n"]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe("x".repeat(maxLineBytes) + cutMarker);
    expect(lines[1]).toBe("next");
  });

  it("keeps empty lines", () => {
    expect(split(["a\n\nb\n"])).toEqual(["a", "", "b"]);
  });
});
