import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Effect } from "effect";
import type { UnresolvedRequirement } from "../contract.ts";
import { RequirementsUnavailable, type RuntimeUnavailable } from "../errors.ts";

/**
 * requirements.txt lines as compared and hashed: comments, blank lines and continuations gone,
 * names normalised (PEP 503), no whitespace in the specifier, duplicates dropped, sorted.
 */
const normalizeRequirements = (text: string): ReadonlyArray<string> => {
  const lines = new Set<string>();
  for (const raw of text.replace(/\\\r?\n/g, "").split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (line === "") continue;
    const [spec = "", ...marker] = line.split(";");
    const normalized = spec.replace(/\s+/g, "").replace(/^[A-Za-z0-9][A-Za-z0-9._-]*/, (name) => name.toLowerCase().replace(/[-_.]+/g, "-"));
    lines.add(marker.length > 0 ? `${normalized}; ${marker.join(";").trim().replace(/\s+/g, " ")}` : normalized);
  }
  return [...lines].sort();
};

/** Where packages come from is part of the key: a line unresolvable offline may install from another index. */
const requirementsHash = (imageHash: string, lines: ReadonlyArray<string>, source: string): string =>
  createHash("sha256").update(`${imageHash}\n${source}\n${lines.join("\n")}`).digest("hex").slice(0, 16);

/** What the image's interpreter made of the requirements (see `analyzeScript`), and what was installed. */
interface RequirementsReport {
  readonly satisfied: ReadonlyArray<{ readonly line: string; readonly installed: string; readonly missingExtras: ReadonlyArray<string> }>;
  readonly conflicts: ReadonlyArray<{ readonly line: string; readonly installed: string }>;
  readonly missing: ReadonlyArray<string>;
  readonly skipped: ReadonlyArray<string>;
  readonly unsupported: ReadonlyArray<{ readonly line: string; readonly reason: string }>;
}

/**
 * Runs inside the sandbox on the image's Python: each requirement is satisfied by an installed
 * distribution, conflicts with it (installed, wrong version), or is missing. pip's own `packaging`
 * evaluates specifiers and markers, so the verdicts are pip's.
 */
const analyzeScript = `
import json, sys, importlib.metadata as md
from pip._vendor.packaging.requirements import Requirement, InvalidRequirement
out = {"satisfied": [], "conflicts": [], "missing": [], "skipped": [], "unsupported": []}
for line in json.loads(sys.argv[1]):
    if line.startswith("-"):
        out["unsupported"].append({"line": line, "reason": "pip options are not followed here"}); continue
    try:
        r = Requirement(line)
    except InvalidRequirement as e:
        out["unsupported"].append({"line": line, "reason": str(e)}); continue
    if r.url:
        out["unsupported"].append({"line": line, "reason": "direct URL references are not installed"}); continue
    if r.marker is not None and not r.marker.evaluate():
        out["skipped"].append(line); continue
    try:
        v = md.version(r.name)
    except md.PackageNotFoundError:
        out["missing"].append(line); continue
    if not r.specifier.contains(v, prereleases=True):
        out["conflicts"].append({"line": line, "installed": v}); continue
    absent = []
    for dep in md.requires(r.name) or []:
        d = Requirement(dep)
        if d.marker is None or not any(d.marker.evaluate({"extra": x}) for x in r.extras): continue
        try: md.version(d.name)
        except md.PackageNotFoundError: absent.append(d.name)
    out["satisfied"].append({"line": line, "installed": v, "missingExtras": absent})
print(json.dumps(out))
`;

/**
 * Creates the virtualenv over the image's packages and installs the missing requirements with pip.
 * pip reports an unreachable index only as "no matching distribution", so after a failure the
 * index is tried once more here, to tell "not published there" from "not reachable".
 */
const installScript = `
import json, subprocess, sys, urllib.error, urllib.request, venv
reqs, pip_args = json.loads(sys.argv[1]), json.loads(sys.argv[2])
venv.EnvBuilder(system_site_packages=True, with_pip=False, symlinks=True).create("/tmp/venv")
code = subprocess.call(["/tmp/venv/bin/python", "-m", "pip", "install", *pip_args, *reqs], stdout=sys.stderr)
if code != 0 and "--no-index" not in pip_args:
    index = pip_args[pip_args.index("--index-url") + 1] if "--index-url" in pip_args else "https://pypi.org/simple/"
    try:
        urllib.request.urlopen(index, timeout=10).close()
    except urllib.error.HTTPError:
        pass
    except Exception as e:
        print(f"index unreachable: {index}: {e}", file=sys.stderr)
sys.exit(code)
`;

/** A command run inside the sandbox for the requirements step. */
export interface SandboxedRun {
  readonly script: string;
  readonly args: ReadonlyArray<string>;
  /** Host dir mounted read-write at /tmp/venv. */
  readonly venvDir?: string;
  readonly network: boolean;
  readonly onLine?: (line: string) => void;
}

