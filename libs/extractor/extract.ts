// extractEndpoints: a generated FastAPI project's files in, the endpoints FastAPI would
// serve out, without running anything. Pure and synchronous.
import { callValue, plainArgs } from "./calls.ts";
import type { Diagnostic, Endpoint } from "./endpoint.ts";
import { makeDiagnosticSink } from "./diagnostics.ts";
import type { DiagnosticSink } from "./diagnostics.ts";
import { chooseEntry } from "./entry.ts";
import type { SourceText } from "./served-app.ts";
import type { LoadedSource, Interpreter } from "./interpreter.ts";
import { asBudgetExceeded, importModule, makeInterpreter, reportBudget } from "./interpreter.ts";
import type { Budgets } from "./budget.ts";
import { mergeBudgets } from "./budget.ts";
import { importRootOf, makeModuleIndex, normalizePath, relativeImportLevels } from "./module-graph.ts";
import type { ModuleState } from "./module-state.ts";
import type { Library } from "./libraries.ts";
import { loadSource } from "./load-source.ts";
import { importEnvironment } from "./dotenv.ts";
import { collectEndpoints, reportUnincludedRouters } from "./resolve-routes.ts";
import type { PyObject, Value } from "./values.ts";

export interface ExtractOptions {
  /** A .py path relative to the project, or `module:attr`. */
  readonly entry?: string;
  /** Files larger than this are reported and skipped (default 4 MiB). */
  readonly maxFileBytes?: number;
  /** Overrides of the interpreter's budgets (steps, sizes, depth, time), so no input can exhaust the host. */
  readonly budgets?: Partial<Budgets>;
  /** Installed packages (site-packages of the preview's runtime) that imports leaving the project are followed into. */
  readonly libraries?: ReadonlyArray<Library>;
  /** The environment the preview runs with (launch `env`, over the project's `.env` file as the boot program applies it); unset variables read as the defaults the code names. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface ExtractResult {
  endpoints: Endpoint[];
  diagnostics: Diagnostic[];
}

export type ProjectFiles = ReadonlyMap<string, Uint8Array | string> | Readonly<Record<string, string>>;

const DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;

export const extractEndpoints = (files: ProjectFiles, options: ExtractOptions = {}): ExtractResult => {
  const diagnostics = makeDiagnosticSink();
  const sources = loadSources(files, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, diagnostics);
  const pythonFiles = [...sources.keys()].sort();
  const entryChoice = chooseEntry(pythonFiles, () => sourceTexts(files, sources), options.entry);
  if (!entryChoice.ok) {
    diagnostics.report({ file: options.entry ?? "", line: 0 }, "error", "no_entry", entryChoice.message);
    return { endpoints: [], diagnostics: diagnostics.list() };
  }
  const { entry } = entryChoice;
  if (entry.reason) diagnostics.report({ file: entry.file, line: 1 }, "info", "entry_chosen", entry.reason);
  const fileSet = new Set(pythonFiles);
  const entrySource = sources.get(entry.file);
  const entryLevels = entrySource && "parsed" in entrySource ? relativeImportLevels(entrySource.parsed.source) : 0;
  const root = entry.moduleName === null ? importRootOf(entry.file, fileSet, entryLevels) : "";
  const index = makeModuleIndex(fileSet, [...new Set([root, ""])]);
  const interp = makeInterpreter(index, sources, diagnostics, mergeBudgets(options.budgets), options.libraries ?? [], importEnvironment(dotenvText(files), options.env ?? {}));
  const entryModuleName = entry.moduleName ?? index.moduleNameOf(entry.file);
  const entrySite = { file: entry.file, line: 1 };

  let endpoints: Endpoint[] = [];
  let app: PyObject | null = null;
  const finished = guarded(interp, () => {
    const module = entryModuleName ? importModule(interp, entryModuleName) : null;
    app = module ? findApp(interp, module, entry.attr, entry.attrNamed) : null;
  });
  // Out of budget half way: the app as far as it was built is still the best answer.
  const halfRun = entryModuleName ? interp.modules.get(entryModuleName) : undefined;
  if (!finished && halfRun) app = findApp(interp, halfRun, entry.attr, entry.attrNamed, false);
  if (!finished) grantCollectionAllowance(interp);
  const served: PyObject | null = app;
  if (served) guarded(interp, () => (endpoints = collectEndpoints(interp, served)));
  else {
    const target = entry.attr ? `\`${entry.attr}\` in ${entry.file}` : `a FastAPI app in ${entry.file}`;
    const failure = sources.get(entry.file);
    const why = failure && "failure" in failure ? ` (${entry.file} cannot be imported: ${failure.failure})` : "";
    diagnostics.report(entrySite, "error", "no_app", `cannot find ${target}${why}`);
  }

  // Modules the app never imports still run (quietly) so unused routers can be pointed out.
  interp.quiet = true;
  for (const file of finished ? pythonFiles : []) {
    const name = index.moduleNameOf(file);
    if (name && !interp.modules.get(name) && !guarded(interp, () => importModule(interp, name))) break;
  }
  interp.quiet = false;
  reportUnincludedRouters(interp, app);
  return { endpoints, diagnostics: diagnostics.list() };
};

/** Reading handler signatures after an overrun may evaluate a little more: a small, bounded grant. */
const grantCollectionAllowance = (interp: Interpreter): void => {
  interp.steps = Math.max(0, interp.budgets.steps - interp.budgets.statementSteps);
  interp.deadline = performance.now() + interp.budgets.wallMs / 10;
};

/** Runs `run`; false when a budget that ends the interpretation ran out (reported). */
const guarded = (interp: Interpreter, run: () => void): boolean => {
  try {
    run();
    return true;
  } catch (error) {
    const exceeded = asBudgetExceeded(interp, error);
    reportBudget(interp, exceeded.budget, exceeded.site);
    return false;
  }
};

const entries = (files: ProjectFiles): Array<[string, Uint8Array | string]> =>
  files instanceof Map ? [...(files as ReadonlyMap<string, Uint8Array | string>)] : Object.entries(files as Record<string, string>);

const loadSources = (files: ProjectFiles, maxFileBytes: number, diagnostics: DiagnosticSink): Map<string, LoadedSource> => {
  const sources = new Map<string, LoadedSource>();
  for (const [rawPath, content] of entries(files)) {
    const file = normalizePath(rawPath);
    if (file.endsWith(".py")) sources.set(file, loadSource(file, content, maxFileBytes, diagnostics.report));
  }
  return sources;
};


/** Parsed Python files and the project's launch files (Procfile, Dockerfile, scripts) as text. */
const sourceTexts = (files: ProjectFiles, sources: ReadonlyMap<string, LoadedSource>): SourceText[] => {
  const texts: SourceText[] = [];
  for (const [path, source] of sources) if ("parsed" in source) texts.push({ path, text: source.parsed.source });
  for (const [rawPath, content] of entries(files)) {
    const path = normalizePath(rawPath);
    // A .py file that failed to load still names the entry (its problem is then reported as such).
    const failedPython = path.endsWith(".py") && sources.get(path) !== undefined && !("parsed" in (sources.get(path) ?? {}));
    if (!failedPython && (path.endsWith(".py") || !LAUNCH_FILES.test(path))) continue;
    const size = typeof content === "string" ? content.length : content.byteLength;
    if (size > MAX_LAUNCH_FILE_BYTES) continue;
    texts.push({ path, text: typeof content === "string" ? content : new TextDecoder().decode(content) });
  }
  return texts;
};

const MAX_DOTENV_BYTES = 256 * 1024;

/** The project's top-level .env, if it has one (a bounded size), as text. */
const dotenvText = (files: ProjectFiles): string | null => {
  for (const [rawPath, content] of entries(files)) {
    if (normalizePath(rawPath) !== ".env") continue;
    const size = typeof content === "string" ? content.length : content.byteLength;
    if (size > MAX_DOTENV_BYTES) return null;
    return typeof content === "string" ? content : new TextDecoder().decode(content);
  }
  return null;
};

const LAUNCH_FILES = /\.(sh|toml|ya?ml|cfg|ini)$|(^|\/)(Procfile|Dockerfile|Makefile)$/;
const MAX_LAUNCH_FILE_BYTES = 256 * 1024;

const findApp = (interp: Interpreter, module: ModuleState, attr: string | null, attrNamed: boolean, mayCall = true): PyObject | null => {
  const site = { file: module.file ?? module.name, line: 1 };
  const asApp = (value: Value | undefined, name: string): PyObject | null => {
    if (value?.kind !== "object") return null;
    if (value.obj.isApp) return value.obj;
    // The project's own wrapper class (often itself named FastAPI) serving a real app it holds.
    for (const [field, held] of value.obj.attrs) {
      if (held.kind === "object" && held.obj.isApp) {
        interp.diagnostics.report(site, "info", "wrapped_app", `\`${name}\` is a ${value.obj.cls?.name ?? "object"} wrapping a FastAPI app; listing the routes of \`${name}.${field}\``);
        return held.obj;
      }
    }
    return null;
  };
  if (attr && !attrNamed) {
    const guessed = asApp(module.scope.vars.get(attr), attr);
    if (guessed) return guessed;
  } else if (attr) {
    const value = module.scope.vars.get(attr);
    if (value?.kind !== "function" || !mayCall) return asApp(value, attr);
    // `module:factory`, called as `uvicorn --factory` would.
    return asApp(callValue(interp, value, plainArgs([]), site, value.fn.name), `${attr}()`);
  }
  const named = asApp(module.scope.vars.get("app"), "app");
  if (named) return named;
  for (const value of module.scope.vars.values()) {
    if (value.kind === "object" && value.obj.isApp) return value.obj;
  }
  return interp.apps.find((app) => app.site.file === module.file) ?? null;
};
