// One Python file from bytes to a parsed module, or the reason it cannot be used: too large,
// not text, a syntax error, or nesting deeper than the parser's stack.
import type { LoadedSource } from "./interpreter.ts";
import { parsePython } from "./python-parser.ts";
import type { ParsedModule } from "./python-parser.ts";
import { decodeSource } from "./source-text.ts";
import type { Diagnostic } from "./endpoint.ts";
import type { Site } from "./values.ts";

type Report = (site: Site, severity: Diagnostic["severity"], code: string, message: string) => void;

export const loadSource = (file: string, content: Uint8Array | string, maxFileBytes: number, report: Report): LoadedSource => {
  const size = typeof content === "string" ? content.length : content.byteLength;
  if (size > maxFileBytes) {
    report({ file, line: 1 }, "warning", "file_too_large", `file is ${size} bytes, over the ${maxFileBytes}-byte limit; skipped`);
    return { failure: "it is too large to analyse" };
  }
  const text = decodeSource(content);
  if (!text.ok) {
    report({ file, line: text.line }, "error", text.code, text.message);
    return { failure: text.message };
  }
  const parsed = parseBounded(file, text.text);
  if (!parsed) {
    report({ file, line: 1 }, "error", "budget_exceeded", "nesting budget exceeded while parsing (the code nests deeper than the parser's stack allows); file skipped");
    return { failure: "it nests too deeply to parse" };
  }
  const [firstError] = parsed.syntaxErrors;
  if (firstError) {
    for (const error of parsed.syntaxErrors) report({ file, line: error.line }, "error", "syntax_error", error.message);
    return { failure: `it has a syntax error at line ${firstError.line}` };
  }
  return { parsed };
};

/** The parse, or null when the code nests so deeply that the parser runs out of stack. */
const parseBounded = (file: string, text: string): ParsedModule | null => {
  try {
    return parsePython(file, text);
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) return null;
    throw error;
  }
};
