import { localTime } from "../../libs/logs/local-time.ts";
import type { LogLine } from "../../libs/logs/schemas.ts";

const levelColour: Record<string, string> = { DEBUG: "2", INFO: "0", WARN: "33", ERROR: "31" };

/** What the CLI prints, coloured only on a terminal that wants colour. */
export const makeTerminal = (useColour: boolean, write: (text: string) => void) => {
  const paint = (code: string, text: string) => (useColour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const bold = (t: string) => paint("1", t);
  return {
    stage: (name: string, detail: string) => write(`${paint("32", "✔")} ${bold(name.padEnd(12))} ${detail}\n`),
    failure: (name: string, detail: string) => write(`${paint("31", "✖")} ${bold(name.padEnd(12))} ${detail}\n`),
    info: (text: string) => write(`${text}\n`),
    logLine: (line: LogLine) => {
      const tag = line.source === "system" ? paint("36", "platform") : paint("2", line.source.padEnd(8));
      write(`${paint("2", localTime(line.timestamp))} ${tag} ${paint(levelColour[line.level] ?? "0", line.message)}\n`);
    },
  };
};

export type Terminal = ReturnType<typeof makeTerminal>;
