import { createHash } from "node:crypto";
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { and, eq } from "drizzle-orm";
import { Effect, Layer } from "effect";
import { GenerationNotFound } from "../../libs/generations/errors.ts";
import { type GenerationView, Generations } from "../../libs/generations/contract.ts";
import type { FileLimits } from "../../libs/generations/file-limits.ts";
import { type ProjectFile, validateFiles } from "../../libs/generations/validate-files.ts";
import { InvalidRequest } from "../../libs/http/request-errors.ts";
import { newId } from "../../libs/ids/ids.ts";
import { detectEntry, moduleOfFile } from "../../libs/runtime/entry.ts";
import { OrchestratorDb } from "./db/orchestrator-db.ts";
import { generations } from "./db/schema.ts";

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

type GenerationRow = typeof generations.$inferSelect;

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

export const GenerationStoreLive = (options: { readonly root: string; readonly limits: FileLimits }) =>
  Layer.effect(
    Generations,
    Effect.gen(function* () {
      const db = yield* OrchestratorDb;
      // An upload interrupted by a crash leaves only its temp dir; it was never visible, so it goes.
      yield* Effect.promise(async () => {
        await mkdir(options.root, { recursive: true });
        for (const name of await readdir(options.root)) {
          if (name.startsWith(incomingPrefix)) await rm(join(options.root, name), { recursive: true, force: true });
        }
      });

      const findOwned = (userId: string, generationId: string) =>
        Effect.sync(() => db.select().from(generations)
          .where(and(eq(generations.id, generationId), eq(generations.userId, userId))).get()).pipe(
          Effect.flatMap((row) => (row === undefined ? Effect.fail(new GenerationNotFound({ generationId })) : Effect.succeed(row))),
        );

      return Generations.of({
        create: (userId, body) =>
          Effect.gen(function* () {
            const files = validateFiles(body.files, options.limits);
            if (files instanceof InvalidRequest) return yield* Effect.fail(files);
            const id = newId();
            const entry = detectEntry(files.map((f) => ({ path: f.path, text: f.content.toString("utf8") })));
            const dir = yield* Effect.promise(() => writeAtomically(options.root, id, files));
            const row: GenerationRow = {
              id,
              userId,
              projectId: body.projectId ?? id,
              fileCount: files.length,
              bytes: files.reduce((n, f) => n + f.content.byteLength, 0),
              contentHash: contentHash(files),
              entry: entry === undefined ? null : `${entry.file}:${entry.attribute}`,
              createdAt: Date.now(),
            };
            yield* Effect.sync(() => db.insert(generations).values(row).run()).pipe(
              Effect.onError(() => Effect.promise(() => rm(dir, { recursive: true, force: true }))),
            );
            return toView(row);
          }),
        get: (userId, generationId) => findOwned(userId, generationId).pipe(Effect.map(toView)),
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

