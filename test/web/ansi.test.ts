import { describe, expect, it } from "vitest";
import { parseAnsi, stripAnsi } from "../../services/web/page/ansi.ts";

describe("ANSI SGR → segments", () => {
  it("leaves plain text alone", () => {
    expect(parseAnsi("INFO: started")).toEqual([{ text: "INFO: started", classes: [] }]);
  });

  it("maps basic, bright, 256 and truecolour codes, bold and reset", () => {
    expect(parseAnsi("\x1b[32mINFO\x1b[0m:  \x1b[1;91mboom\x1b[22m!\x1b[38;5;208mo\x1b[48;2;1;2;3mx\x1b[m.")).toEqual([
      { text: "INFO", classes: ["ansi-fg-2"] },
      { text: ":  ", classes: [] },
      { text: "boom", classes: ["ansi-bold", "ansi-fg-9"] },
      { text: "!", classes: ["ansi-fg-9"] },
      { text: "o", classes: [], fg: "rgb(255,135,0)" },
      { text: "x", classes: [], fg: "rgb(255,135,0)", bg: "rgb(1,2,3)" },
      { text: ".", classes: [] },
    ]);
  });

  it("drops cursor moves, erases and OSC titles from the text", () => {
    expect(stripAnsi("\x1b[2K\x1b[1Gdone\x1b]0;title\x07 ok")).toBe("done ok");
    expect(parseAnsi("\x1b[2Kdone").map((s) => s.text).join("")).toBe("done");
  });
});
