import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Effect, Layer } from "effect";
import { GenerationNotFound, GenerationQuotaExceeded } from "../../libs/generations/errors.ts";
import { type GenerationView, Generations } from "../../libs/generations/contract.ts";
import type { FileLimits } from "../../libs/generations/file-limits.ts";
import { type ProjectFile, validateFiles } from "../../libs/generations/validate-files.ts";
import { InvalidRequest } from "../../libs/http/request-errors.ts";
import { newId } from "../../libs/ids/ids.ts";
import { detectEntry, moduleOfFile } from "../../libs/runtime/entry.ts";
import { type GenerationRow, OrchestratorStore } from "./store/contract.ts";
import { changedPaths, readStoredFiles, revisedFiles } from "./generation-revision.ts";

const incomingPrefix = ".incoming-";

const contentHash = (files: ReadonlyArray<ProjectFile>): string => {
  const hash = createHash("sha256");
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    hash.update(f.path).update("\0").update(String(f.content.byteLength)).update("\0").update(f.content);
  }
  return hash.digest("hex");
};

/** Writes every file under a temp dir, then renames it into place: a reader never sees half a generation. */
const writeAtomically = async (root: string, id: string, files: ReadonlyArray<ProjectFile>): Promise<string> => {
  const incoming = join(root, incomingPrefix + id);
  const final = join(root, id);
  try {
    for (const file of files) {
      const target = join(incoming, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content, { flag: "wx" });
    }
    await rename(incoming, final);
    return final;
  } catch (e) {
    await rm(incoming, { recursive: true, force: true });
    throw e;
  }
};

const toView = (row: GenerationRow): GenerationView => ({
  generationId: row.id,
  projectId: row.projectId,
  fileCount: row.fileCount,
  bytes: row.bytes,
  createdAt: new Date(row.createdAt).toISOString(),
  ...(row.entry === null ? {} : { entry: row.entry }),
});

const parseStoredEntry = (entry: string | null) => {
  if (entry === null) return undefined;
  const [file = "", attribute = "app"] = entry.split(":");
  return { file, module: moduleOfFile(file), attribute };
};

/** What one user may keep stored, in generations and in bytes of files. */
export interface UserQuota {
  readonly maxGenerations: number;
  readonly maxBytes: number;
}

export const GenerationStoreLive = (options: { readonly root: string; readonly limits: FileLimits; readonly quota: UserQuota }) =>
  Layer.effect(
    Generations,
    Effect.gen(function* () {
      const store = yield* OrchestratorStore;
      // An upload interrupted by a crash leaves only its temp dir; it was never visible, so it goes.
      yield* Effect.promise(async () => {
        await mkdir(options.root, { recursive: true });
        for (const name of await readdir(options.root)) {
          if (name.startsWith(incomingPrefix)) await rm(join(options.root, name), { recursive: true, force: true });
        }
      });

      const findOwned = (userId: string, generationId: string) =>
        store.generations.owned(userId, generationId).pipe(
          Effect.flatMap((row) => (row === undefined ? Effect.fail(new GenerationNotFound({ generationId })) : Effect.succeed(row))),
        );

      const overQuota = (adding: number) => (used: { readonly count: number; readonly bytes: number }): GenerationQuotaExceeded | undefined => {
        const n = used.count;
        const bytes = used.bytes;
        if (n >= options.quota.maxGenerations) return new GenerationQuotaExceeded({ quota: "count", used: n, adding: 1, max: options.quota.maxGenerations });
        if (bytes + adding > options.quota.maxBytes) return new GenerationQuotaExceeded({ quota: "bytes", used: bytes, adding, max: options.quota.maxBytes });
        return undefined;
      };

      return Generations.of({
        create: (userId, body) =>
          Effect.gen(function* () {
            const files = validateFiles(body.files, options.limits);
            if (files instanceof InvalidRequest) return yield* Effect.fail(files);
            const adding = files.reduce((n, f) => n + f.content.byteLength, 0);
            // Checked before writing (nothing written for a refused upload), and again with the insert.
            const early = overQuota(adding)(yield* store.generations.usage(userId));
            if (early !== undefined) return yield* Effect.fail(early);
            const id = newId();
            const entry = detectEntry(files.map((f) => ({ path: f.path, text: f.content.toString("utf8") })));
            const dir = yield* Effect.promise(() => writeAtomically(options.root, id, files));
            const row: GenerationRow = {
              id,
              userId,
              projectId: body.projectId ?? id,
              fileCount: files.length,
              bytes: adding,
              contentHash: contentHash(files),
              entry: entry === undefined ? null : `${entry.file}:${entry.attribute}`,
              createdAt: Date.now(),
            };
            // Usage read and insert in one transaction serialised per user: two uploads racing cannot both pass.
            const refused = yield* store.generations.insertUnless(row, overQuota(adding)).pipe(
              Effect.onError(() => Effect.promise(() => rm(dir, { recursive: true, force: true }))),
            );
            if (refused !== undefined) {
              yield* Effect.promise(() => rm(dir, { recursive: true, force: true }));
              return yield* Effect.fail(refused);
            }
            return toView(row);
          }),
        get: (userId, generationId) => findOwned(userId, generationId).pipe(Effect.map(toView)),
        stage: (userId, generationId, body) =>
          Effect.gen(function* () {
            const row = yield* findOwned(userId, generationId);
            const currentDir = join(options.root, row.id);
            const current = yield* Effect.promise(() => readStoredFiles(currentDir));
            const next = revisedFiles(current, body);
            if (next instanceof InvalidRequest) return yield* Effect.fail(next);
            const files = validateFiles(next, options.limits);
            if (files instanceof InvalidRequest) return yield* Effect.fail(files);
            // Staged under the upload prefix: what a crash leaves before the commit goes at the next start.
            const stagedId = `${incomingPrefix}staged-${row.id}-${randomBytes(4).toString("hex")}`;
            const dir = yield* Effect.promise(() => writeAtomically(options.root, stagedId, files));
            const discard = Effect.promise(() => rm(dir, { recursive: true, force: true }));
            const entry = detectEntry(files.map((f) => ({ path: f.path, text: f.content.toString("utf8") })));
            const updated: GenerationRow = {
              ...row,
              fileCount: files.length,
              bytes: files.reduce((n, f) => n + f.content.byteLength, 0),
              contentHash: contentHash(files),
              entry: entry === undefined ? null : `${entry.file}:${entry.attribute}`,
            };
            const old = join(options.root, `${stagedId}-old`);
            const commit = Effect.promise(async () => {
              await rename(currentDir, old);
              await rename(dir, currentDir);
            }).pipe(
              Effect.andThen(store.generations.update(updated)),
              Effect.andThen(Effect.promise(() => rm(old, { recursive: true, force: true }))),
              Effect.as(toView(updated)),
            );
            return { dir, changed: changedPaths(current, files), commit, discard };
          }),
        locate: (userId, generationId) =>
          findOwned(userId, generationId).pipe(Effect.map((row) => ({
            generationId: row.id,
            userId: row.userId,
            dir: join(options.root, row.id),
            entry: parseStoredEntry(row.entry),
            contentHash: row.contentHash,
          }))),
      });
    }),
  );

