// The interpreter's shared state and Python's import machinery: a module runs once, on
// first import, and a module imported while it is still running is seen half-initialised.
import type { Budgets, BudgetName } from "./budget.ts";
import { budgetMessage, BudgetExceeded } from "./budget.ts";
import type { Diagnostic } from "./endpoint.ts";
import type { Library } from "./libraries.ts";
import { findLibraryModule } from "./libraries.ts";
import { loadSource } from "./load-source.ts";
import type { DiagnosticSink } from "./diagnostics.ts";
import { executeModuleBody } from "./execute.ts";
import type { ModuleIndex } from "./module-graph.ts";
import type { ModuleState } from "./module-state.ts";
import type { ParsedModule } from "./python-parser.ts";
import type { PyObject, RouterState, Site, Value } from "./values.ts";
import { str } from "./values.ts";

export type LoadedSource = { readonly parsed: ParsedModule } | { readonly failure: string };

export interface Interpreter {
  readonly index: ModuleIndex;
  readonly sources: ReadonlyMap<string, LoadedSource>;
  /** Installed packages imports may lead into, and the files read from them so far. */
  readonly libraries: ReadonlyArray<Library>;
  readonly librarySources: Map<string, LoadedSource>;
  readonly modules: Map<string, ModuleState>;
  readonly diagnostics: DiagnosticSink;
  readonly routers: RouterState[];
  readonly apps: PyObject[];
  /** Set while running code whose execution depends on something unknowable (the reason). */
  speculative: string | null;
  speculativeWrites: SpeculativeWrites[];
  /** Set while running modules the app never imports: objects are recorded, nothing reported. */
  quiet: boolean;
  callDepth: number;
  /** The object whose method is running, for zero-argument super(). */
  currentSelf: PyObject | null;
  readonly budgets: Budgets;
  /** The environment the preview runs with (what os.environ holds while the app is imported). */
  readonly env: ReadonlyMap<string, string>;
  steps: number;
  /** Steps taken by the current module-level statement, bounded so one bomb cannot sink the rest. */
  statementSteps: number;
  /** Expressions and statements being evaluated right now, one inside the other. */
  nesting: number;
  /** List items and string characters built so far. */
  allocated: number;
  deadline: number;
  /** The statement being executed, for saying where a budget ran out. */
  positionModule: ModuleState | null;
  positionFrom: number;
}

/** Names assigned while speculating, to be made unknown when the speculative branch ends. */
export interface SpeculativeWrites {
  readonly writes: Array<{ readonly vars: Map<string, Value>; readonly name: string }>;
}

export { BudgetExceeded };

export const makeInterpreter = (
  index: ModuleIndex,
  sources: ReadonlyMap<string, LoadedSource>,
  diagnostics: DiagnosticSink,
  budgets: Budgets,
  libraries: ReadonlyArray<Library> = [],
  env: ReadonlyMap<string, string> = new Map(),
): Interpreter => ({
  env,
  index,
  sources,
  libraries,
  librarySources: new Map(),
  modules: new Map(),
  diagnostics,
  routers: [],
  apps: [],
  speculative: null,
  speculativeWrites: [],
  quiet: false,
  callDepth: 0,
  currentSelf: null,
  budgets,
  steps: 0,
  statementSteps: 0,
  nesting: 0,
  allocated: 0,
  deadline: performance.now() + budgets.wallMs,
  positionModule: null,
  positionFrom: 0,
});

export const report = (
  interp: Interpreter,
  site: Site,
  severity: Diagnostic["severity"],
  code: string,
  message: string,
): void => {
  if (!interp.quiet) interp.diagnostics.report(site, severity, code, message);
};

/** Where the interpreter is now: the statement it executes (or the module being loaded). */
export const currentSite = (interp: Interpreter, fallback?: Site): Site => {
  const module = interp.positionModule;
  if (!module) return fallback ?? { file: "", line: 0 };
  return { file: module.file ?? module.name, line: module.parsed?.lineOf(interp.positionFrom) ?? 1 };
};

const TIME_CHECK_INTERVAL = 512;

export const countStep = (interp: Interpreter): void => {
  interp.steps += 1;
  interp.statementSteps += 1;
  if (interp.steps > interp.budgets.steps) throw new BudgetExceeded("total", "steps", currentSite(interp));
  if (interp.statementSteps > interp.budgets.statementSteps) throw new BudgetExceeded("statement", "statement steps", currentSite(interp));
  if (interp.steps % TIME_CHECK_INTERVAL === 0) checkDeadline(interp);
};

export const checkDeadline = (interp: Interpreter): void => {
  if (performance.now() > interp.deadline) throw new BudgetExceeded("total", "wall time", currentSite(interp));
};

/**
 * The budget overrun an error stands for: ours, or the JavaScript engine's own limits (stack
 * depth, string or array length) reached first. Anything else is a bug and is rethrown.
 */
