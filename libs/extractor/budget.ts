// The interpreter's budgets: no input (exponential growth, runaway recursion, endless
// loops, huge literals) can make one extraction take unbounded steps, memory, stack or time.
// Each overrun is a `budget_exceeded` diagnostic naming the budget and where it ran out.
import type { Site } from "./values.ts";

export interface Budgets {
  /** Interpreted statements for the whole extraction. */
  readonly steps: number;
  /** Statements for one module-level statement and everything it calls. */
  readonly statementSteps: number;
  /** Nested project function calls. */
  readonly callDepth: number;
  /** Nesting of expressions and statements being evaluated (bounds the JavaScript stack). */
  readonly nesting: number;
  /** Items in one list, tuple or dict value. */
  readonly containerItems: number;
  /** Characters in one string value. */
  readonly stringLength: number;
  /** List items and string characters built in total, so many mid-sized values cannot add up. */
  readonly allocation: number;
  /** Milliseconds of interpretation for the whole extraction. */
  readonly wallMs: number;
}

export const DEFAULT_BUDGETS: Budgets = {
  steps: 3_000_000,
  statementSteps: 300_000,
  callDepth: 40,
  nesting: 300,
  containerItems: 100_000,
  stringLength: 1_000_000,
  allocation: 20_000_000,
  wallMs: 10_000,
};

export type BudgetName = "steps" | "statement steps" | "call depth" | "nesting" | "container size" | "string length" | "allocation" | "wall time";

/**
 * Thrown when a budget that ends work is exhausted. `scope: "statement"` abandons one
 * module-level statement; `"total"` ends the interpretation (what was built so far stays).
 */
export class BudgetExceeded extends Error {
  readonly scope: "statement" | "total";
  readonly budget: BudgetName;
  readonly site: Site;
  constructor(scope: "statement" | "total", budget: BudgetName, site: Site) {
    super(`analysis budget exhausted: ${budget}`);
    this.scope = scope;
    this.budget = budget;
    this.site = site;
  }
}

const LIMIT_OF: Record<BudgetName, (budgets: Budgets) => number> = {
  steps: (b) => b.steps,
  "statement steps": (b) => b.statementSteps,
  "call depth": (b) => b.callDepth,
  nesting: (b) => b.nesting,
  "container size": (b) => b.containerItems,
  "string length": (b) => b.stringLength,
  allocation: (b) => b.allocation,
  "wall time": (b) => b.wallMs,
};

const CONSEQUENCE: Record<BudgetName, string> = {
  steps: "interpretation stopped here; what was built before is listed",
  "statement steps": "this statement's effects are not listed",
  "call depth": "the call's result is unknown",
  nesting: "the value is unknown",
  "container size": "the value is unknown",
  "string length": "the value is unknown",
  allocation: "interpretation stopped here; what was built before is listed",
  "wall time": "interpretation stopped here; what was built before is listed",
};

export const budgetMessage = (budget: BudgetName, budgets: Budgets): string =>
  `${budget} budget (${LIMIT_OF[budget](budgets)}${budget === "wall time" ? " ms" : ""}) exceeded; ${CONSEQUENCE[budget]}`;

export const mergeBudgets = (overrides: Partial<Budgets> | undefined): Budgets => ({ ...DEFAULT_BUDGETS, ...overrides });
