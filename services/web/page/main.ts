// The Preview Tab page: sign in, pick or upload a project, launch/stop/extend it, follow its
// logs, list and try its endpoints, open its own /docs. Plain DOM over the typed client.
import { createPreviewClient, type ApiError, type PreviewClient } from "../../../libs/client/api-client.ts";
import { browserEventSource } from "../../../libs/client/browser-event-source.ts";
import { type ConnectionState, PreviewLogStream } from "../../../libs/client/log-stream.ts";
import type { Endpoint } from "../../../libs/extractor/endpoint.ts";
import type { PreviewStatus, StatusView } from "../../../libs/previews/contract.ts";
import { localZoneLabel } from "../../../libs/logs/local-time.ts";
import type { PreviewSummary } from "../../../libs/previews/listing.ts";
import { copyText } from "./clipboard.ts";
import { byId, formatBytes, formatDuration, h, show } from "./dom.ts";
import { renderEndpoints } from "./endpoints.ts";
import { renderFailure } from "./failure-view.ts";
import { downloadExport } from "./log-export.ts";
import { LogView } from "./log-view.ts";
import { renderMyPreviews } from "./my-previews.ts";
import { filesOfDrop, filesOfInput, type PickedFile, readProject, sendProject } from "./upload.ts";

const origin = window.location.origin;
const localMode = document.body.dataset.localMode === "true";
const tokenKey = "previewTab.token";
const recentKey = "previewTab.recentGenerations";
const wrapKey = "previewTab.wrapLines";
// In localStorage, not the tab's session: any tab of this browser can open a preview it launched.
const previewTokenPrefix = "previewTab.previewToken.";
const previewTokenKey = (previewInstanceId: string) => `${previewTokenPrefix}${previewInstanceId}`;
const live = (s: PreviewStatus | undefined) => s === "launching" || s === "running";

// --- state ----------------------------------------------------------------------------------
let token = "";
let client: PreviewClient | undefined;
let generationId: string | undefined;
let status: StatusView | undefined;
let stream: PreviewLogStream | undefined;
let streamedPreview: string | undefined;
let endpointsSignature = "";
let pollTimer: ReturnType<typeof setInterval> | undefined;
/** The orchestrator's idle stop, in seconds (GET .../config); undefined until read. */
let idleSeconds: number | undefined;
let myPreviews: PreviewSummary[] = [];
let myPreviewsCursor: string | null = null;

const el = {
  account: byId("account"),
  signIn: byId("sign-in"),
  tokenForm: byId<HTMLFormElement>("token-form"),
  tokenInput: byId<HTMLInputElement>("token-input"),
  signInError: byId("sign-in-error"),
  workspace: byId("workspace"),
  openForm: byId<HTMLFormElement>("open-form"),
  generationInput: byId<HTMLInputElement>("generation-input"),
  recent: byId<HTMLDataListElement>("recent-generations"),
  dropzone: byId("dropzone"),
  folderInput: byId<HTMLInputElement>("folder-input"),
  progressBox: byId("upload-progress-box"),
  progressLabel: byId("upload-progress-label"),
  progress: byId<HTMLProgressElement>("upload-progress"),
  projectMessage: byId("project-message"),
  generationInfo: byId("generation-info"),
  previewPanel: byId("preview-panel"),
  launch: byId<HTMLButtonElement>("launch-button"),
  stop: byId<HTMLButtonElement>("stop-button"),
  extend: byId<HTMLButtonElement>("extend-button"),
  apply: byId<HTMLButtonElement>("apply-button"),
  applyInput: byId<HTMLInputElement>("apply-input"),
  docsLink: byId<HTMLAnchorElement>("docs-link"),
  docsHint: byId("docs-hint"),
  address: byId("preview-address"),
  previewUrl: byId("preview-url"),
  copyUrl: byId<HTMLButtonElement>("copy-url"),
  handoffRow: byId("handoff-row"),
  handoffLink: byId<HTMLAnchorElement>("handoff-link"),
  copyHandoff: byId<HTMLButtonElement>("copy-handoff"),
  handoffHint: byId("handoff-hint"),
  copyMessage: byId("copy-message"),
  idleIn: byId("idle-in"),
  logZone: byId("log-zone"),
  wrapToggle: byId<HTMLInputElement>("wrap-toggle"),
  exportText: byId<HTMLButtonElement>("export-text"),
  exportNdjson: byId<HTMLButtonElement>("export-ndjson"),
  myPreviews: byId("my-previews"),
  myPreviewsRefresh: byId<HTMLButtonElement>("my-previews-refresh"),
  myPreviewsMore: byId<HTMLButtonElement>("my-previews-more"),
  myPreviewsCount: byId("my-previews-count"),
  myPreviewsMessage: byId("my-previews-message"),
  statusBadge: byId("status-badge"),
  uptime: byId("uptime"),
  expiresIn: byId("expires-in"),
  health: byId("health"),
  failure: byId("failure"),
  previewMessage: byId("preview-message"),
  logsPanel: byId("logs-panel"),
  connection: byId("connection"),
  logCount: byId("log-count"),
  logSearch: byId<HTMLInputElement>("log-search"),
  newLines: byId<HTMLButtonElement>("new-lines"),
  viewport: byId("log-viewport"),
  endpointsPanel: byId("endpoints-panel"),
  endpoints: byId("endpoints"),
  endpointsSource: byId("endpoints-source"),
};

