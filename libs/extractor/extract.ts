// extractEndpoints: a generated FastAPI project's files in, the endpoints FastAPI would
// serve out, without running anything. Pure and synchronous.
import { callValue, plainArgs } from "./calls.ts";
import type { Diagnostic, Endpoint } from "./endpoint.ts";
import { makeDiagnosticSink } from "./diagnostics.ts";
import type { DiagnosticSink } from "./diagnostics.ts";
import { chooseEntry } from "./entry.ts";
import type { LoadedSource, Interpreter } from "./interpreter.ts";
import { asBudgetExceeded, importModule, makeInterpreter, reportBudget } from "./interpreter.ts";
import type { Budgets } from "./budget.ts";
import { mergeBudgets } from "./budget.ts";
import { importRootOf, makeModuleIndex, normalizePath } from "./module-graph.ts";
import type { ModuleState } from "./module-state.ts";
import { parsePython } from "./python-parser.ts";
import { collectEndpoints, reportUnincludedRouters } from "./resolve-routes.ts";
import { decodeSource } from "./source-text.ts";
import type { PyObject, Value } from "./values.ts";

export interface ExtractOptions {
  /** A .py path relative to the project, or `module:attr`. */
  readonly entry?: string;
  /** Files larger than this are reported and skipped (default 4 MiB). */
  readonly maxFileBytes?: number;
  /** Overrides of the interpreter's budgets (steps, sizes, depth, time), so no input can exhaust the host. */
  readonly budgets?: Partial<Budgets>;
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
  const entryChoice = chooseEntry(pythonFiles, (file) => textOfSource(sources.get(file)), options.entry);
  if (!entryChoice.ok) {
    diagnostics.report({ file: options.entry ?? "", line: 0 }, "error", "no_entry", entryChoice.message);
    return { endpoints: [], diagnostics: diagnostics.list() };
  }
  const { entry } = entryChoice;
  const fileSet = new Set(pythonFiles);
  const root = entry.moduleName === null ? importRootOf(entry.file, fileSet) : "";
  const index = makeModuleIndex(fileSet, [...new Set([root, ""])]);
  const interp = makeInterpreter(index, sources, diagnostics, mergeBudgets(options.budgets));
  const entryModuleName = entry.moduleName ?? index.moduleNameOf(entry.file);
  const entrySite = { file: entry.file, line: 1 };

  let endpoints: Endpoint[] = [];
  let app: PyObject | null = null;
  const finished = guarded(interp, () => {
    const module = entryModuleName ? importModule(interp, entryModuleName) : null;
    app = module ? findApp(interp, module, entry.attr) : null;
  });
  // Out of budget half way: the app as far as it was built is still the best answer.
  const halfRun = entryModuleName ? interp.modules.get(entryModuleName) : undefined;
  if (!finished && halfRun) app = findApp(interp, halfRun, entry.attr, false);
  if (!finished) grantCollectionAllowance(interp);
  const served: PyObject | null = app;
  if (served) guarded(interp, () => (endpoints = collectEndpoints(interp, served)));
  else {
    const target = entry.attr ? `\`${entry.attr}\` in ${entry.file}` : `a FastAPI app in ${entry.file}`;
    diagnostics.report(entrySite, "error", "no_app", `cannot find ${target}`);
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
    if (!file.endsWith(".py")) continue;
    const size = typeof content === "string" ? content.length : content.byteLength;
    if (size > maxFileBytes) {
      diagnostics.report({ file, line: 1 }, "warning", "file_too_large", `file is ${size} bytes, over the ${maxFileBytes}-byte limit; skipped`);
      sources.set(file, { failure: "it is too large to analyse" });
      continue;
    }
    const text = decodeSource(content);
    if (!text.ok) {
      diagnostics.report({ file, line: text.line }, "error", text.code, text.message);
      sources.set(file, { failure: text.message });
      continue;
    }
    const parsed = parsePython(file, text.text);
    const [firstError] = parsed.syntaxErrors;
    if (firstError) {
      for (const error of parsed.syntaxErrors) diagnostics.report({ file, line: error.line }, "error", "syntax_error", error.message);
      sources.set(file, { failure: `it has a syntax error at line ${firstError.line}` });
      continue;
    }
    sources.set(file, { parsed });
  }
  return sources;
};

const textOfSource = (source: LoadedSource | undefined): string | null =>
  source && "parsed" in source ? source.parsed.source : null;

const findApp = (interp: Interpreter, module: ModuleState, attr: string | null, mayCall = true): PyObject | null => {
  const asApp = (value: Value | undefined): PyObject | null => (value?.kind === "object" && value.obj.isApp ? value.obj : null);
  if (attr) {
    const value = module.scope.vars.get(attr);
    if (value?.kind !== "function" || !mayCall) return asApp(value);
    // `module:factory`, called as `uvicorn --factory` would.
    return asApp(callValue(interp, value, plainArgs([]), { file: module.file ?? module.name, line: 1 }, value.fn.name));
  }
  const named = asApp(module.scope.vars.get("app"));
  if (named) return named;
  for (const value of module.scope.vars.values()) {
    const app = asApp(value);
    if (app) return app;
  }
  return interp.apps.find((app) => app.site.file === module.file) ?? null;
};
