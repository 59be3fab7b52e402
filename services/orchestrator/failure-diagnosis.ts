import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PreviewFailure } from "../../libs/previews/failure.ts";
import type { BootReport } from "../../libs/runtime/boot/boot-report.ts";
import type { ProcessExit, UnresolvedRequirement } from "../../libs/runtime/contract.ts";
import { candidateDistributions, requirementForModule, requirementLines } from "../../libs/runtime/requirements/module-requirements.ts";

export type FailureCause =
  | { readonly _tag: "exited"; readonly exit: ProcessExit; readonly text: string }
  | { readonly _tag: "timeout"; readonly seconds: number };

const projectRequirements = (workDir: string): ReadonlyArray<string> => {
  try {
    return requirementLines(readFileSync(join(workDir, "requirements.txt"), "utf8"));
  } catch {
    return [];
  }
};

/** A missing module named with the requirement behind it, or the one to add. */
const withRequirement = (failure: PreviewFailure, workDir: string, unresolved: ReadonlyArray<UnresolvedRequirement>): PreviewFailure => {
  if (failure.kind !== "missing_module" || failure.module === undefined) return failure;
  const module = failure.module;
  const where = failure.file === undefined ? "the app" : failure.file;
  const line = requirementForModule(module, projectRequirements(workDir));
  if (line === undefined) {
    return { ...failure, message: `${where} imports \`${module}\`, which is not installed and not in requirements.txt`, hint: `Add \`${candidateDistributions(module)[0]}\` to requirements.txt` };
  }
  const missing = unresolved.find((u) => u.line === line);
  return missing === undefined
    ? { ...failure, requirement: line, message: `${where} imports \`${module}\`; \`${line}\` is in requirements.txt but does not provide it here` }
    : {
      ...failure,
      requirement: line,
      message: `${where} imports \`${module}\`; \`${line}\` is in requirements.txt but could not be installed: ${missing.reason}`,
      hint: "Make the package installable (ORCHESTRATOR_PIP_INDEX_URL or a wheelhouse in ORCHESTRATOR_PIP_FIND_LINKS), or drop the import",
    };
};

/**
 * Why a preview failed or crashed: the boot program's own diagnosis when it made one (it saw the
 * exception), else what the platform saw (a timeout, the memory limit, an exit code).
 */
export const diagnoseFailure = (
  cause: FailureCause,
  report: BootReport | undefined,
  workDir: string,
  unresolved: ReadonlyArray<UnresolvedRequirement>,
): PreviewFailure => {
  if (cause._tag === "timeout") {
    return report?.phase === "imported"
      ? { kind: "timeout", message: `The app was imported but its startup did not finish within ${cause.seconds} s`, hint: "A lifespan or startup handler waits for something the preview cannot reach (it has no network)" }
      : { kind: "timeout", message: `The app was not imported within ${cause.seconds} s`, hint: "Importing the app takes too long or blocks (network calls at import time have no network here)" };
  }
  if (cause.exit.reason !== undefined && /memory/i.test(cause.exit.reason)) {
    return { kind: "oom", message: `The preview ${cause.exit.reason}`, hint: "Use less memory at startup, or raise ORCHESTRATOR_MEMORY_MB" };
  }
  const boot = report?.phase === "failed" ? report.failure : undefined;
  if (boot !== undefined) {
    if (boot.message.startsWith("MemoryError")) return { ...boot, kind: "oom", hint: "Use less memory, or raise ORCHESTRATOR_MEMORY_MB" };
    return withRequirement(boot, workDir, unresolved);
  }
  return { kind: "exited", message: `The preview ${cause.text}`, hint: "See the preview's log for what it printed last" };
};

/** One line for logs and errorMessage: kind, where, what. */
export const failureSummary = (f: PreviewFailure): string =>
  `${f.kind}${f.file === undefined ? "" : ` at ${f.file}${f.line === undefined ? "" : `:${f.line}`}`}: ${f.message}`;
