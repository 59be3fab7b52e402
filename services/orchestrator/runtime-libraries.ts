// Where the preview's runtime has its installed packages, for the extractor to follow imports
// that leave the project (library-built routers). `identity` changes whenever what those dirs
// hold may have changed, and is part of the static extraction's cache key.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Effect } from "effect";
import { findImage } from "../../libs/runtime/image/image-store.ts";
import type { ImageRecipe } from "../../libs/runtime/image/recipe.ts";
import { builtVenv } from "../../libs/runtime/requirements/requirements.ts";

export interface LibrarySet {
  /** Absolute dirs, searched in order (the first that has a module wins, as on sys.path). */
  readonly dirs: ReadonlyArray<string>;
  readonly identity: string;
}

/** The library dirs a generation's preview would import from. */
export type RuntimeLibraries = (generationDir: string) => Effect.Effect<LibrarySet>;

export const noLibraries: RuntimeLibraries = () => Effect.succeed({ dirs: [], identity: "" });

const venvSitePackages = (venv: string): ReadonlyArray<string> => {
  try {
    return readdirSync(join(venv, "lib")).filter((d) => d.startsWith("python")).map((d) => join(venv, "lib", d, "site-packages")).filter((d) => existsSync(d));
  } catch {
    return [];
  }
};

/** The sandbox: the generation's requirements venv (if already built), then the image's dist-packages. */
export const sandboxLibraries = (o: {
  readonly imagesDir: string;
  readonly recipe: ImageRecipe;
  readonly venvsDir: string;
  readonly indexUrl: string | undefined;
  readonly findLinks: string | undefined;
}): RuntimeLibraries => (generationDir) =>
  Effect.sync(() => {
    const image = findImage(o.imagesDir, o.recipe);
    if (image === undefined) return { dirs: [], identity: "no image" };
    const venv = builtVenv({ venvsDir: o.venvsDir, imageHash: image.hash, indexUrl: o.indexUrl, findLinks: o.findLinks }, generationDir);
    const dirs = [...(venv === undefined ? [] : venvSitePackages(venv.dir)), join(image.root, "usr/lib/python3/dist-packages")].filter((d) => existsSync(d));
    return { dirs, identity: `image ${image.hash}${venv === undefined ? "" : ` venv ${venv.hash}`}` };
  });

const sitePackagesOf = (python: string) =>
  Effect.promise(() =>
    promisify(execFile)(python, ["-c", "import json, site; print(json.dumps(site.getsitepackages()))"], { timeout: 30_000 })
      .then(({ stdout }) => ({ python, dirs: (JSON.parse(stdout) as ReadonlyArray<string>).filter((d) => existsSync(d)) }))
      .catch(() => ({ python, dirs: [] as ReadonlyArray<string> })),
  );

const mtimeOf = (dir: string) => {
  try {
    return statSync(dir).mtimeMs;
  } catch {
    return 0;
  }
};

/** The host: the preview Python's site-packages, asked once when first needed; installing a package changes a dir's mtime, hence the identity. */
export const hostLibraries = (python: Effect.Effect<string>): Effect.Effect<RuntimeLibraries> =>
  Effect.map(Effect.cached(Effect.flatMap(python, sitePackagesOf)), (asked) => () =>
    Effect.map(asked, ({ python, dirs }) => ({ dirs, identity: `host ${python} ${dirs.map((d) => `${d}@${mtimeOf(d)}`).join(" ")}` })));
