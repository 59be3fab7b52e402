import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Effect } from "effect";
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

const requirementsHash = (imageHash: string, lines: ReadonlyArray<string>): string =>
  createHash("sha256").update(`${imageHash}\n${lines.join("\n")}`).digest("hex").slice(0, 16);

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

/** Creates the virtualenv over the image's packages and installs the missing requirements with pip. */
const installScript = `
import json, subprocess, sys, venv
reqs, pip_args = json.loads(sys.argv[1]), json.loads(sys.argv[2])
venv.EnvBuilder(system_site_packages=True, with_pip=False, symlinks=True).create("/tmp/venv")
sys.exit(subprocess.call(["/tmp/venv/bin/python", "-m", "pip", "install", *pip_args, *reqs], stdout=sys.stderr))
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
}

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

/**
 * Makes the work dir's requirements.txt available: nothing when the image satisfies it, else a
 * virtualenv over the image's packages with the missing ones, cached by the normalised
 * requirements' hash and shared by every preview with the same requirements. Returns its dir.
 */
export const prepareRequirements = (deps: RequirementsDeps, workDir: string): Effect.Effect<string | undefined, RequirementsUnavailable | RuntimeUnavailable> =>
  Effect.gen(function* () {
    const file = join(workDir, "requirements.txt");
    if (!existsSync(file)) return undefined;
    const lines = normalizeRequirements(readFileSync(file, "utf8"));
    if (lines.length === 0) return undefined;
    const hash = requirementsHash(deps.imageHash, lines);
    const dir = join(deps.venvsDir, hash);
    const resultFile = join(dir, "requirements.json");
    if (existsSync(resultFile)) {
      const cached = JSON.parse(readFileSync(resultFile, "utf8")) as CachedResult;
      tell(deps, cached.report);
      if (cached.installed.length === 0) return undefined;
      deps.say(`requirements.txt: reusing the cached environment ${hash} (${cached.installed.join(", ")})`, "INFO");
      return join(dir, "venv");
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
    const result = Effect.gen(function* () {
      if (report.missing.length > 0) {
        deps.say(`requirements.txt: installing ${report.missing.length} missing into a cached environment: ${report.missing.join(", ")}`, "INFO");
        const install = yield* deps.run({
          script: installScript,
          args: [JSON.stringify(report.missing), JSON.stringify(pipArguments(deps.indexUrl, deps.findLinks))],
          venvDir: join(building, "venv"),
          network: deps.indexUrl !== "off" || isUrl(deps.findLinks),
          onLine: (line) => deps.say(`pip: ${line}`, "INFO"),
        });
        if (install.code !== 0) {
          const pipErrors = install.stderr.filter((l) => l.startsWith("ERROR")).slice(-3);
          const where = [deps.indexUrl === "off" ? undefined : `the index ${deps.indexUrl ?? "(pip's default, PyPI)"}`, deps.findLinks === undefined ? undefined : `the wheelhouse ${deps.findLinks}`]
            .filter((x) => x !== undefined).join(" or ");
          return yield* Effect.fail(new RequirementsUnavailable({
            message: `Could not install the requirements ${report.missing.join(", ")} from ${where || "nowhere (no index, no wheelhouse)"}` +
              ` (offline, or not published as a wheel there). pip: ${(pipErrors.length > 0 ? pipErrors : install.stderr.slice(-2)).join(" | ")}`,
            packages: report.missing,
          }));
        }
      }
      const cached: CachedResult = { report, installed: report.missing };
      yield* Effect.promise(() => writeFile(join(building, "requirements.json"), `${JSON.stringify(cached, null, 2)}\n`));
      if (report.missing.length === 0) yield* Effect.promise(() => rm(join(building, "venv"), { recursive: true, force: true }));
      // Another launch with the same requirements may have finished first; theirs is as good.
      yield* Effect.promise(() => rename(building, dir).catch(() => undefined));
      if (report.missing.length > 0) deps.say(`requirements.txt: installed ${report.missing.join(", ")} into the environment ${hash}, kept for later launches`, "INFO");
      return report.missing.length > 0 ? join(dir, "venv") : undefined;
    });
    return yield* result.pipe(Effect.ensuring(Effect.promise(() => rm(building, { recursive: true, force: true }))));
  });