export const asBudgetExceeded = (interp: Interpreter, error: unknown): BudgetExceeded => {
  if (error instanceof BudgetExceeded) return error;
  if (error instanceof RangeError) {
    if (/call stack/i.test(error.message)) return new BudgetExceeded("total", "nesting", currentSite(interp));
    if (/invalid (string|array) length/i.test(error.message)) return new BudgetExceeded("total", "allocation", currentSite(interp));
  }
  throw error;
};

/** A budget overrun that only makes one value unknown: reported here, work goes on. */
export const reportBudget = (interp: Interpreter, budget: BudgetName, site: Site): void => {
  interp.diagnostics.report(site, "error", "budget_exceeded", budgetMessage(budget, interp.budgets));
};

/**
 * Whether a value of `size` list items or characters may be built at `site`; counts it
 * against the allocation budget. When it may not, the overrun is reported.
 */
export const mayBuild = (interp: Interpreter, kind: "container" | "string", size: number, site: Site): boolean => {
  const limit = kind === "string" ? interp.budgets.stringLength : interp.budgets.containerItems;
  if (size > limit) {
    reportBudget(interp, kind === "string" ? "string length" : "container size", site);
    return false;
  }
  interp.allocated += size;
  if (interp.allocated > interp.budgets.allocation) throw new BudgetExceeded("total", "allocation", site);
  return true;
};

/** A module found in an installed library, loaded (and parse-checked, quietly) on first sight. */
const libraryLocation = (interp: Interpreter, name: string): { name: string; file: string; isPackage: boolean } | null => {
  if (interp.libraries.length === 0) return null;
  const found = findLibraryModule(interp.libraries, name);
  if (!found) return null;
  if (!interp.librarySources.has(found.file)) {
    interp.librarySources.set(found.file, loadSource(found.file, found.content, LIBRARY_FILE_BYTES, () => undefined));
  }
  return { name, file: found.file, isPackage: found.isPackage };
};

const LIBRARY_FILE_BYTES = 1024 * 1024;

export const isLibraryFile = (interp: Interpreter, file: string): boolean => interp.librarySources.has(file);

/** The module's state, created on first sight; null when no project file provides it. */
export const moduleState = (interp: Interpreter, name: string): ModuleState | null => {
  const existing = interp.modules.get(name);
  if (existing) return existing;
  const location = interp.index.find(name) ?? libraryLocation(interp, name);
  if (!location) return null;
  const source = location.file ? (interp.sources.get(location.file) ?? interp.librarySources.get(location.file)) : undefined;
  const parsed = source && "parsed" in source ? source.parsed : null;
  const failure = source && "failure" in source ? source.failure : null;
  const vars = new Map<string, Value>([["__name__", str(name)]]);
  const state: ModuleState = {
    name,
    file: location.file,
    isPackage: location.isPackage,
    parsed,
    failure,
    status: "new",
    scope: {
      vars,
      parent: null,
      get module() {
        return state;
      },
    },
  };
  interp.modules.set(name, state);
  return state;
};

export const runModule = (interp: Interpreter, module: ModuleState): void => {
  if (module.status !== "new") return;
  if (!module.parsed) {
    module.status = module.failure ? "failed" : "done"; // namespace packages have no code
    return;
  }
  module.status = "running";
  // A library's own top level is not the project's business: nothing it does is reported.
  const quiet = interp.quiet;
  if (module.file && isLibraryFile(interp, module.file)) interp.quiet = true;
  // A module's own top level is unconditional, even when the import itself sits under an
  // unknown condition: its routers only matter if an unconditional include picks them up.
  const saved = { depth: interp.callDepth, speculative: interp.speculative, writes: interp.speculativeWrites, self: interp.currentSelf };
  interp.callDepth = 0;
  interp.speculative = null;
  interp.speculativeWrites = [];
  interp.currentSelf = null;
  try {
    executeModuleBody(interp, module.parsed.tree.topNode, module.scope);
  } finally {
    interp.callDepth = saved.depth;
    interp.speculative = saved.speculative;
    interp.speculativeWrites = saved.writes;
    interp.currentSelf = saved.self;
    interp.quiet = quiet;
  }
  module.status = "done";
};

/** `import a.b.c`: runs a, a.b and a.b.c in turn and links each into its parent. */
export const importModule = (interp: Interpreter, name: string): ModuleState | null => {
  const parts = name.split(".");
  let parent: ModuleState | null = null;
  let current: ModuleState | null = null;
  for (let i = 1; i <= parts.length; i++) {
    current = moduleState(interp, parts.slice(0, i).join("."));
    if (!current) return null;
    runModule(interp, current);
    if (parent) parent.scope.vars.set(parts[i - 1] ?? "", { kind: "module", module: current });
    parent = current;
  }
  return current;
};
