import { type FSWatcher, watch } from "node:fs";
import type { PreviewClient } from "../../libs/client/api-client.ts";
import type { PreviewFailure } from "../../libs/previews/failure.ts";
import { failureBlock } from "./failure-block.ts";
import { readUploadableProject } from "./project-files.ts";
import type { Terminal } from "./terminal.ts";

/** Edits that come in a burst (an editor's save, a generator writing files) make one reload. */
const settleMs = 150;

/**
 * `--watch`: on every change under `dir` (what an upload would send: .gitignore, virtualenvs and
 * caches left out), the project is read again and sent as a live reload; each reload is shown,
 * a failed one with its diagnosis (the previous version still serves). Reloads never overlap: a
 * change during one makes one more after it.
 */
export const watchAndReload = (dir: string, generationId: string, client: PreviewClient, term: Terminal): { readonly close: () => void } => {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const reload = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const project = readUploadableProject(dir);
      const result = await client.reload(generationId, { files: project.files });
      if (result.ok) {
        const files = result.value.changedFiles;
        if (files.length > 0) term.stage("reloaded", `in ${result.value.reloadMs} ms: ${files.length} file${files.length === 1 ? "" : "s"} changed (${files.slice(0, 5).join(", ")}${files.length > 5 ? ", …" : ""})`);
      } else {
        const failure = result.error.details?.failure as PreviewFailure | undefined;
        const [first = result.error.message, ...rest] = failure === undefined ? [] : failureBlock(failure);
        term.failure("not applied", `${first} (${result.error.code}; the previous version still serves)`);
        for (const line of rest) term.info(`               ${line}`);
      }
    } catch (e) {
      term.failure("not applied", `${dir}: ${(e as Error).message}`);
    } finally {
      running = false;
      if (again) {
        again = false;
        void reload();
      }
    }
  };
  const watcher: FSWatcher = watch(dir, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), settleMs);
  });
  term.info(`Watching ${dir}: changes are applied to the running preview in place.`);
  return {
    close: () => {
      clearTimeout(timer);
      watcher.close();
    },
  };
};
