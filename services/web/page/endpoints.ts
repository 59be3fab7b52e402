import type { ApiResult } from "../../../libs/client/api-client.ts";
import type { Endpoint, Param } from "../../../libs/extractor/endpoint.ts";
import type { PreviewRequestBody, PreviewRequestResult } from "../../../libs/previews/request-schema.ts";
import { h } from "./dom.ts";

export type SendRequest = (body: PreviewRequestBody) => Promise<ApiResult<PreviewRequestResult>>;

const callable = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
type CallableMethod = (typeof callable)[number];
const isCallable = (m: string): m is CallableMethod => (callable as ReadonlyArray<string>).includes(m);

/** `/items/{item_id}` with each `{param}` in its own element, so it can be highlighted. */
export const pathWithParams = (path: string): HTMLElement => {
  const code = h("code", { class: "endpoint-path" });
  for (const part of path.split(/(\{[^}]+\})/)) {
    if (part === "") continue;
    code.append(part.startsWith("{") ? h("span", { class: "path-param" }, part) : part);
  }
  return code;
};

/** The request path with path parameters filled in (a `:path` converter keeps its slashes). */
export const fillPath = (path: string, values: ReadonlyMap<string, string>): string =>
  path.replace(/\{([^}:]+)(:[^}]+)?\}/g, (_, name: string, converter: string | undefined) => {
    const value = values.get(name) ?? "";
    return converter === ":path" ? encodeURI(value) : encodeURIComponent(value);
  });

const sampleOf = (param: Param): unknown => {
  const type = (param.type ?? "").toLowerCase();
  if (/\b(int|float|decimal|number)\b/.test(type)) return 0;
  if (/\bbool/.test(type)) return false;
  if (/^(list|set|tuple)\b|\[\]$/.test(type)) return [];
  if (/^dict\b/.test(type)) return {};
  return "";
};

const bodySkeleton = (endpoint: Endpoint): string => {
  const fields = endpoint.requestBody?.fields;
  if (fields === undefined || fields.length === 0) return "{}";
  return JSON.stringify(Object.fromEntries(fields.map((f) => [f.name, sampleOf(f)])), null, 2);
};

const slug = (endpoint: Endpoint) => `${endpoint.method}-${endpoint.path}`.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase();

const field = (id: string, label: string, hint: string | undefined, attrs: Record<string, string> = {}) =>
  h("div", { class: "field" },
    h("label", { for: id }, label, hint === undefined ? null : h("span", { class: "hint" }, ` ${hint}`)),
    h("input", { id, type: "text", autocomplete: "off", spellcheck: "false", ...attrs }));

const renderResult = (out: HTMLElement, result: ApiResult<PreviewRequestResult>) => {
  if (!result.ok) {
    out.replaceChildren(h("p", { class: "error", role: "alert" }, `${result.error.message} (${result.error.code})`));
    return;
  }
  const r = result.value;
  const headers = Object.entries(r.headers);
  const body = r.encoding === "base64" ? `(binary, ${r.data === null ? 0 : String(r.data).length} base64 characters)`
    : typeof r.data === "string" ? r.data : JSON.stringify(r.data, null, 2);
  const kind = r.statusCode >= 500 ? "5xx" : r.statusCode >= 400 ? "4xx" : r.statusCode >= 300 ? "3xx" : "2xx";
  out.replaceChildren(
    h("div", { class: "result-meta" },
      h("span", { class: `status-code status-${kind}`, "data-testid": "response-status" }, String(r.statusCode)),
      h("span", { class: "duration", "data-testid": "response-duration" }, `${r.durationMs < 10 ? r.durationMs.toFixed(1) : Math.round(r.durationMs)} ms`)),
    h("details", { class: "result-headers" },
      h("summary", {}, `Headers (${headers.length})`),
      h("table", {}, h("tbody", {}, ...headers.map(([k, v]) => h("tr", {}, h("th", { scope: "row" }, k), h("td", {}, v)))))),
    h("pre", { class: "result-body", "data-testid": "response-body", tabindex: "0", "aria-label": "Response body" }, body),
  );
};

