import { appBindingIn, findServedApp, moduleOfFile } from "../extractor/served-app.ts";
import { InvalidRequest } from "../http/request-errors.ts";

/**
 * What uvicorn is told to serve: `module:attribute`, found in `file`. An attribute written
 * `name()` is a factory, called to build the app (uvicorn --factory; gunicorn's form).
 */
export interface AppEntry {
  readonly file: string;
  readonly module: string;
  readonly attribute: string;
}

/** `name` or `name()`. */
const attributeForm = /^[A-Za-z_]\w*(\(\))?$/;

export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

const identifier = /^[A-Za-z_]\w*$/;

export { moduleOfFile };

const fileOfModule = (module: string, exists: (path: string) => boolean): string | undefined => {
  const base = module.split(".").join("/");
  return [`${base}.py`, `${base}/__init__.py`].find(exists);
};

const attributeIn = (text: string | undefined): string => (text === undefined ? "app" : appBindingIn(text)?.name ?? "app");

/** The app uvicorn would serve: the same search the endpoint extractor uses (libs/extractor/served-app.ts). */
export const detectEntry = (files: ReadonlyArray<SourceFile>): AppEntry | undefined => {
  const served = findServedApp(files);
  return served && { file: served.file, module: served.module, attribute: served.factory ? `${served.attribute}()` : served.attribute };
};

const badEntry = (entry: string, problem: string) =>
  new InvalidRequest({ message: `Invalid entry ${JSON.stringify(entry)}: ${problem}`, details: { field: "entry", entry, problem } });

/**
 * A file entry is a relative path whose every part is a Python identifier (uvicorn imports it as
 * a module, so nothing else could run anyway). Checked before any file is looked at: a path out of
 * the project (`../`, absolute) gets the same answer whether or not something exists there.
 */
const insideProject = (file: string): boolean => file.replace(/\.py$/, "").split("/").every((part) => identifier.test(part));

/**
 * An entry given by the user: `path/to/file.py`, `path/to/file.py:attr`, `package.module` or
 * `package.module:attr`. It must name a file of the project.
 */
export const parseEntry = (entry: string, readFile: (path: string) => string | undefined): AppEntry | InvalidRequest => {
  const [target = "", attribute, ...rest] = entry.split(":");
  if (rest.length > 0 || target === "") return badEntry(entry, "expected 'file.py[:attribute]' or 'module[:attribute]'");
  if (attribute !== undefined && !attributeForm.test(attribute)) return badEntry(entry, "the attribute is not a Python identifier (or `name()` for a factory)");
  if (target.endsWith(".py") && !insideProject(target)) {
    return badEntry(entry, "a file entry is a relative path inside the project made of Python names, e.g. 'app/main.py'");
  }
  const exists = (p: string) => readFile(p) !== undefined;
  const file = target.endsWith(".py")
    ? (exists(target) ? target : undefined)
    : target.split(".").every((part) => identifier.test(part)) ? fileOfModule(target, exists) : undefined;
  if (file === undefined) return badEntry(entry, "no such Python file in the project");
  return { file, module: moduleOfFile(file), attribute: attribute ?? attributeIn(readFile(file)) };
};

export const formatEntry = (e: AppEntry): string => `${e.module}:${e.attribute}`;
