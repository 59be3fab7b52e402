import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Deferred, Effect, Fiber } from "effect";
import { afterAll, describe, expect, it } from "vitest";
import { buildImage, defaultMirror, findImage } from "../../libs/runtime/image/image-store.ts";
import { readRecipe, recipeHash } from "../../libs/runtime/image/recipe.ts";

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe("the sandbox image build", () => {
  it("an interrupted build leaves no image and no build dir; a dead build's leftovers are removed by the next", async () => {
    const imagesDir = mkdtempSync(join(tmpdir(), "images-"));
    dirs.push(imagesDir);
    const recipe = readRecipe();
    // Left behind by a build whose process is gone (pid 2^22 + 1 cannot exist).
    const abandoned = join(imagesDir, `.building-${recipeHash(recipe)}-4194305`);
    mkdirSync(join(abandoned, "root"), { recursive: true });
    const progress: string[] = [];
    const result = await Effect.runPromise(Effect.gen(function* () {
      const started = yield* Deferred.make<void>();
      const fiber = yield* Effect.forkChild(buildImage({
        imagesDir, recipe, mirror: defaultMirror,
        onProgress: (line) => {
          progress.push(line);
          if (line.startsWith("image: ")) Effect.runSync(Deferred.succeed(started, undefined));
        },
      }));
      yield* Deferred.await(started);
      const building = readdirSync(imagesDir);
      yield* Fiber.interrupt(fiber);
      return building;
    }));
    expect(progress[0]).toMatch(new RegExp(`^building the sandbox image ${recipeHash(recipe)} \\(Debian trixie, \\d+ packages\\) from ${defaultMirror}`));
    expect(result).toEqual([`.building-${recipeHash(recipe)}-${process.pid}`]);
    expect(existsSync(abandoned)).toBe(false);
    expect(readdirSync(imagesDir)).toEqual([]);
    expect(findImage(imagesDir, recipe)).toBeUndefined();
  });
});