/** The "try it" form of one endpoint: fields from its parameters, sent through route 5. */
const tryIt = (endpoint: Endpoint, send: SendRequest): HTMLElement => {
  const id = slug(endpoint);
  if (!isCallable(endpoint.method)) return h("p", { class: "hint" }, "WebSocket routes cannot be called from here.");
  const method = endpoint.method;
  const withBody = endpoint.requestBody !== undefined || method === "POST" || method === "PUT" || method === "PATCH";
  const pathFields = endpoint.pathParams.map((p) => field(`${id}-path-${p.name}`, p.name, p.type, { "data-path": p.name, required: "" }));
  const queryFields = endpoint.queryParams.map((p) => field(`${id}-query-${p.name}`, p.name, p.type, { "data-query": p.name }));
  const bodyId = `${id}-body`;
  const bodyField = withBody
    ? h("div", { class: "field" }, h("label", { for: bodyId }, "Request body (JSON)", endpoint.requestBody === undefined ? null : h("span", { class: "hint" }, ` ${endpoint.requestBody.model}`)),
      h("textarea", { id: bodyId, rows: "5", spellcheck: "false" }, bodySkeleton(endpoint)))
    : null;
  const out = h("div", { class: "try-result", "aria-live": "polite" });
  const button = h("button", { type: "submit", class: "primary" }, "Send");
  const form = h("form", { class: "try-it", "aria-label": `Try ${method} ${endpoint.path}` },
    pathFields.length > 0 ? h("fieldset", {}, h("legend", {}, "Path"), ...pathFields) : null,
    queryFields.length > 0 ? h("fieldset", {}, h("legend", {}, "Query"), ...queryFields) : null,
    bodyField,
    h("div", { class: "actions" }, button),
    out);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const pathValues = new Map(Array.from(form.querySelectorAll<HTMLInputElement>("input[data-path]"), (i) => [i.dataset.path ?? "", i.value] as const));
    const query = Object.fromEntries(Array.from(form.querySelectorAll<HTMLInputElement>("input[data-query]"))
      .filter((i) => i.value !== "").map((i) => [i.dataset.query ?? "", i.value]));
    const request: { -readonly [K in keyof PreviewRequestBody]: PreviewRequestBody[K] } = { method, path: fillPath(endpoint.path, pathValues) };
    if (Object.keys(query).length > 0) request.query = query;
    const textarea = form.querySelector<HTMLTextAreaElement>("textarea");
    if (textarea !== null && textarea.value.trim() !== "") {
      try {
        request.body = JSON.parse(textarea.value);
      } catch (e) {
        out.replaceChildren(h("p", { class: "error", role: "alert" }, `The body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`));
        textarea.focus();
        return;
      }
    }
    button.disabled = true;
    out.replaceChildren(h("p", { class: "hint" }, "Sending…"));
    void send(request).then((result) => {
      button.disabled = false;
      renderResult(out, result);
    });
  });
  return form;
};

/** The endpoint list, grouped by tag, each with a method badge and a "try it" panel. */
export const renderEndpoints = (container: HTMLElement, endpoints: ReadonlyArray<Endpoint>, send: SendRequest): void => {
  if (endpoints.length === 0) {
    container.replaceChildren(h("p", { class: "hint" }, "No endpoints found."));
    return;
  }
  const groups = new Map<string, Endpoint[]>();
  for (const e of endpoints) {
    const tag = e.tags[0] ?? "default";
    groups.set(tag, [...(groups.get(tag) ?? []), e]);
  }
  container.replaceChildren(...Array.from(groups, ([tag, list]) =>
    h("section", { class: "endpoint-group", "aria-label": `${tag} endpoints` },
      h("h3", {}, tag),
      h("ul", { class: "endpoint-list" }, ...list.map((e) => {
        const details = h("details", { class: "endpoint", "data-endpoint": `${e.method} ${e.path}` },
          h("summary", {},
            h("span", { class: `method method-${e.method.toLowerCase()}` }, e.method),
            pathWithParams(e.path),
            e.summary === undefined ? h("span", { class: "endpoint-name" }, e.name) : h("span", { class: "endpoint-name" }, e.summary),
            e.deprecated === true ? h("span", { class: "deprecated" }, "deprecated") : null));
        // Built when first opened: a big API does not pay for hundreds of forms up front.
        details.addEventListener("toggle", () => {
          if (details.open && details.querySelector("form, p.hint") === null) {
            if (e.description !== undefined) details.append(h("p", { class: "endpoint-description" }, e.description));
            details.append(tryIt(e, send));
          }
        });
        return h("li", {}, details);
      })))));
};
