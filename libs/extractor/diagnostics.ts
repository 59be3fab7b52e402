import type { Diagnostic } from "./endpoint.ts";
import type { Site } from "./values.ts";

export interface DiagnosticSink {
  readonly report: (site: Site, severity: Diagnostic["severity"], code: string, message: string) => void;
  readonly list: () => Diagnostic[];
}

/** Messages quote source text and unknown values' reasons; this keeps each one readable and bounded. */
const MAX_MESSAGE_LENGTH = 1_000;

export const makeDiagnosticSink = (): DiagnosticSink => {
  const seen = new Map<string, Diagnostic>();
  return {
    report: (site, severity, code, fullMessage) => {
      const message = fullMessage.length > MAX_MESSAGE_LENGTH ? `${fullMessage.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : fullMessage;
      const key = `${site.file}\u0000${site.line}\u0000${code}\u0000${message}`;
      if (!seen.has(key)) seen.set(key, { file: site.file, line: site.line, severity, code, message });
    },
    list: () =>
      [...seen.values()].sort(
        (a, b) => compareText(a.file, b.file) || a.line - b.line || compareText(a.code, b.code),
      ),
  };
};

export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
