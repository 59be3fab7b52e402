// Turning a project file's bytes into Python source text the way the interpreter would:
// UTF-8 unless a PEP 263 coding declaration in the first two lines says otherwise.

export type SourceText =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly code: "binary_file" | "invalid_encoding"; readonly line: number; readonly message: string };

const BINARY_SNIFF_BYTES = 8192;
const CODING_DECLARATION = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

export const decodeSource = (content: Uint8Array | string): SourceText => {
  if (typeof content === "string") {
    return content.includes("\u0000")
      ? { ok: false, code: "binary_file", line: 1, message: "file contains NUL bytes; it is not Python source" }
      : { ok: true, text: stripBom(content) };
  }
  const sniff = content.subarray(0, BINARY_SNIFF_BYTES);
  if (sniff.includes(0)) {
    return { ok: false, code: "binary_file", line: 1, message: "file contains NUL bytes; it is not Python source" };
  }
  const encoding = declaredEncoding(content) ?? "utf-8";
  let decode: (bytes: Uint8Array) => string;
  try {
    decode = decoderFor(encoding);
  } catch {
    return { ok: false, code: "invalid_encoding", line: 1, message: `unknown source encoding "${encoding}"` };
  }
  try {
    return { ok: true, text: stripBom(decode(content)) };
  } catch {
    return {
      ok: false,
      code: "invalid_encoding",
      line: firstUndecodableLine(content),
      message: `file is not valid ${encoding} (Python refuses to import it)`,
    };
  }
};

const decoders = new Map<string, { decode: (bytes: Uint8Array) => string }>();
const LATIN_1 = new Set(["latin-1", "latin1", "latin_1", "iso-8859-1", "iso8859-1", "iso_8859_1", "8859", "cp819", "l1"]);

/** Python codec names mapped onto decoders; Latin-1 by hand, as WHATWG treats it as cp1252. */
const decoderFor = (encoding: string): ((bytes: Uint8Array) => string) => {
  const name = encoding.replace(/_/g, "-");
  if (LATIN_1.has(encoding) || LATIN_1.has(name)) return byteToCodePoint;
  if (name === "ascii" || name === "us-ascii") {
    return (bytes) => {
      if (bytes.some((byte) => byte > 0x7f)) throw new Error("not ascii");
      return byteToCodePoint(bytes);
    };
  }
  const label = name === "utf8" || name.startsWith("utf-8") ? "utf-8" : name;
  // One decoder per encoding for the process: a fatal decoder keeps no state between whole decodes.
  let decoder = decoders.get(label);
  if (!decoder) {
    decoder = new TextDecoder(label, { fatal: true });
    decoders.set(label, decoder);
  }
  const chosen = decoder;
  return (bytes) => chosen.decode(bytes);
};

const byteToCodePoint = (bytes: Uint8Array): string => {
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
};

const CODING = new TextEncoder().encode("coding");
const LATIN_1_HEAD = new TextDecoder("latin1");

/** Whether `bytes` holds the ASCII word "coding" (which every declaration has: most files do not). */
const mentionsCoding = (bytes: Uint8Array): boolean => {
  for (let at = bytes.indexOf(CODING[0] ?? 0); at >= 0 && at + CODING.length <= bytes.length; at = bytes.indexOf(CODING[0] ?? 0, at + 1)) {
    let i = 1;
    while (i < CODING.length && bytes[at + i] === CODING[i]) i++;
    if (i === CODING.length) return true;
  }
  return false;
};

const declaredEncoding = (content: Uint8Array): string | null => {
  const window = content.subarray(0, 400);
  if (!mentionsCoding(window)) return null;
  const head = LATIN_1_HEAD.decode(window).split(/\r?\n/).slice(0, 2);
  for (const line of head) {
    const match = CODING_DECLARATION.exec(line);
    if (match?.[1]) return match[1].toLowerCase();
    if (!/^[ \t\f]*(#.*)?$/.test(line)) break; // the declaration only counts before any code
  }
  return null;
};

const firstUndecodableLine = (content: Uint8Array): number => {
  const utf8 = new TextDecoder("utf-8", { fatal: false }).decode(content);
  const bad = utf8.indexOf("\uFFFD");
  return bad < 0 ? 1 : utf8.slice(0, bad).split("\n").length;
};

const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
