import { fileURLToPath } from "node:url";
import type { AppEntry } from "../entry.ts";
import { formatEntry } from "../entry.ts";

/** The boot program's directory on the host (the sandbox mounts it read-only). */
export const bootDir = fileURLToPath(new URL(".", import.meta.url));
export const bootFile = "preview_boot.py";

/** Where the boot program writes its report, in the preview's work dir (libs/runtime/boot/boot-report.ts reads it). */
export const bootReportName = ".preview-boot.json";

export interface BootInvocation {
  /** The boot program as the preview's Python sees it. */
  readonly program: string;
  /** The project dir as the preview sees it. */
  readonly project: string;
  readonly entry: AppEntry;
  readonly listen: { readonly uds: string } | { readonly host: string; readonly port: number };
  readonly rootPath: string;
}

/** The arguments after the interpreter: preview_boot.py imports the entry, reports its routes, serves it. */
export const bootArgs = (b: BootInvocation): ReadonlyArray<string> => [
  b.program,
  "--project", b.project,
  "--app", formatEntry(b.entry),
  "--report", `${b.project}/${bootReportName}`,
  ...("uds" in b.listen ? ["--uds", b.listen.uds] : ["--host", b.listen.host, "--port", String(b.listen.port)]),
  "--root-path", b.rootPath,
];
