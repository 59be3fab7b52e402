import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Effect } from "effect";
import { LineSplitter } from "../../logsink/line-splitter.ts";
import { RuntimeUnavailable } from "../errors.ts";
import { groupExists, signalGroup } from "../process-identity.ts";
import { type ImageRecipe, recipeHash } from "./recipe.ts";

/** A built image: `root` is the root filesystem the sandbox mounts read-only. */
export interface ImageInfo {
  readonly hash: string;
  readonly root: string;
  readonly python: string;
  readonly distributions: Readonly<Record<string, string>>;
  readonly builtAt: string;
  readonly buildSeconds: number;
  readonly bytes: number;
}

export const defaultMirror = "http://deb.debian.org/debian";

/** Where the image of `hash` lives: `<imagesDir>/<hash>/{root,image.json}`; builds go to `.building-<hash>-<pid>`. */
const imagePaths = (imagesDir: string, hash: string) => ({
  dir: join(imagesDir, hash),
  root: join(imagesDir, hash, "root"),
  info: join(imagesDir, hash, "image.json"),
});

/** The built image for `recipe`, if there is one (an interrupted build never leaves one). */
export const findImage = (imagesDir: string, recipe: ImageRecipe): ImageInfo | undefined => {
  const paths = imagePaths(imagesDir, recipeHash(recipe));
  try {
    const info = JSON.parse(readFileSync(paths.info, "utf8")) as Omit<ImageInfo, "root">;
    return existsSync(join(paths.root, "usr/bin/python3")) ? { ...info, root: paths.root } : undefined;
  } catch {
    return undefined;
  }
};

/** Whether a system tool is installed in the system directories. */
export const onPath = (command: string): boolean =>
  ["/usr/sbin", "/usr/bin", "/sbin", "/bin"].some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

const howToBuild = "then run `npm run runtime:build` (or set ORCHESTRATOR_RUNTIME=host to use the host runtime)";

