import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { WebAsset } from "./bundle.ts";

// Swagger UI's files come from the swagger-ui-dist package (no CDN: previews and this machine may
// have no internet), served under content-hashed names like the page's own.
const dist = (file: string) => fileURLToPath(new URL(`../../node_modules/swagger-ui-dist/${file}`, import.meta.url));
const hashed = (base: string, ext: string, body: string) => `${base}.${createHash("sha256").update(body).digest("hex").slice(0, 12)}.${ext}`;

/** The reference may style its own elements inline (Swagger UI does); scripts only its own files. */
export const referenceCsp = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; frame-src 'none'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export interface ReferenceAssets {
  readonly html: string;
  readonly assets: ReadonlyArray<WebAsset>;
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);

/** `/api/reference`: Swagger UI over /api/openapi.json, started by `initScript` (page/reference.ts, bundled). */
export const buildReference = async (options: { readonly localMode: boolean; readonly initScript: WebAsset }): Promise<ReferenceAssets> => {
  // A trailing source-map comment would name a file we do not serve.
  const js = (await readFile(dist("swagger-ui-bundle.js"), "utf8")).replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
  const css = (await readFile(dist("swagger-ui.css"), "utf8")).replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, "");
  const jsAsset: WebAsset = { name: hashed("swagger-ui-bundle", "js", js), body: js, type: "text/javascript; charset=utf-8" };
  const cssAsset: WebAsset = { name: hashed("swagger-ui", "css", css), body: css, type: "text/css; charset=utf-8" };
  const html = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Preview platform API reference</title>
  <link rel="stylesheet" href="/assets/${escape(cssAsset.name)}">
  <script src="/assets/${escape(jsAsset.name)}"></script>
  <script type="module" src="/assets/${escape(options.initScript.name)}"></script>
</head>
<body data-local-mode="${String(options.localMode)}">
  <div id="swagger-ui"><p>Loading the API reference… The document itself: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).</p></div>
</body>
</html>`;
  return { html, assets: [jsAsset, cssAsset] };
};
