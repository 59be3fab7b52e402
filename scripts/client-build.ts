// Builds the client package (libs/client) into plain ES modules under libs/client/dist (or the
// given dir): `npm run client:build`. The sources reach into libs/ for the shared contracts, so
// the package ships them bundled; react stays the app's own (an optional peer).
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export const buildClient = async (outDir = here("../libs/client/dist")): Promise<void> => {
  await build({
    entryPoints: { index: here("../libs/client/index.ts"), react: here("../libs/client/react/use-preview-logs.ts") },
    outdir: outDir,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: ["es2022"],
    external: ["react"],
    logLevel: "warning",
  });
};

if (import.meta.main) await buildClient(process.argv[2]);