export interface RequirementsDeps {
  readonly venvsDir: string;
  readonly imageHash: string;
  readonly indexUrl: string | undefined;
  readonly findLinks: string | undefined;
  /** Runs a script on the image's Python in the sandbox; the stdout and the last stderr lines come back. */
  readonly run: (run: SandboxedRun) => Effect.Effect<{ readonly code: number; readonly stdout: string; readonly stderr: ReadonlyArray<string> }, RuntimeUnavailable>;
  readonly say: (message: string, level: "INFO" | "WARN") => void;
}

interface CachedResult {
  readonly report: RequirementsReport;
  readonly installed: ReadonlyArray<string>;
  readonly unresolved: ReadonlyArray<UnresolvedRequirement>;
}

/** What the preview runs with: the venv (if anything was installed) and the lines it lacks. */
export interface PreparedRequirements {
  readonly venvDir: string | undefined;
  readonly unresolved: ReadonlyArray<UnresolvedRequirement>;
}

const none: PreparedRequirements = { venvDir: undefined, unresolved: [] };

/** Wheels only, so installing runs no code from a package; local find-links are mounted at /tmp/wheelhouse. */
const pipArguments = (indexUrl: string | undefined, findLinks: string | undefined): ReadonlyArray<string> => [
  "--no-input", "--disable-pip-version-check", "--no-cache-dir", "--progress-bar", "off", "--only-binary=:all:",
  "--retries", "0", "--timeout", "15",
  ...(indexUrl === "off" ? ["--no-index"] : indexUrl === undefined ? [] : ["--index-url", indexUrl]),
  ...(findLinks === undefined ? [] : ["--find-links", /^[a-z]+:\/\//.test(findLinks) ? findLinks : "/tmp/wheelhouse"]),
];

const isUrl = (s: string | undefined) => s !== undefined && /^[a-z]+:\/\//.test(s);

const tell = (deps: RequirementsDeps, report: RequirementsReport) => {
  if (report.satisfied.length > 0) {
    deps.say(`requirements.txt: ${report.satisfied.length} satisfied by the image (${report.satisfied.map((s) => `${s.line} → ${s.installed}`).join(", ")})`, "INFO");
  }
  for (const s of report.satisfied.filter((x) => x.missingExtras.length > 0)) {
    deps.say(`requirements.txt: ${s.line}: the extras' optional packages ${s.missingExtras.join(", ")} are not in the image and are not installed`, "WARN");
  }
  for (const c of report.conflicts) {
    deps.say(`requirements.txt: ${c.line} conflicts with the image's ${c.installed}; the preview runs with ${c.installed}`, "WARN");
  }
  for (const u of report.unsupported) deps.say(`requirements.txt: ${u.line} is ignored: ${u.reason}`, "WARN");
  for (const s of report.skipped) deps.say(`requirements.txt: ${s} does not apply here (marker)`, "INFO");
};

const sourceOf = (deps: Pick<RequirementsDeps, "indexUrl" | "findLinks">): string => {
  const where = [deps.indexUrl === "off" ? undefined : `the index ${deps.indexUrl ?? "(pip's default, PyPI)"}`, deps.findLinks === undefined ? undefined : `the wheelhouse ${deps.findLinks}`]
    .filter((x) => x !== undefined).join(" or ");
  return where === "" ? "nowhere (no index, no wheelhouse)" : where;
};

const unreachable = /index unreachable|Failed to establish a new connection|Network is unreachable|Temporary failure in name resolution|Name or service not known|Connection refused|ConnectTimeout|Max retries exceeded|Could not fetch URL/i;

/** Why pip could not install one requirement, in a few words a user can act on. */
const reasonOf = (stderr: ReadonlyArray<string>, where: string): string => {
  const text = stderr.join("\n");
  if (unreachable.test(text)) return `no package index reachable (${where})`;
  if (/No matching distribution found|Could not find a version that satisfies/i.test(text)) return `not found in ${where} (as a wheel)`;
  if (/ResolutionImpossible|conflicting dependencies/i.test(text)) return "its dependencies conflict with the image's packages";
  const error = stderr.filter((l) => l.startsWith("ERROR")).at(-1) ?? stderr.at(-1) ?? "pip failed";
  return error.slice(0, 300);
};

const warnUnresolved = (deps: RequirementsDeps, unresolved: ReadonlyArray<UnresolvedRequirement>) => {
  for (const u of unresolved) {
    // libs/runtime/boot/fallbacks/jose stands in for the one generators use most.
    const standIn = /^python[-_.]jose\b/i.test(u.line) ? "; `import jose` gets the platform's stand-in over PyJWT" : "";
    deps.say(`requirements.txt: ${u.line} could not be installed (${u.reason}); the preview starts without it${standIn}`, "WARN");
  }
};

/** The cached environment a launch of `workDir` would reuse, if it was built and holds packages (the extractor reads them). */
export const builtVenv = (deps: Pick<RequirementsDeps, "venvsDir" | "imageHash" | "indexUrl" | "findLinks">, workDir: string): { readonly hash: string; readonly dir: string } | undefined => {
  const file = join(workDir, "requirements.txt");
  if (!existsSync(file)) return undefined;
  const lines = normalizeRequirements(readFileSync(file, "utf8"));
  if (lines.length === 0) return undefined;
  const hash = requirementsHash(deps.imageHash, lines, sourceOf(deps));
  const dir = join(deps.venvsDir, hash, "venv");
  return existsSync(dir) ? { hash, dir } : undefined;
};

/**
 * Makes the work dir's requirements.txt available, best effort: nothing when the image satisfies
 * it, else a virtualenv over the image's packages with whatever of the missing ones can be
 * installed, cached by the normalised requirements' hash (and where packages come from) and
 * shared by every preview with the same requirements. A line that cannot be installed is a WARN
 * line and is returned as unresolved; it never stops the launch by itself.
 */
export const prepareRequirements = (deps: RequirementsDeps, workDir: string): Effect.Effect<PreparedRequirements, RequirementsUnavailable | RuntimeUnavailable> =>
  Effect.gen(function* () {
    const file = join(workDir, "requirements.txt");
    if (!existsSync(file)) return none;
    const lines = normalizeRequirements(readFileSync(file, "utf8"));
    if (lines.length === 0) return none;
    const where = sourceOf(deps);
    const hash = requirementsHash(deps.imageHash, lines, where);
    const dir = join(deps.venvsDir, hash);
    const resultFile = join(dir, "requirements.json");
    if (existsSync(resultFile)) {
      const cached = JSON.parse(readFileSync(resultFile, "utf8")) as CachedResult;
      tell(deps, cached.report);
      warnUnresolved(deps, cached.unresolved ?? []);
      if (cached.installed.length === 0) return { venvDir: undefined, unresolved: cached.unresolved ?? [] };
      deps.say(`requirements.txt: reusing the cached environment ${hash} (${cached.installed.join(", ")})`, "INFO");
      return { venvDir: join(dir, "venv"), unresolved: cached.unresolved ?? [] };
    }

    const analysis = yield* deps.run({ script: analyzeScript, args: [JSON.stringify(lines)], network: false });
    if (analysis.code !== 0) {
      return yield* Effect.fail(new RequirementsUnavailable({
        message: `requirements.txt could not be read: ${analysis.stderr.slice(-3).join(" ")}`, packages: [],
      }));
    }
    const report = JSON.parse(analysis.stdout) as RequirementsReport;
    tell(deps, report);
    const building = join(deps.venvsDir, `.building-${hash}-${process.pid}-${randomBytes(4).toString("hex")}`);
    yield* Effect.promise(() => mkdir(join(building, "venv"), { recursive: true }));
    const install = (reqs: ReadonlyArray<string>) => deps.run({
      script: installScript,
      args: [JSON.stringify(reqs), JSON.stringify(pipArguments(deps.indexUrl, deps.findLinks))],
      venvDir: join(building, "venv"),
      network: deps.indexUrl !== "off" || isUrl(deps.findLinks),
      onLine: (line) => deps.say(`pip: ${line}`, "INFO"),
    });
    const result = Effect.gen(function* () {
      let installed: ReadonlyArray<string> = [];
      const unresolved: UnresolvedRequirement[] = [];
      if (report.missing.length > 0) {
        deps.say(`requirements.txt: installing ${report.missing.length} missing into a cached environment: ${report.missing.join(", ")}`, "INFO");
        const together = yield* install(report.missing);
        if (together.code === 0) installed = report.missing;
        else if (report.missing.length === 1) unresolved.push({ line: report.missing[0] ?? "", reason: reasonOf(together.stderr, where) });
        else {
          // pip installs all or nothing: one at a time tells which lines cannot be installed.
          const one: string[] = [];
          for (const line of report.missing) {
            const alone = yield* install([line]);
            if (alone.code === 0) one.push(line);
            else unresolved.push({ line, reason: reasonOf(alone.stderr, where) });
          }
          installed = one;
        }
        warnUnresolved(deps, unresolved);
      }
      const cached: CachedResult = { report, installed, unresolved };
      yield* Effect.promise(() => writeFile(join(building, "requirements.json"), `${JSON.stringify(cached, null, 2)}\n`));
      if (installed.length === 0) yield* Effect.promise(() => rm(join(building, "venv"), { recursive: true, force: true }));
      // Another launch with the same requirements may have finished first; theirs is as good.
      yield* Effect.promise(() => rename(building, dir).catch(() => undefined));
      if (installed.length > 0) deps.say(`requirements.txt: installed ${installed.join(", ")} into the environment ${hash}, kept for later launches`, "INFO");
      return { venvDir: installed.length > 0 ? join(dir, "venv") : undefined, unresolved };
    });
    return yield* result.pipe(Effect.ensuring(Effect.promise(() => rm(building, { recursive: true, force: true }))));
  });