const say = (target: HTMLElement, text: string, kind: "info" | "error" = "info") => {
  target.textContent = text;
  target.classList.toggle("error", kind === "error");
};
const describe = (e: ApiError) => `${e.message} (${e.code}${e.status === 0 ? "" : `, HTTP ${e.status}`})`;

// --- logs -------------------------------------------------------------------------------------
const logView = new LogView(el.viewport, {
  onUnseen: (count) => {
    el.newLines.textContent = `${count.toLocaleString()} new line${count === 1 ? "" : "s"} ↓`;
    show(el.newLines, count > 0);
  },
  onCount: (shown, total) => {
    el.logCount.textContent = shown === total ? `${total.toLocaleString()} lines` : `${shown.toLocaleString()} of ${total.toLocaleString()} lines`;
    el.viewport.dataset.count = String(total);
  },
});
el.newLines.addEventListener("click", () => {
  logView.jumpToEnd();
  el.viewport.focus();
});
el.logSearch.addEventListener("input", () => logView.setQuery(el.logSearch.value));
el.logZone.textContent = localZoneLabel();
const savedWrap = localStorage.getItem(wrapKey);
// Narrow screens wrap by default: a phone shows only a few characters of a long line otherwise.
el.wrapToggle.checked = savedWrap === null ? window.matchMedia("(max-width: 600px)").matches : savedWrap === "true";
logView.setWrap(el.wrapToggle.checked);
el.wrapToggle.addEventListener("change", () => {
  localStorage.setItem(wrapKey, String(el.wrapToggle.checked));
  logView.setWrap(el.wrapToggle.checked);
});
const exportLogs = async (format: "text" | "ndjson") => {
  if (client === undefined || generationId === undefined) return;
  const failed = await downloadExport(client.exportUrl(generationId, format), token, `preview-logs.${format === "text" ? "txt" : "ndjson"}`);
  if (failed !== undefined) say(el.previewMessage, failed, "error");
};
el.exportText.addEventListener("click", () => void exportLogs("text"));
el.exportNdjson.addEventListener("click", () => void exportLogs("ndjson"));
for (const box of document.querySelectorAll<HTMLInputElement>("input[name=level]")) {
  box.addEventListener("change", () => {
    logView.setLevels(new Set(Array.from(document.querySelectorAll<HTMLInputElement>("input[name=level]:checked"), (b) => b.value)));
  });
}

