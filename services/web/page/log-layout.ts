// How a log row reads and how many screen lines it takes when wrapped. Pure (no DOM), so it is
// unit-tested under Node; the view measures the character width and hands it in. Times: libs/logs/local-time.ts.

/** The level column is as wide as the longest level word. */
export const levelColumn = (level: string): string => level.padEnd(5);

/** Characters before the message: the time, a space, the level column, a space. */
export const prefixColumns = 12 + 1 + 5 + 1;

// East Asian wide and emoji code points take two columns in a monospace font.
const wide = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/g;
const tabWidth = 8;

/**
 * The columns a message takes; never fewer than it shows. An astral character (most emoji) is
 * two UTF-16 units and so already counts two; a tab counts as a whole tab stop.
 */
export const messageColumns = (plain: string): number => {
  let columns = plain.length;
  for (let i = plain.indexOf("\t"); i !== -1; i = plain.indexOf("\t", i + 1)) columns += tabWidth - 1;
  const wides = plain.match(wide);
  return columns + (wides === null ? 0 : wides.length);
};

/** Screen lines a row takes when wrapped at `perLine` columns (break-all: any character may end a line). */
export const wrappedLines = (columns: number, perLine: number): number =>
  Math.max(1, Math.ceil((prefixColumns + columns) / Math.max(1, perLine)));
