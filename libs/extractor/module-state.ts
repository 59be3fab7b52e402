// One project module as the interpreter tracks it, mirroring Python's import system:
// executed once, visible half-initialised to anyone importing it during an import cycle.
import type { ParsedModule } from "./python-parser.ts";
import type { Scope } from "./values.ts";

export type ModuleStatus = "new" | "running" | "done" | "failed";

export interface ModuleState {
  readonly name: string;
  readonly file: string | null;
  readonly isPackage: boolean;
  readonly parsed: ParsedModule | null;
  /** Why the module cannot be executed (syntax error, binary file...), if it cannot. */
  readonly failure: string | null;
  status: ModuleStatus;
  readonly scope: Scope;
}
