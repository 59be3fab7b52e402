import type { PreviewSummary } from "../../../libs/previews/listing.ts";
import { h } from "./dom.ts";

export interface MyPreviewsActions {
  /** The generation is opened in the page (its status, logs and endpoints). */
  readonly open: (generationId: string) => void;
  readonly stop: (preview: PreviewSummary) => void;
}

const live = (p: PreviewSummary) => p.status === "launching" || p.status === "running";

const when = (iso: string) => {
  const d = new Date(iso);
  const today = new Date();
  return d.toDateString() === today.toDateString()
    ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : d.toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
};

/** One row of "My previews": status, which generation, when, its URL; open it, or stop it while it lives. */
const item = (p: PreviewSummary, current: string | undefined, actions: MyPreviewsActions): HTMLElement =>
  h("li", { class: `my-preview${p.generationId === current ? " current" : ""}`, "data-preview-id": p.previewInstanceId, "data-status": p.status },
    h("span", { class: "status-badge", "data-status": p.status }, p.status),
    h("button", { type: "button", class: "link-button", title: "Open this generation here", onclick: () => actions.open(p.generationId) },
      h("code", {}, p.generationId)),
    h("span", { class: "hint when" }, `${live(p) ? "launched" : "ended"} ${when(p.stoppedAt ?? p.createdAt)}`),
    p.failure === null ? null : h("span", { class: "failure-kind", "data-testid": "preview-failure-kind" }, p.failure.kind),
    live(p) ? h("code", { class: "address" }, p.previewUrl) : null,
    live(p) ? h("button", { type: "button", class: "small", "aria-label": `Stop ${p.generationId}`, onclick: () => actions.stop(p) }, "Stop") : null);

export const renderMyPreviews = (
  list: HTMLElement,
  previews: ReadonlyArray<PreviewSummary>,
  current: string | undefined,
  actions: MyPreviewsActions,
): void => {
  list.replaceChildren(...previews.map((p) => item(p, current, actions)));
};