const connectionText: Record<ConnectionState, string> = {
  connecting: "connecting…",
  open: "live",
  reconnecting: "reconnecting…",
  ended: "ended",
  closed: "not connected",
};
const setConnection = (state: ConnectionState) => {
  el.connection.dataset.state = state;
  el.connection.textContent = connectionText[state];
};

/** Follows the logs of the generation's current preview; a new preview starts a fresh view. */
const followLogs = (previewInstanceId: string) => {
  if (client === undefined || generationId === undefined || streamedPreview === previewInstanceId) return;
  stream?.close();
  logView.clear();
  streamedPreview = previewInstanceId;
  show(el.logsPanel, true);
  stream = new PreviewLogStream({
    client,
    generationId,
    open: browserEventSource(EventSource),
    onLine: (line) => logView.append(line),
    onStatus: () => void refreshStatus(),
    onState: setConnection,
    onError: (e) => say(el.previewMessage, `Logs: ${describe(e)}`, "error"),
  });
  void stream.start();
};

// --- status -----------------------------------------------------------------------------------
const renderClock = () => {
  if (status === undefined) {
    el.uptime.textContent = "–";
    el.expiresIn.textContent = "–";
    el.idleIn.textContent = "–";
    return;
  }
  const now = Date.now();
  const started = status.startedAt === null ? undefined : Date.parse(status.startedAt);
  const ended = status.stoppedAt === null ? undefined : Date.parse(status.stoppedAt);
  el.uptime.textContent = started === undefined ? "–" : formatDuration(((live(status.status) ? now : (ended ?? now)) - started) / 1000);
  el.expiresIn.textContent = live(status.status) ? formatDuration((Date.parse(status.expiresAt) - now) / 1000) : "–";
  // Whichever comes first stops it: the idle stop is shown only while it is the nearer one's rival.
  el.idleIn.textContent = status.status === "running" && idleSeconds !== undefined
    ? formatDuration((Date.parse(status.lastActivityAt) + idleSeconds * 1000 - now) / 1000) : "–";
};
setInterval(renderClock, 1000);

const renderStatus = () => {
  const current = status;
  const s = current?.status;
  el.statusBadge.dataset.status = s ?? "none";
  el.statusBadge.textContent = s ?? "not launched";
  el.health.textContent = status === undefined || !live(s) ? "–" : status.healthStatus;
  const failed = current !== undefined && (s === "failed" || s === "crashed");
  show(el.failure, failed);
  if (current !== undefined && failed) renderFailure(el.failure, current);
  el.launch.disabled = live(s);
  el.stop.disabled = !live(s);
  el.extend.disabled = s !== "running";
  el.apply.disabled = s !== "running";
  const previewToken = current === undefined ? null : localStorage.getItem(previewTokenKey(current.previewInstanceId));
  const running = current !== undefined && s === "running";
  const docsUrl = running && previewToken !== null && client !== undefined
    ? client.docsUrl({ baseUrl: current.baseUrl, previewToken }) : undefined;
  show(el.docsLink, docsUrl !== undefined);
  show(el.docsHint, running && docsUrl === undefined);
  if (docsUrl !== undefined) el.docsLink.href = docsUrl;
  // The address while it lives; the sign-in link (token hand-off: the token becomes a cookie on the preview's origin) when this browser holds the token.
  show(el.address, current !== undefined && live(s));
  if (current !== undefined) el.previewUrl.textContent = current.previewUrl;
  const handoff = running && previewToken !== null ? `${current.previewUrl}?previewToken=${encodeURIComponent(previewToken)}` : undefined;
  show(el.handoffRow, handoff !== undefined);
  show(el.handoffHint, handoff !== undefined);
  if (handoff !== undefined) el.handoffLink.href = handoff;
  else el.handoffLink.removeAttribute("href");
  renderClock();
};

