import { describe, expect, it } from "vitest";
import { LevelParser } from "../../libs/logsink/level.ts";

const levels = (lines: ReadonlyArray<string>) => {
  const parser = new LevelParser("INFO");
  return lines.map((l) => parser.levelOf(l));
};

describe("LevelParser", () => {
  it.each([
    ["INFO:     Uvicorn running on http://127.0.0.1:8000", "INFO"],
    ["WARNING:  StatReload detected changes", "WARN"],
    ["ERROR:    Exception in ASGI application", "ERROR"],
    ["CRITICAL:root:disk on fire", "ERROR"],
    ["DEBUG:asyncio:Using selector: EpollSelector", "DEBUG"],
    ["2024-05-01 10:00:00,123 - app.db - WARNING - slow query", "WARN"],
    ["[2024-05-01 10:00:00] [ERROR] failed to send", "ERROR"],
    ["2024-05-01 10:00:00 | DEBUG | cache miss", "DEBUG"],
    ["app.services - ERROR - boom", "ERROR"],
    // logging.basicConfig(format="%(levelname)s %(name)s: %(message)s") and its padded variants
    ["WARNING app.db: slow query", "WARN"],
    ["ERROR sqlalchemy.engine.Engine: connection lost", "ERROR"],
    ["DEBUG    app.cache: miss", "DEBUG"],
    ["CRITICAL uvicorn.error - shutting down", "ERROR"],
    ["WARNI [alembic.runtime.migration] Revision abc is present more than once", "WARN"],
    ["INFO  [alembic.runtime.migration] Running upgrade  -> abc", "INFO"],
    ["CRITI [alembic.util.messaging] Can't locate revision", "ERROR"],
  ])("%s → %s", (line, level) => {
    expect(levels([line])).toEqual([level]);
  });

  it("does not take a level word from anywhere in the line", () => {
    expect(levels(["user said ERROR: nothing", "GET /errors 200 OK", "an INFO: inside", "ERROR handling was off"])).toEqual(["INFO", "INFO", "INFO", "INFO"]);
  });

  it("marks a whole traceback ERROR, through its exception line, and only that", () => {
    expect(levels([
      "Traceback (most recent call last):",
      '  File "/app/main.py", line 3, in <module>',
      "    import helpers",
      "ValueError: bad value",
      "plain output again",
    ])).toEqual(["ERROR", "ERROR", "ERROR", "ERROR", "INFO"]);
  });

  it("follows chained tracebacks", () => {
    expect(levels([
      "Traceback (most recent call last):",
      '  File "a.py", line 1',
      "KeyError: 'x'",
      "",
      "During handling of the above exception, another exception occurred:",
      "",
      "Traceback (most recent call last):",
      '  File "b.py", line 2',
      "RuntimeError: y",
      "done",
    ])).toEqual(["ERROR", "ERROR", "ERROR", "INFO", "ERROR", "ERROR", "ERROR", "ERROR", "ERROR", "INFO"]);
  });
});
