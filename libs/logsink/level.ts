export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";

const levelWords: Record<string, LogLevel> = {
  DEBUG: "DEBUG", INFO: "INFO", WARNING: "WARN", WARN: "WARN", ERROR: "ERROR", CRITICAL: "ERROR", FATAL: "ERROR",
  // alembic's "%(levelname)-5.5s" cuts the longer words
  WARNI: "WARN", CRITI: "ERROR",
};

// uvicorn's "INFO:     ..." and logging's default "ERROR:root:..." put the level first.
const prefixed = /^(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL):/;
// Formatted records: "2024-01-01 10:00:00,123 - app - ERROR - ...", "[2024-...] [ERROR] ...",
// "[12:00:00] ERROR in app: ...", "2024-... | WARNING | ...": a level word standing alone
// right after a leading timestamp/bracket/name part.
const formatted = /^(?:\[[^\]]*\]\s*|\d[\d\-:,.T ]*\s*(?:-|\|)?\s*|[\w.]+\s+-\s+)+\[?(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\]?(?=[\s:|-])/;
// logging's "%(levelname)s %(name)s: %(message)s" (and "%(levelname)-8s %(name)s - ..."): the level
// word first, then a logger name ended by a colon or a dash, or bracketed (alembic's "%(levelname)-5.5s [%(name)s]"), so "ERROR handling was off" stays plain.
const levelThenName = /^\[?(DEBUG|INFO|WARNING|WARNI|WARN|ERROR|CRITICAL|CRITI|FATAL)\]?\s+(?:\[[\w.<>-]+\]\s|[\w.<>-]+(?::|\s+-\s))/;
const tracebackStart = /^Traceback \(most recent call last\):/;
const chainedTraceback = /^(During handling of the above exception|The above exception was the direct cause)/;

/**
 * Parses the level of each line of one output stream. It keeps state because a traceback spans
 * lines: from "Traceback (most recent call last):" through the indented frames to the exception
 * line, every line is ERROR.
 */
export class LevelParser {
  private inTraceback = false;
  private readonly fallback: LogLevel;

  constructor(fallback: LogLevel) {
    this.fallback = fallback;
  }

  levelOf(line: string): LogLevel {
    if (tracebackStart.test(line) || chainedTraceback.test(line)) {
      this.inTraceback = true;
      return "ERROR";
    }
    if (this.inTraceback) {
      if (/^\s/.test(line) || line === "") return "ERROR";
      this.inTraceback = false;
      return "ERROR"; // the exception line that closes the traceback
    }
    const word = prefixed.exec(line)?.[1] ?? levelThenName.exec(line)?.[1] ?? formatted.exec(line)?.[1];
    return word === undefined ? this.fallback : levelWords[word] ?? this.fallback;
  }
}