const loadEndpoints = async () => {
  if (client === undefined || generationId === undefined) return;
  const forGeneration = generationId;
  const result = await client.endpoints(forGeneration);
  if (forGeneration !== generationId) return;
  show(el.endpointsPanel, true);
  if (!result.ok) {
    say(el.endpointsSource, describe(result.error), "error");
    return;
  }
  say(el.endpointsSource, result.value.source === "live" ? "from the running app's OpenAPI" : `found in the code (static${live(status?.status) ? "" : ", no preview running"})`);
  // Re-rendering would close open "try it" panels: only when the list itself changed.
  const signature = JSON.stringify(result.value.endpoints.map((e: Endpoint) => [e.method, e.path, e.pathParams, e.queryParams, e.requestBody ?? null]));
  if (signature === endpointsSignature) return;
  endpointsSignature = signature;
  renderEndpoints(el.endpoints, result.value.endpoints, (body) => {
    if (client === undefined || generationId === undefined) return Promise.resolve({ ok: false, error: { status: 0, code: "not_found", message: "No generation is open", requestId: "" } });
    return client.request(generationId, body);
  });
};

const refreshStatus = async (): Promise<void> => {
  if (client === undefined || generationId === undefined) return;
  const forGeneration = generationId;
  const result = await client.status(forGeneration);
  if (forGeneration !== generationId) return;
  const before = status?.status;
  if (result.ok) {
    status = result.value;
    followLogs(status.previewInstanceId);
  } else if (result.error.code === "preview_not_found") status = undefined;
  else return handleError(result.error, el.previewMessage);
  renderStatus();
  // Running: the app's own list; no longer running: back to the code's, never a stale "from the running app".
  if ((status?.status === "running") !== (before === "running")) void loadEndpoints();
  if (status?.status !== before) void loadMyPreviews();
  // Poll while something can change (the clock ticks locally in between).
  if (live(status?.status) && pollTimer === undefined) pollTimer = setInterval(() => void refreshStatus(), 2000);
  if (!live(status?.status) && pollTimer !== undefined) {
    clearInterval(pollTimer);
    pollTimer = undefined;
  }
};

// --- generation -------------------------------------------------------------------------------
const recentGenerations = (): string[] => {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(recentKey) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
};
const renderRecent = () => el.recent.replaceChildren(...recentGenerations().map((id) => h("option", { value: id })));
const remember = (id: string) => {
  localStorage.setItem(recentKey, JSON.stringify([id, ...recentGenerations().filter((x) => x !== id)].slice(0, 20)));
  renderRecent();
};

/** Nothing of the previous generation stays on screen: its status, failure, address, logs and endpoints. */
const forgetGeneration = () => {
  stream?.close();
  stream = undefined;
  streamedPreview = undefined;
  status = undefined;
  generationId = undefined;
  idleSeconds = undefined;
  endpointsSignature = "";
  if (pollTimer !== undefined) clearInterval(pollTimer);
  pollTimer = undefined;
  logView.clear();
  setConnection("closed");
  el.generationInfo.replaceChildren();
  el.failure.replaceChildren();
  el.endpoints.replaceChildren();
  say(el.endpointsSource, "");
  say(el.previewMessage, "");
  say(el.copyMessage, "");
  for (const panel of [el.previewPanel, el.logsPanel, el.endpointsPanel]) show(panel, false);
  renderStatus();
};

const openGeneration = async (id: string) => {
  if (client === undefined) return;
  const result = await client.getGeneration(id);
  forgetGeneration();
  if (!result.ok) {
    // Refused sign-in: the link stays, to open once signed in; a bad id: the link goes with it.
    if (result.error.status === 401) return handleError(result.error, el.projectMessage);
    if (window.location.hash !== "") history.replaceState(null, "", window.location.pathname + window.location.search);
    return say(el.projectMessage, `Could not open ${id}: ${describe(result.error)}`, "error");
  }
  generationId = id;
  void client.config(id).then((config) => {
    if (config.ok && generationId === id) {
      idleSeconds = config.value.autoStopInactiveAfter;
      renderClock();
    }
  });
  remember(id);
  el.generationInput.value = id;
  if (window.location.hash !== `#g=${id}`) history.replaceState(null, "", `#g=${id}`);
  const g = result.value;
  el.generationInfo.replaceChildren("Generation ", h("code", { "data-testid": "generation-id" }, g.generationId),
    ` · project ${g.projectId} · ${g.fileCount} files · ${formatBytes(g.bytes)}${g.entry === undefined ? "" : ` · entry ${g.entry}`}`);
  show(el.previewPanel, true);
  renderStatus();
  renderMyPreviewsList();
  await Promise.all([refreshStatus(), loadEndpoints()]);
};

