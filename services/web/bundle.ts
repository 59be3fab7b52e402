import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export interface WebAsset {
  readonly name: string;
  readonly body: string;
  readonly type: string;
}

export interface WebAssets {
  readonly html: string;
  /** By file name; names carry a content hash, so they can be cached for good. */
  readonly assets: ReadonlyMap<string, WebAsset>;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const hashed = (base: string, ext: string, body: string) => `${base}.${createHash("sha256").update(body).digest("hex").slice(0, 12)}.${ext}`;

/**
 * Bundles the page (page/main.ts and the typed client it imports) into one ES module with
 * esbuild, in memory, and fills index.html with the hashed asset names.
 */
export const buildWebAssets = async (options: { readonly localMode: boolean }): Promise<WebAssets> => {
  const result = await build({
    entryPoints: [here("./page/main.ts")],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: ["es2022"],
    minify: true,
    legalComments: "none",
    logLevel: "silent",
  });
  const js = result.outputFiles[0]?.text ?? "";
  const css = await readFile(here("./styles.css"), "utf8");
  const jsName = hashed("app", "js", js);
  const cssName = hashed("styles", "css", css);
  const template = await readFile(here("./index.html"), "utf8");
  const html = template
    .replaceAll("{{script}}", `/assets/${jsName}`)
    .replaceAll("{{styles}}", `/assets/${cssName}`)
    .replaceAll("{{localMode}}", String(options.localMode));
  return {
    html,
    assets: new Map([
      [jsName, { name: jsName, body: js, type: "text/javascript; charset=utf-8" }],
      [cssName, { name: cssName, body: css, type: "text/css; charset=utf-8" }],
    ]),
  };
};
