// node scripts/extract.ts <project dir or .py file> [--entry <file.py | module:attr>] [--site-packages <dir>]... [--env NAME=value]...
// Prints {"endpoints":[...],"diagnostics":[...]} for that code, without running it; imports that
// leave the project are followed into each --site-packages directory (e.g. the sandbox image's);
// settings read the --env variables (the preview's launch env), the others their defaults.
import { existsSync } from "node:fs";
import { basename } from "node:path";
import { directoryLibrary } from "../libs/extractor/libraries.ts";
import { extractEndpoints } from "../libs/extractor/extract.ts";
import { readProject } from "../libs/extractor/read-project.ts";

const args = process.argv.slice(2);
const entryFlag = args.indexOf("--entry");
const entry = entryFlag >= 0 ? args[entryFlag + 1] : undefined;
const VALUE_FLAGS = new Set(["--entry", "--site-packages", "--env"]);
const flagValues = new Set(args.flatMap((arg, index) => (VALUE_FLAGS.has(arg) ? [index + 1] : [])));
const valuesOf = (flag: string): string[] => args.filter((_, index) => flagValues.has(index) && args[index - 1] === flag);
const sitePackages = valuesOf("--site-packages");
const envPairs = valuesOf("--env");
const target = args.find((arg, index) => !arg.startsWith("--") && !flagValues.has(index));

if (!target) {
  process.stderr.write("usage: extract <project dir or .py file> [--entry <file.py | module:attr>] [--site-packages <dir>]... [--env NAME=value]...\n");
  process.exit(2);
}
const badPair = envPairs.find((pair) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(pair));
if (badPair !== undefined) {
  process.stderr.write(`extract: --env wants NAME=value, got ${JSON.stringify(badPair)}\n`);
  process.exit(2);
}
const env = Object.fromEntries(envPairs.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
if (!existsSync(target)) {
  process.stderr.write(`extract: no such file or directory: ${target}\n`);
  process.exit(2);
}

const project = readProject(target);
const libraries = sitePackages.map((dir) => directoryLibrary(dir, basename(dir) || "site-packages"));
const result = extractEndpoints(project.files, { ...(entry ? { entry } : {}), libraries, env });
const skipped = project.skipped.map((file) => ({
  file: file.path,
  line: 0,
  severity: "warning" as const,
  code: "file_skipped",
  message: `not read: ${file.reason}`,
}));
process.stdout.write(`${JSON.stringify({ endpoints: result.endpoints, diagnostics: [...skipped, ...result.diagnostics] })}\n`);
