// The launch command's own input: its options, and the project directory read with a clear
// message for each way it can be wrong.
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { CliError, exitCodes } from "./cli-context.ts";
import { readUploadableProject, type UploadableProject } from "./project-files.ts";

export const parseLaunchArgs = (argv: string[]) => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { detach: { type: "boolean", default: false }, entry: { type: "string" }, watch: { type: "boolean", default: false } },
  });
  const [dir, ...extra] = positionals;
  if (dir === undefined) throw new CliError("give a project directory (see --help)", exitCodes.usage);
  if (extra.length > 0) throw new CliError(`one project directory, not ${positionals.length}: ${positionals.join(" ")} (commands: ls, stop, logs, open; see --help)`, exitCodes.usage);
  return { dir, detach: values.detach, entry: values.entry, watch: values.watch };
};

/** The project's uploadable files, or a CliError that names the directory and what is wrong with it. */
export const readProject = (dir: string): UploadableProject & { readonly root: string } => {
  const root = resolve(dir);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new CliError(`no such directory: ${root} (a command? they are ls, stop, logs, open; see --help)`, exitCodes.usage);
    }
    throw new CliError(`cannot read ${root}: ${(e as Error).message}`, exitCodes.usage);
  }
  if (!isDirectory) throw new CliError(`${root} is a file, not a directory: give the project's folder`, exitCodes.usage);
  let project: UploadableProject;
  try {
    project = readUploadableProject(root);
  } catch (e) {
    throw new CliError(`cannot read ${root}: ${(e as Error).message}`, exitCodes.usage);
  }
  if (!Object.keys(project.files).some((path) => path.endsWith(".py"))) {
    throw new CliError(`no Python file to upload in ${root} (a FastAPI project has at least one .py file; ignored: virtualenvs, caches, .gitignore'd files)`, exitCodes.usage);
  }
  return { ...project, root };
};