el.openForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const id = el.generationInput.value.trim();
  say(el.projectMessage, "");
  if (id !== "") void openGeneration(id);
});

// --- upload -----------------------------------------------------------------------------------
const setProgress = (label: string, percent: number) => {
  show(el.progressBox, true);
  el.progressLabel.textContent = label;
  el.progress.value = Math.round(percent);
};

const upload = async (picked: ReadonlyArray<PickedFile>) => {
  if (picked.length === 0) return say(el.projectMessage, "That folder has no files to upload.", "error");
  // Reading is the first 40% of the bar, sending the rest.
  const project = await readProject(picked, (done, total) => setProgress(`Reading files: ${done} of ${total}`, (done / total) * 40));
  const result = await sendProject(origin, token, { files: project.files }, (sent, total) =>
    setProgress(`Uploading: ${formatBytes(sent)} of ${formatBytes(total)}`, 40 + (total === 0 ? 60 : (sent / total) * 60)));
  if (!result.ok) {
    show(el.progressBox, false);
    return handleError(result.error, el.projectMessage);
  }
  setProgress("Uploaded", 100);
  const skipped = project.skipped.length === 0 ? "" : `; skipped ${project.skipped.map((s) => `${s.path} (${s.reason})`).join(", ")}`;
  say(el.projectMessage, `Uploaded ${result.value.fileCount} files (${formatBytes(result.value.bytes)})${skipped}.`);
  await openGeneration(result.value.generationId);
};

el.folderInput.addEventListener("change", () => {
  if (el.folderInput.files !== null) void upload(filesOfInput(el.folderInput.files));
  el.folderInput.value = "";
});
el.dropzone.addEventListener("click", () => el.folderInput.click());
el.dropzone.addEventListener("keydown", (event) => {
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    el.folderInput.click();
  }
});
el.dropzone.addEventListener("dragover", (event) => {
  event.preventDefault();
  el.dropzone.classList.add("dragging");
});
el.dropzone.addEventListener("dragleave", () => el.dropzone.classList.remove("dragging"));
el.dropzone.addEventListener("drop", (event) => {
  event.preventDefault();
  el.dropzone.classList.remove("dragging");
  const items = event.dataTransfer?.items;
  if (items !== undefined) void filesOfDrop(items).then(upload);
});

// --- preview controls -------------------------------------------------------------------------
el.launch.addEventListener("click", async () => {
  if (client === undefined || generationId === undefined) return;
  el.launch.disabled = true;
  say(el.previewMessage, "Launching…");
  const result = await client.launch(generationId);
  if (!result.ok) {
    el.launch.disabled = false;
    if (result.error.code === "preview_limit_reached") {
      // The way out: the live ones are listed, each with its Stop.
      say(el.previewMessage, `${result.error.message}: stop one under My previews (above), then launch again.`, "error");
      await loadMyPreviews();
      el.myPreviews.scrollIntoView({ block: "nearest" });
      return;
    }
    return handleError(result.error, el.previewMessage);
  }
  localStorage.setItem(previewTokenKey(result.value.previewInstanceId), result.value.previewToken);
  say(el.previewMessage, "");
  followLogs(result.value.previewInstanceId);
  await refreshStatus();
});
el.stop.addEventListener("click", async () => {
  if (client === undefined || generationId === undefined) return;
  el.stop.disabled = true;
  const result = await client.stop(generationId);
  if (!result.ok) handleError(result.error, el.previewMessage);
  else say(el.previewMessage, result.value.message);
  await refreshStatus();
});
el.extend.addEventListener("click", async () => {
  if (client === undefined || generationId === undefined) return;
  const result = await client.extend(generationId);
  if (!result.ok) return handleError(result.error, el.previewMessage);
  say(el.previewMessage, `Extended: now expires at ${new Date(result.value.expiresAt).toLocaleTimeString()} (${result.value.extensionsRemaining} extension${result.value.extensionsRemaining === 1 ? "" : "s"} left).`);
  await refreshStatus();
});