/** Why a build cannot run here, or undefined when it can: root, mmdebstrap, bwrap and a reachable mirror. */
const buildBlocker = async (mirror: string, suite: string): Promise<string | undefined> => {
  if (process.getuid?.() !== 0) return `Building the sandbox image needs root (mmdebstrap); run \`npm run runtime:build\` as root once, ${howToBuild.slice(5)}`;
  const missing = ["mmdebstrap", "bwrap"].filter((c) => !onPath(c));
  if (missing.length > 0) {
    return `Building the sandbox image needs ${missing.join(" and ")}: apt-get install -y ${missing.map((c) => (c === "bwrap" ? "bubblewrap" : c)).join(" ")}, ${howToBuild}`;
  }
  const release = `${mirror.replace(/\/+$/, "")}/dists/${suite}/Release`;
  try {
    const res = await fetch(release, { method: "HEAD", signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return `The Debian mirror answered ${res.status} for ${release}; set ORCHESTRATOR_RUNTIME_MIRROR to a reachable Debian mirror, ${howToBuild}`;
  } catch (e) {
    const reason = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    return `The Debian mirror ${mirror} cannot be reached (${reason}); set ORCHESTRATOR_RUNTIME_MIRROR to a reachable Debian mirror, ${howToBuild}`;
  }
  return undefined;
};

/** Runs a command in its own process group, lines to `onLine`; interrupting the effect kills the group. */
const runLogged = (command: string, args: ReadonlyArray<string>, onLine: (line: string) => void) =>
  Effect.callback<void, RuntimeUnavailable>((resume) => {
    const child = spawn(command, args, { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C.UTF-8" } });
    const tail: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      const splitter = new LineSplitter((line) => {
        tail.push(line);
        if (tail.length > 12) tail.shift();
        onLine(line);
      });
      stream.on("data", (chunk: Buffer) => splitter.push(chunk));
      stream.on("end", () => splitter.end());
    }
    child.once("error", (e) => resume(Effect.fail(new RuntimeUnavailable({ message: `Could not run ${command}: ${e.message}` }))));
    child.once("close", (code, signal) => {
      if (code === 0) resume(Effect.void);
      else resume(Effect.fail(new RuntimeUnavailable({ message: `${command} failed (${code ?? signal}):\n${tail.join("\n")}` })));
    });
    return Effect.sync(() => {
      if (child.pid !== undefined && groupExists(child.pid)) signalGroup(child.pid, "SIGKILL");
    });
  });

const manifestScript = [
  "import json, sys, importlib.metadata as m, re",
  "d = {re.sub(r'[-_.]+', '-', x.metadata['Name']).lower(): x.version for x in m.distributions() if x.metadata['Name']}",
  "print(json.dumps({'python': sys.version.split()[0], 'distributions': dict(sorted(d.items()))}))",
].join("\n");

const readOutput = (command: string, args: ReadonlyArray<string>) =>
  Effect.callback<string, RuntimeUnavailable>((resume) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C.UTF-8" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => { out += c.toString("utf8"); });
    child.stderr.on("data", (c: Buffer) => { err += c.toString("utf8"); });
    child.once("error", (e) => resume(Effect.fail(new RuntimeUnavailable({ message: `Could not run ${command}: ${e.message}` }))));
    child.once("close", (code) => resume(code === 0 ? Effect.succeed(out) : Effect.fail(new RuntimeUnavailable({ message: `${command} failed: ${err.trim()}` }))));
  });

/** Build directories of processes that are gone (an interrupted or killed build) are removed. */
const removeAbandonedBuilds = (imagesDir: string) => {
  for (const name of readdirSync(imagesDir)) {
    const pid = /^\.building-[0-9a-f]+-(\d+)$/.exec(name)?.[1];
    if (pid === undefined) continue;
    try {
      process.kill(Number(pid), 0);
    } catch {
      rmSync(join(imagesDir, name), { recursive: true, force: true });
    }
  }
};

/**
 * Builds the image of `recipe` with mmdebstrap into a build directory, records what it holds, and
 * renames it into place: an interrupted build leaves no image, only a build dir the next build removes.
 */
export const buildImage = (options: {
  readonly imagesDir: string;
  readonly recipe: ImageRecipe;
  readonly mirror: string;
  readonly onProgress: (line: string) => void;
}): Effect.Effect<ImageInfo, RuntimeUnavailable> =>
  Effect.gen(function* () {
    const { imagesDir, recipe, mirror, onProgress } = options;
    const existing = findImage(imagesDir, recipe);
    if (existing !== undefined) return existing;
    const blocker = yield* Effect.promise(() => buildBlocker(mirror, recipe.suite));
    if (blocker !== undefined) return yield* Effect.fail(new RuntimeUnavailable({ message: blocker }));
    const hash = recipeHash(recipe);
    const paths = imagePaths(imagesDir, hash);
    const building = join(imagesDir, `.building-${hash}-${process.pid}`);
    yield* Effect.promise(() => mkdir(imagesDir, { recursive: true }));
    removeAbandonedBuilds(imagesDir);
    const started = Date.now();
    onProgress(`building the sandbox image ${hash} (Debian ${recipe.suite}, ${recipe.packages.length} packages) from ${mirror}; about a minute, once`);
    const build = Effect.gen(function* () {
      yield* Effect.promise(() => rm(building, { recursive: true, force: true }));
      yield* Effect.promise(() => mkdir(building, { recursive: true }));
      yield* runLogged("mmdebstrap", [
        `--variant=${recipe.variant}`, `--include=${recipe.packages.join(",")}`, "--mode=root",
        recipe.suite, join(building, "root"), mirror,
      ], (line) => onProgress(`image: ${line}`));
      const manifest = JSON.parse(yield* readOutput("chroot", [join(building, "root"), "/usr/bin/python3", "-c", manifestScript])) as {
        python: string;
        distributions: Record<string, string>;
      };
      const bytes = Number((yield* readOutput("du", ["-sb", join(building, "root")])).split("\t")[0]);
      const info: Omit<ImageInfo, "root"> = {
        hash, ...manifest, builtAt: new Date().toISOString(), buildSeconds: Math.round((Date.now() - started) / 100) / 10, bytes,
      };
      yield* Effect.promise(() => writeFile(join(building, "image.json"), `${JSON.stringify(info, null, 2)}\n`));
      const renamed = yield* Effect.promise(() => rename(building, paths.dir).then(() => true, () => false));
      // Another process finished the same image first: theirs is as good as ours.
      if (!renamed) yield* Effect.promise(() => rm(building, { recursive: true, force: true }));
    });
    yield* build.pipe(Effect.onExit(() => Effect.promise(() => rm(building, { recursive: true, force: true }))));
    const image = findImage(imagesDir, recipe);
    if (image === undefined) return yield* Effect.fail(new RuntimeUnavailable({ message: `The sandbox image build finished but ${paths.dir} holds no usable image` }));
    onProgress(`sandbox image ${hash} built in ${image.buildSeconds} s (${Math.round(image.bytes / 1e6)} MB, Python ${image.python}, FastAPI ${image.distributions.fastapi ?? "?"})`);
    return image;
  });
