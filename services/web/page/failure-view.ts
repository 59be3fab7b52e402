import type { PreviewFailure } from "../../../libs/previews/failure.ts";
import type { StatusView } from "../../../libs/previews/contract.ts";
import { h } from "./dom.ts";

const frameLine = (f: NonNullable<PreviewFailure["frames"]>[number]) =>
  h("li", {}, h("code", {}, `${f.file}:${f.line ?? "?"}`), ` in ${f.name}`, f.sourceLine === "" ? null : h("pre", {}, f.sourceLine));

/**
 * A failed or crashed preview: the diagnosis first (kind, message, the user's file and line with its
 * source line, the requirement, the hint), then the project's own frames, library frames folded away.
 */
export const renderFailure = (target: HTMLElement, status: StatusView): void => {
  const title = `${status.status === "failed" ? "Failed to start" : "Crashed"}${status.exitCode === null ? "" : ` (exit code ${status.exitCode})`}`;
  const f = status.failure;
  if (f === null) {
    target.replaceChildren(`${title}: ${status.errorMessage ?? "see the logs"}`);
    return;
  }
  const frames = f.frames ?? [];
  const user = frames.filter((x) => x.user).reverse();
  const library = frames.filter((x) => !x.user);
  const parts: ReadonlyArray<HTMLElement | null> = [
    h("div", { class: "failure-title" }, `${title}: `, h("span", { "data-testid": "failure-kind" }, f.kind)),
    h("div", { class: "failure-message", "data-testid": "failure-message" }, f.message),
    f.file === undefined ? null : h("div", { class: "failure-where", "data-testid": "failure-where" }, `${f.file}${f.line === undefined ? "" : `:${f.line}`}`),
    f.sourceLine === undefined ? null : h("pre", { class: "failure-source" }, f.sourceLine),
    f.requirement === undefined ? null : h("div", {}, "requirement: ", h("code", {}, f.requirement)),
    f.hint === undefined ? null : h("div", { class: "failure-hint" }, f.hint),
    user.length === 0 ? null : h("ol", { class: "failure-frames", "data-testid": "user-frames" }, ...user.map(frameLine)),
    library.length === 0 ? null : h("details", { class: "failure-library" },
      h("summary", {}, `${library.length} library frame${library.length === 1 ? "" : "s"}`),
      h("ol", { class: "failure-frames" }, ...library.map(frameLine))),
  ];
  target.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
};