// Apply changes: the folder again, read like an upload; the running preview switches to it in place.
el.apply.addEventListener("click", () => el.applyInput.click());
el.applyInput.addEventListener("change", async () => {
  const picked = el.applyInput.files === null ? [] : filesOfInput(el.applyInput.files);
  el.applyInput.value = "";
  if (client === undefined || generationId === undefined || picked.length === 0) return;
  el.apply.disabled = true;
  say(el.previewMessage, "Applying changes…");
  const project = await readProject(picked, () => {});
  const result = await client.reload(generationId, { files: project.files });
  el.apply.disabled = false;
  if (!result.ok) {
    const failure = result.error.details?.failure as { kind?: string; file?: string; line?: number; message?: string } | undefined;
    if (result.error.code !== "reload_failed" || failure === undefined) return handleError(result.error, el.previewMessage);
    const where = failure.file === undefined ? "" : ` in ${failure.file}${failure.line === undefined ? "" : `:${failure.line}`}`;
    return say(el.previewMessage, `Not applied, the previous version still serves: ${failure.kind ?? "error"}${where}: ${failure.message ?? result.error.message}`, "error");
  }
  const n = result.value.changedFiles.length;
  say(el.previewMessage, `Reloaded in ${result.value.reloadMs} ms: ${n} file${n === 1 ? "" : "s"} changed.`);
  await refreshStatus();
  await loadEndpoints();
});

// --- my previews ------------------------------------------------------------------------------
const renderMyPreviewsList = () => {
  renderMyPreviews(el.myPreviews, myPreviews, generationId, {
    open: (id) => {
      if (id === generationId) return;
      history.replaceState(null, "", `#g=${id}`);
      say(el.projectMessage, "");
      void openGeneration(id);
    },
    stop: async (preview) => {
      if (client === undefined) return;
      const result = await client.stop(preview.generationId);
      if (!result.ok) handleError(result.error, el.myPreviewsMessage);
      else say(el.myPreviewsMessage, `${preview.generationId}: ${result.value.message}`);
      if (preview.generationId === generationId) await refreshStatus();
      await loadMyPreviews();
    },
  });
  const liveCount = myPreviews.filter((p) => live(p.status)).length;
  el.myPreviewsCount.textContent = myPreviews.length === 0 ? "none yet: upload a project and launch it" : `${liveCount} live · ${myPreviews.length} shown`;
  show(el.myPreviewsMore, myPreviewsCursor !== null);
};

/** A token kept for a preview that has ended opens nothing any more. */
const forgetEndedTokens = (previews: ReadonlyArray<PreviewSummary>) => {
  for (const p of previews) {
    if (!live(p.status)) localStorage.removeItem(previewTokenKey(p.previewInstanceId));
  }
};

/** The first page of the caller's previews, newest first (older pages on demand). */
async function loadMyPreviews(): Promise<void> {
  if (client === undefined) return;
  const result = await client.listPreviews({ limit: 10 });
  if (!result.ok) return handleError(result.error, el.myPreviewsMessage);
  myPreviews = [...result.value.previews];
  myPreviewsCursor = result.value.nextCursor;
  forgetEndedTokens(myPreviews);
  renderMyPreviewsList();
}
el.myPreviewsRefresh.addEventListener("click", () => void loadMyPreviews());
el.myPreviewsMore.addEventListener("click", async () => {
  if (client === undefined || myPreviewsCursor === null) return;
  const result = await client.listPreviews({ limit: 10, cursor: myPreviewsCursor });
  if (!result.ok) return handleError(result.error, el.myPreviewsMessage);
  myPreviews = [...myPreviews, ...result.value.previews];
  myPreviewsCursor = result.value.nextCursor;
  forgetEndedTokens(result.value.previews);
  renderMyPreviewsList();
});

