import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** What the sandbox image is built from (`runtime/recipe.json`). */
export interface ImageRecipe {
  readonly suite: string;
  readonly variant: string;
  readonly packages: ReadonlyArray<string>;
}

/** Bumped when the way an image is built changes (hooks, layout), so old images are not reused. */
const buildFormat = 1;

const defaultRecipePath = fileURLToPath(new URL("../../../runtime/recipe.json", import.meta.url));

const isStringArray = (v: unknown): v is ReadonlyArray<string> => Array.isArray(v) && v.every((x) => typeof x === "string" && x !== "");

export const readRecipe = (path: string = defaultRecipePath): ImageRecipe => {
  const raw: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (typeof raw !== "object" || raw === null) throw new Error(`${path}: not a JSON object`);
  const { suite, variant, packages } = raw as Record<string, unknown>;
  if (typeof suite !== "string" || typeof variant !== "string" || !isStringArray(packages) || packages.length === 0) {
    throw new Error(`${path}: expected { suite: string, variant: string, packages: string[] }`);
  }
  return { suite, variant, packages };
};

/**
 * The image's identity: suite, variant and the sorted package list (the mirror is not part of it,
 * any mirror serves the same suite). 16 hex digits name the image's directory.
 */
export const recipeHash = (recipe: ImageRecipe): string =>
  createHash("sha256")
    .update(JSON.stringify({ buildFormat, suite: recipe.suite, variant: recipe.variant, packages: [...recipe.packages].sort() }))
    .digest("hex")
    .slice(0, 16);
