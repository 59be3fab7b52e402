import type { PreviewFailure } from "../../libs/previews/failure.ts";

/** A failure as one block of indented lines under the ✖ line: where, what to do. */
export const failureBlock = (f: PreviewFailure): ReadonlyArray<string> => [
  `${f.kind}: ${f.message}`,
  ...(f.file === undefined ? [] : [`  at ${f.file}${f.line === undefined ? "" : `:${f.line}`}`]),
  ...(f.sourceLine === undefined ? [] : [`      ${f.sourceLine}`]),
  ...(f.requirement === undefined ? [] : [`  requirement: ${f.requirement}`]),
  ...(f.hint === undefined ? [] : [`  hint: ${f.hint}`]),
];
