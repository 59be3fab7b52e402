// The interpreter's shared state and Python's import machinery: a module runs once, on
// first import, and a module imported while it is still running is seen half-initialised.
import type { Diagnostic } from "./endpoint.ts";
import type { DiagnosticSink } from "./diagnostics.ts";
import { executeBlock } from "./execute.ts";
import type { ModuleIndex } from "./module-graph.ts";
import type { ModuleState } from "./module-state.ts";
import type { ParsedModule } from "./python-parser.ts";
import type { PyObject, RouterState, Site, Value } from "./values.ts";
import { str } from "./values.ts";

export type LoadedSource = { readonly parsed: ParsedModule } | { readonly failure: string };

export interface Interpreter {
  readonly index: ModuleIndex;
  readonly sources: ReadonlyMap<string, LoadedSource>;
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
  steps: number;
  readonly maxSteps: number;
  /** Steps taken by the current module-level statement, bounded so one bomb cannot sink the rest. */
  statementSteps: number;
  readonly maxStatementSteps: number;
}

/** Names assigned while speculating, to be made unknown when the speculative branch ends. */
export interface SpeculativeWrites {
  readonly writes: Array<{ readonly vars: Map<string, Value>; readonly name: string }>;
}

/** `scope: "statement"` aborts one module-level statement; `"total"` ends the analysis. */
export class BudgetExceeded extends Error {
  readonly scope: "statement" | "total";
  constructor(scope: "statement" | "total") {
    super(`analysis step budget exhausted (${scope})`);
    this.scope = scope;
  }
}

export const MAX_CALL_DEPTH = 40;

export const makeInterpreter = (
  index: ModuleIndex,
  sources: ReadonlyMap<string, LoadedSource>,
  diagnostics: DiagnosticSink,
  maxSteps: number,
  maxStatementSteps: number,
): Interpreter => ({
  index,
  sources,
  modules: new Map(),
  diagnostics,
  routers: [],
  apps: [],
  speculative: null,
  speculativeWrites: [],
  quiet: false,
  callDepth: 0,
  currentSelf: null,
  steps: 0,
  maxSteps,
  statementSteps: 0,
  maxStatementSteps,
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

export const countStep = (interp: Interpreter): void => {
  interp.steps += 1;
  interp.statementSteps += 1;
  if (interp.steps > interp.maxSteps) throw new BudgetExceeded("total");
  if (interp.statementSteps > interp.maxStatementSteps) throw new BudgetExceeded("statement");
};

/** The module's state, created on first sight; null when no project file provides it. */
export const moduleState = (interp: Interpreter, name: string): ModuleState | null => {
  const existing = interp.modules.get(name);
  if (existing) return existing;
  const location = interp.index.find(name);
  if (!location) return null;
  const source = location.file ? interp.sources.get(location.file) : undefined;
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
  // A module's own top level is unconditional, even when the import itself sits under an
  // unknown condition: its routers only matter if an unconditional include picks them up.
  const saved = { depth: interp.callDepth, speculative: interp.speculative, writes: interp.speculativeWrites, self: interp.currentSelf };
  interp.callDepth = 0;
  interp.speculative = null;
  interp.speculativeWrites = [];
  interp.currentSelf = null;
  try {
    executeBlock(interp, module.parsed.tree.topNode, module.scope);
  } finally {
    interp.callDepth = saved.depth;
    interp.speculative = saved.speculative;
    interp.speculativeWrites = saved.writes;
    interp.currentSelf = saved.self;
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
