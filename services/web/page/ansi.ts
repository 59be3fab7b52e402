// ANSI SGR escape sequences → styled segments. Pure (no DOM), so it is unit-tested under Node.

export interface AnsiSegment {
  readonly text: string;
  /** CSS classes: ansi-bold, ansi-dim, ansi-italic, ansi-underline, ansi-fg-N / ansi-bg-N for the 16 basic colours. */
  readonly classes: ReadonlyArray<string>;
  /** A CSS colour for 256-colour and truecolour codes. */
  readonly fg?: string;
  readonly bg?: string;
}

interface State {
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
  fg: number | string | undefined;
  bg: number | string | undefined;
}

const fresh = (): State => ({ bold: false, dim: false, italic: false, underline: false, inverse: false, fg: undefined, bg: undefined });

const cube = [0, 95, 135, 175, 215, 255];
/** xterm's 256-colour palette: 0–15 stay classes (the theme's colours), the rest become rgb(). */
const palette = (n: number): number | string => {
  if (n < 16) return n;
  if (n < 232) {
    const i = n - 16;
    return `rgb(${cube[Math.floor(i / 36)]},${cube[Math.floor(i / 6) % 6]},${cube[i % 6]})`;
  }
  const g = 8 + 10 * (n - 232);
  return `rgb(${g},${g},${g})`;
};

const apply = (state: State, params: ReadonlyArray<number>): void => {
  for (let i = 0; i < params.length; i++) {
    const p = params[i] ?? 0;
    if (p === 0) Object.assign(state, fresh());
    else if (p === 1) state.bold = true;
    else if (p === 2) state.dim = true;
    else if (p === 3) state.italic = true;
    else if (p === 4) state.underline = true;
    else if (p === 7) state.inverse = true;
    else if (p === 22) { state.bold = false; state.dim = false; }
    else if (p === 23) state.italic = false;
    else if (p === 24) state.underline = false;
    else if (p === 27) state.inverse = false;
    else if (p >= 30 && p <= 37) state.fg = p - 30;
    else if (p >= 90 && p <= 97) state.fg = p - 90 + 8;
    else if (p === 39) state.fg = undefined;
    else if (p >= 40 && p <= 47) state.bg = p - 40;
    else if (p >= 100 && p <= 107) state.bg = p - 100 + 8;
    else if (p === 49) state.bg = undefined;
    else if (p === 38 || p === 48) {
      const mode = params[i + 1];
      let colour: number | string | undefined;
      if (mode === 5) {
        colour = palette(Math.min(255, params[i + 2] ?? 0));
        i += 2;
      } else if (mode === 2) {
        colour = `rgb(${params[i + 2] ?? 0},${params[i + 3] ?? 0},${params[i + 4] ?? 0})`;
        i += 4;
      } else break;
      if (p === 38) state.fg = colour;
      else state.bg = colour;
    }
  }
};

// CSI sequences (colours are `m`; cursor moves and erases are dropped), OSC sequences (titles, links), lone ESCs.
const escapes = /\x1b\[([0-9;:?]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]?/g;

const segmentOf = (text: string, state: State): AnsiSegment => {
  const fg = state.inverse ? state.bg : state.fg;
  const bg = state.inverse ? (state.fg ?? 7) : state.bg;
  const classes: string[] = [];
  if (state.bold) classes.push("ansi-bold");
  if (state.dim) classes.push("ansi-dim");
  if (state.italic) classes.push("ansi-italic");
  if (state.underline) classes.push("ansi-underline");
  if (typeof fg === "number") classes.push(`ansi-fg-${fg}`);
  if (typeof bg === "number") classes.push(`ansi-bg-${bg}`);
  return { text, classes, ...(typeof fg === "string" ? { fg } : {}), ...(typeof bg === "string" ? { bg } : {}) };
};

/** Splits a line into styled segments, dropping every escape sequence from the text. */
export const parseAnsi = (input: string): AnsiSegment[] => {
  if (!input.includes("\x1b")) return [{ text: input, classes: [] }];
  const segments: AnsiSegment[] = [];
  const state = fresh();
  let last = 0;
  for (const match of input.matchAll(escapes)) {
    const index = match.index;
    if (index > last) segments.push(segmentOf(input.slice(last, index), state));
    if (match[2] === "m") apply(state, (match[1] ?? "").split(/[;:]/).map((n) => (n === "" ? 0 : Number(n))));
    last = index + match[0].length;
  }
  if (last < input.length) segments.push(segmentOf(input.slice(last), state));
  return segments;
};

/** The text without escape sequences (what search matches against). */
export const stripAnsi = (input: string): string => (input.includes("\x1b") ? input.replace(escapes, "") : input);
