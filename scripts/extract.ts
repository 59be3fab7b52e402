// tsx scripts/extract.ts <project dir or .py file> [--entry <file.py | module:attr>]
// Prints {"endpoints":[...],"diagnostics":[...]} for that code, without running it.
import { existsSync } from "node:fs";
import { extractEndpoints } from "../libs/extractor/extract.ts";
import { readProject } from "../libs/extractor/read-project.ts";

const args = process.argv.slice(2);
const entryFlag = args.indexOf("--entry");
const entry = entryFlag >= 0 ? args[entryFlag + 1] : undefined;
const target = args.find((arg, index) => !arg.startsWith("--") && (entryFlag < 0 || index !== entryFlag + 1));

if (!target) {
  process.stderr.write("usage: extract <project dir or .py file> [--entry <file.py | module:attr>]\n");
  process.exit(2);
}
if (!existsSync(target)) {
  process.stderr.write(`extract: no such file or directory: ${target}\n`);
  process.exit(2);
}

const project = readProject(target);
const result = extractEndpoints(project.files, entry ? { entry } : {});
const skipped = project.skipped.map((file) => ({
  file: file.path,
  line: 0,
  severity: "warning" as const,
  code: "file_skipped",
  message: `not read: ${file.reason}`,
}));
process.stdout.write(`${JSON.stringify({ endpoints: result.endpoints, diagnostics: [...skipped, ...result.diagnostics] })}\n`);
