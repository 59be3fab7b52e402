// Decoding of Python string literal tokens ("abc", r'x', """doc""", f"{x}") into their value.

export interface StringToken {
  readonly prefix: string; // lower-cased, e.g. "", "r", "f", "rb"
  readonly body: string; // between the quotes, escapes not processed
  readonly bodyOffset: number; // offset of body within the token text
}

export const splitStringToken = (token: string): StringToken | null => {
  const match = /^([A-Za-z]*)('''|"""|'|")/.exec(token);
  if (!match) return null;
  const prefix = (match[1] ?? "").toLowerCase();
  const quote = match[2] ?? '"';
  const start = match[0].length;
  const end = token.endsWith(quote) && token.length - quote.length >= start ? token.length - quote.length : token.length;
  return { prefix, body: token.slice(start, end), bodyOffset: start };
};

const SIMPLE_ESCAPES: Record<string, string> = {
  "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v",
};

export const unescapePython = (body: string, raw: boolean): string => {
  if (raw || !body.includes("\\")) return body;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== "\\" || i === body.length - 1) {
      out += ch;
      continue;
    }
    const next = body[i + 1] ?? "";
    if (next === "\n") {
      i += 1;
    } else if (next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
      i += 1;
    } else if (/[0-7]/.test(next)) {
      const digits = /^[0-7]{1,3}/.exec(body.slice(i + 1))?.[0] ?? next;
      out += String.fromCodePoint(parseInt(digits, 8));
      i += digits.length;
    } else if (next === "x" || next === "u" || next === "U") {
      const width = next === "x" ? 2 : next === "u" ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + width);
      if (/^[0-9a-fA-F]+$/.test(hex) && hex.length === width) {
        out += String.fromCodePoint(parseInt(hex, 16));
        i += 1 + width;
      } else {
        out += ch;
      }
    } else {
      out += ch; // unknown escapes stay as written, as Python does
    }
  }
  return out;
};

/** Literal text of an f-string segment: `{{` and `}}` stand for single braces. */
export const unescapeFormatLiteral = (segment: string, raw: boolean): string =>
  unescapePython(segment.includes("{{") || segment.includes("}}") ? segment.replace(/\{\{/g, "{").replace(/\}\}/g, "}") : segment, raw);

/** inspect.cleandoc, as FastAPI applies it to docstrings. */
export const cleandoc = (doc: string): string => {
  const lines = doc.replace(/\t/g, "        ").split("\n");
  let margin = Number.POSITIVE_INFINITY;
  for (const line of lines.slice(1)) {
    const content = line.trimStart();
    if (content) margin = Math.min(margin, line.length - content.length);
  }
  const first = (lines[0] ?? "").trimStart();
  const rest = lines.slice(1).map((line) => (margin === Number.POSITIVE_INFINITY ? line : line.slice(margin)));
  const all = [first, ...rest];
  while (all.length > 0 && !(all[0] ?? "").trim()) all.shift();
  while (all.length > 0 && !(all[all.length - 1] ?? "").trim()) all.pop();
  return all.join("\n");
};