// --- copy -------------------------------------------------------------------------------------
const copyInto = async (text: string, what: string) => {
  say(el.copyMessage, await copyText(text) ? `${what} copied.` : `Could not copy: select the ${what.toLowerCase()} and copy it yourself.`);
};
el.copyUrl.addEventListener("click", () => void copyInto(el.previewUrl.textContent ?? "", "Preview URL"));
el.copyHandoff.addEventListener("click", () => void copyInto(el.handoffLink.href, "Sign-in link"));

// --- sign-in ----------------------------------------------------------------------------------
function handleError(error: ApiError, target: HTMLElement): void {
  if (error.status === 401) return signedOut("Your token was refused or has expired. Sign in again.");
  say(target, describe(error), "error");
}

const signedIn = (newToken: string, who: string) => {
  token = newToken;
  client = createPreviewClient({ baseUrl: origin, token: () => token });
  show(el.signIn, false);
  show(el.workspace, true);
  el.account.replaceChildren(`Signed in as ${who}`);
  if (!localMode) el.account.append(" ", h("button", { type: "button", onclick: () => signedOut("") }, "Sign out"));
  renderRecent();
  void loadMyPreviews();
  const fromHash = /^#g=(.+)$/.exec(window.location.hash)?.[1];
  if (fromHash !== undefined) void openGeneration(decodeURIComponent(fromHash));
};

function signedOut(reason: string): void {
  sessionStorage.removeItem(tokenKey);
  stream?.close();
  token = "";
  client = undefined;
  if (localMode && reason !== "") {
    // A local token expired: get a fresh one.
    void signInLocally();
    return;
  }
  // The next user sees nothing of this one's: no generation, no previews.
  forgetGeneration();
  myPreviews = [];
  myPreviewsCursor = null;
  renderMyPreviewsList();
  show(el.workspace, false);
  show(el.signIn, true);
  el.account.replaceChildren();
  say(el.signInError, reason, "error");
  el.tokenInput.focus();
}

const signInLocally = async () => {
  const res = await fetch(`${origin}/api/dev/token`, { method: "POST" }).catch(() => undefined);
  const body = res?.ok === true ? (await res.json() as { token?: unknown; userId?: unknown }) : undefined;
  if (typeof body?.token === "string") signedIn(body.token, `${String(body.userId)} (local mode)`);
  else {
    show(el.signIn, true);
    say(el.signInError, "Local mode sign-in failed; paste a token instead.", "error");
  }
};

el.tokenForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const pasted = el.tokenInput.value.trim();
  if (pasted === "") return;
  sessionStorage.setItem(tokenKey, pasted);
  el.tokenInput.value = "";
  // The token's subject, for display only: the gateway is what checks it.
  let who = "a pasted token";
  try {
    const payload: unknown = JSON.parse(atob((pasted.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/")));
    if (typeof payload === "object" && payload !== null && "sub" in payload && typeof payload.sub === "string") who = payload.sub;
  } catch { /* not a JWT we can read; the API will say */ }
  signedIn(pasted, who);
});

window.addEventListener("hashchange", () => {
  const id = /^#g=(.+)$/.exec(window.location.hash)?.[1];
  if (id !== undefined && decodeURIComponent(id) !== generationId) void openGeneration(decodeURIComponent(id));
});

const saved = sessionStorage.getItem(tokenKey);
if (localMode) void signInLocally();
else if (saved !== null) signedIn(saved, "a saved token");
else signedOut("");
