import { InvalidRequest } from "../http/request-errors.ts";
import type { FileLimits } from "./file-limits.ts";

export interface ProjectFile {
  /** Normalised relative path: forward slashes, no empty, `.` or `..` segments. */
  readonly path: string;
  readonly content: Buffer;
}

const controlCharacter = /[\u0000-\u001f\u007f]/;
const maxPathLength = 1024;
const maxSegmentLength = 255;

const badPath = (path: string, problem: string) =>
  new InvalidRequest({ message: `Invalid file path ${JSON.stringify(path)}: ${problem}`, details: { path, problem } });

/** The normalised form of one upload path, or the reason it cannot be stored. */
export const normaliseUploadPath = (raw: string): string | InvalidRequest => {
  if (raw === "") return badPath(raw, "the path is empty");
  if (raw.length > maxPathLength) return badPath(raw, `the path is longer than ${maxPathLength} characters`);
  if (controlCharacter.test(raw)) return badPath(raw, "the path contains a NUL or control character");
  if (raw.includes("\\")) return badPath(raw, "use forward slashes; backslashes are not allowed");
  if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw)) return badPath(raw, "the path must be relative, not absolute");
  const segments = raw.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) return badPath(raw, "the path must not contain '..'");
  if (segments.length === 0) return badPath(raw, "the path names no file");
  if (segments.some((s) => s.length > maxSegmentLength)) return badPath(raw, `a path segment is longer than ${maxSegmentLength} characters`);
  return segments.join("/");
};

/**
 * Checks a whole upload before anything is written: every path, duplicates after
 * normalisation, a file that is also used as a directory, and the size limits.
 */
export const validateFiles = (files: Readonly<Record<string, string>>, limits: FileLimits): ReadonlyArray<ProjectFile> | InvalidRequest => {
  const entries = Object.entries(files);
  if (entries.length === 0) return new InvalidRequest({ message: "At least one file is required", details: { field: "files" } });
  if (entries.length > limits.maxFiles) {
    return new InvalidRequest({
      message: `Too many files: ${entries.length}, the limit is ${limits.maxFiles}`,
      details: { field: "files", fileCount: entries.length, limit: limits.maxFiles },
    });
  }
  const byPath = new Map<string, string>();
  const result: ProjectFile[] = [];
  let total = 0;
  for (const [raw, text] of entries) {
    const path = normaliseUploadPath(raw);
    if (path instanceof InvalidRequest) return path;
    const earlier = byPath.get(path);
    if (earlier !== undefined) return badPath(raw, `it is the same file as ${JSON.stringify(earlier)}`);
    byPath.set(path, raw);
    const content = Buffer.from(text, "utf8");
    if (content.byteLength > limits.maxFileBytes) {
      return new InvalidRequest({
        message: `File ${JSON.stringify(raw)} is ${content.byteLength} bytes, over the ${limits.maxFileBytes} byte limit`,
        details: { path: raw, bytes: content.byteLength, limit: limits.maxFileBytes },
      });
    }
    total += content.byteLength;
    if (total > limits.maxTotalBytes) {
      return new InvalidRequest({
        message: `The files add up to more than the ${limits.maxTotalBytes} byte limit (reached at ${JSON.stringify(raw)})`,
        details: { path: raw, limit: limits.maxTotalBytes },
      });
    }
    result.push({ path, content });
  }
  for (const { path } of result) {
    const segments = path.split("/");
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join("/");
      const clash = byPath.get(parent);
      if (clash !== undefined) return badPath(clash, `it is a file, but ${JSON.stringify(byPath.get(path))} uses it as a directory`);
    }
  }
  return result;
};
