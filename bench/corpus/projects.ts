// The documentation corpus: FastAPI's own documentation examples (docs_src of fastapi/fastapi at
// the commit in SOURCE.md, MIT licence in fastapi/LICENSE), written by people other than us and
// covering most of FastAPI's API. real-world.ts adds whole public applications.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CORPUS_ROOT = fileURLToPath(new URL("./fastapi/docs_src/", import.meta.url));
export const TRUTH_FILE = fileURLToPath(new URL("./truth.json", import.meta.url));

export interface CorpusProject {
  /** `topic/file.py` or `topic/package`. */
  readonly id: string;
  /** The directory Python imports the project from (its sys.path entry). */
  readonly dir: string;
  /** module:attr for FastAPI's own route table. */
  readonly entry: string;
  /** What the extractor reads: paths relative to `dir`. */
  readonly files: Map<string, Uint8Array>;
  /** The environment FastAPI's route table was built with: the extractor is given the same (a preview's launch env). */
  readonly env?: Readonly<Record<string, string>>;
}

const MODULE_LEVEL_APP = /^app\s*(?::[^=\n]+)?=\s*FastAPI\s*\(/m;

const walk = (dir: string, prefix: string, out: Map<string, Uint8Array>): void => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, `${prefix}${entry.name}/`, out);
    else if (entry.name.endsWith(".py")) out.set(`${prefix}${entry.name}`, readFileSync(full));
  }
};

export const corpusProjects = (): CorpusProject[] => exampleProjects(CORPUS_ROOT);

/**
 * Documentation-style examples under `root` (topic directories): each top-level file that
 * builds an app at module level is a one-file project; each package directory with a main.py
 * is a project (relative imports). Ids are `topic/file.py` or `topic/package`.
 */
export const exampleProjects = (root: string): CorpusProject[] => {
  const projects: CorpusProject[] = [];
  for (const topic of readdirSync(root).sort()) {
    const topicDir = join(root, topic);
    if (!statSync(topicDir).isDirectory()) continue;
    for (const name of readdirSync(topicDir).sort()) {
      const full = join(topicDir, name);
      if (name.endsWith(".py")) {
        const text = readFileSync(full);
        if (!MODULE_LEVEL_APP.test(text.toString("utf8"))) continue;
        projects.push({ id: `${topic}/${name}`, dir: topicDir, entry: `${name.slice(0, -3)}:app`, files: new Map([[name, text]]) });
      } else if (statSync(full).isDirectory()) {
        const files = new Map<string, Uint8Array>();
        walk(full, `${name}/`, files);
        const main = files.get(`${name}/main.py`);
        if (!main || !MODULE_LEVEL_APP.test(Buffer.from(main).toString("utf8"))) continue;
        for (const path of [...files.keys()]) if (/(^|\/)test_[^/]*\.py$/.test(path)) files.delete(path); // tests import the app, not part of it
        projects.push({ id: `${topic}/${name}`, dir: topicDir, entry: `${name}.main:app`, files });
      }
    }
  }
  return projects;
};
