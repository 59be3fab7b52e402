// Builds the sandbox runtime's image from runtime/recipe.json when it is missing: npm run runtime:build
// Reads DATA_DIR, ORCHESTRATOR_RUNTIME_IMAGE_DIR and ORCHESTRATOR_RUNTIME_MIRROR like the orchestrator.
import { ConfigProvider, Effect } from "effect";
import { platformConfig } from "../libs/config/platform.ts";
import { buildImage, findImage } from "../libs/runtime/image/image-store.ts";
import { readRecipe, recipeHash } from "../libs/runtime/image/recipe.ts";
import { imagesDirOf } from "../libs/runtime/sandbox-runtime.ts";
import { orchestratorConfig } from "../services/orchestrator/config.ts";

const provider = ConfigProvider.fromEnv();
const platform = await Effect.runPromise(platformConfig.parse(provider));
const config = await Effect.runPromise(orchestratorConfig.parse(provider));
const imagesDir = imagesDirOf(platform.dataDir, config.runtimeImageDir);
const recipe = readRecipe();
const existing = findImage(imagesDir, recipe);
if (existing !== undefined) {
  console.log(`runtime:build: image ${existing.hash} is already built at ${existing.root} (${Math.round(existing.bytes / 1e6)} MB, Python ${existing.python})`);
} else {
  console.log(`runtime:build: building image ${recipeHash(recipe)} into ${imagesDir}`);
  const result = await Effect.runPromise(Effect.result(buildImage({
    imagesDir, recipe, mirror: config.runtimeMirror, onProgress: (line) => console.log(`runtime:build: ${line}`),
  })));
  if (result._tag === "Failure") {
    console.error(`runtime:build: FAILED: ${result.failure.message}`);
    process.exitCode = 1;
  } else {
    console.log(`runtime:build: done: ${result.success.root}`);
  }
}
