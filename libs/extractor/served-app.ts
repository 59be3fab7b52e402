// Which app uvicorn would serve when nobody says: one search shared by the launcher
// (libs/runtime/entry.ts) and the extractor, so both always agree. Strongest evidence first:
// a `uvicorn.run("module:attr")` / `uvicorn module:attr` naming a project module, then the
// conventional main.py and app/main.py, then a module-level `NAME = FastAPI(...)`, then a
// module-level `app = factory(...)`, and only last a `FastAPI(` inside some function.

export interface SourceText {
  readonly path: string;
  readonly text: string;
}

export interface ServedApp {
  readonly file: string;
  readonly module: string;
  readonly attribute: string;
  /** Whether the attribute was named (uvicorn string) rather than guessed from the code. */
  readonly attributeNamed: boolean;
  /** Whether the attribute is a factory that builds the app when called (`uvicorn --factory`, `factory=True`). */
  readonly factory: boolean;
  /** Why this one, for a diagnostic ("named by uvicorn.run(...) in run.py:5"). */
  readonly reason: string;
}

const CONVENTIONAL = ["main.py", "app/main.py"];
const APP_NAMES = new Set(["app", "application", "api", "server"]);
const LAUNCHERS = /\.(py|sh|toml|ya?ml|cfg|ini)$|(^|\/)(Procfile|Dockerfile|Makefile)$/;
const MODULE_LEVEL_APP = /^([A-Za-z_]\w*)\s*(?::[^=\n]+)?=\s*(?:[\w.]*\.)?FastAPI\s*\(/m;
const MODULE_LEVEL_CALL = /^([A-Za-z_]\w*)\s*(?::[^=\n]+)?=\s*[A-Za-z_][\w.]*\s*\(/gm;
const ANY_FASTAPI = /\bFastAPI\s*\(/;

export const moduleOfFile = (file: string): string =>
  file.replace(/\.py$/, "").replace(/\/__init__$/, "").split("/").join(".");

const lineAt = (text: string, index: number): number => text.slice(0, index).split("\n").length;

const depth = (file: string): number => file.split("/").length;

const byDepthThenPath = (a: SourceText, b: SourceText): number => depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** The module-level name an app is bound to in `text`, if any: `NAME = FastAPI(` first, then `app = make(...)`. */
export const appBindingIn = (text: string): { name: string; how: "constructs" | "calls" } | null => {
  const direct = MODULE_LEVEL_APP.exec(text);
  if (direct?.[1]) return { name: direct[1], how: "constructs" };
  for (const match of text.matchAll(MODULE_LEVEL_CALL)) {
    if (match[1] && APP_NAMES.has(match[1])) return { name: match[1], how: "calls" };
  }
  return null;
};

/** `module:attr` tokens after the word uvicorn (`uvicorn.run("m:a")`, `uvicorn m:a`, `["uvicorn", "m:a"]`). */
const UVICORN_LINE = /\buvicorn\b[^\n]*/g;
const TARGET_TOKEN = /(?:^|[\s"'(,=])([A-Za-z_][\w.]*):([A-Za-z_]\w*)(?=$|[\s"',)])/g;
/** How far a call's arguments are followed past its first line (`uvicorn.run(` formatted one argument a line). */
const MAX_CALL_LINES = 12;

/** The uvicorn line, and when it opens a bracket it leaves open, the following lines up to the one closing it. */
const uvicornStatement = (text: string, start: number, line: string): string => {
  let open = 0;
  for (const char of line) open += char === "(" || char === "[" ? 1 : char === ")" || char === "]" ? -1 : 0;
  if (open <= 0) return line;
  let end = start + line.length;
  for (let lines = 0; lines < MAX_CALL_LINES && open > 0 && end < text.length; lines++) {
    const next = text.indexOf("\n", end + 1);
    const chunk = text.slice(end, next < 0 ? text.length : next);
    for (const char of chunk) open += char === "(" || char === "[" ? 1 : char === ")" || char === "]" ? -1 : 0;
    end = next < 0 ? text.length : next;
  }
  return text.slice(start, end);
};

const fromUvicorn = (files: ReadonlyArray<SourceText>, python: ReadonlyMap<string, SourceText>): ServedApp | null => {
  const launchers = files.filter((file) => LAUNCHERS.test(file.path)).sort(byDepthThenPath);
  let factory: ServedApp | null = null;
  for (const launcher of launchers) {
    for (const line of launcher.text.matchAll(UVICORN_LINE)) {
      const text = uvicornStatement(launcher.text, line.index, line[0]);
      // A factory (`factory=True`, `--factory`) is called to build the app; a command naming an app object wins over it.
      const isFactory = /factory\s*=\s*True|--factory/.test(text);
      if (isFactory && factory) continue;
      for (const token of text.slice("uvicorn".length).matchAll(TARGET_TOKEN)) {
        const [, module = "", attribute = ""] = token;
        const base = module.split(".").join("/");
        const file = [`${base}.py`, `${base}/__init__.py`].find((candidate) => python.has(candidate));
        if (!file) continue;
        const first = line[0].trim();
        const quoted = first.length > 80 ? `${first.slice(0, 79)}…` : first;
        const where = `${launcher.path}:${lineAt(launcher.text, line.index)}`;
        if (!isFactory) return { file, module, attribute, attributeNamed: true, factory: false, reason: `named by \`${quoted}\` in ${where}` };
        factory = { file, module, attribute, attributeNamed: true, factory: true, reason: `named as a factory (called to build the app, as uvicorn --factory does) by \`${quoted}\` in ${where}` };
        break;
      }
    }
  }
  return factory;
};

export const findServedApp = (files: ReadonlyArray<SourceText>): ServedApp | undefined => {
  const python = new Map(files.filter((file) => file.path.endsWith(".py")).map((file) => [file.path, file]));
  const named = fromUvicorn(files, python);
  if (named) return named;
  const guess = (file: SourceText, reason: string): ServedApp => {
    const binding = appBindingIn(file.text);
    return { file: file.path, module: moduleOfFile(file.path), attribute: binding?.name ?? "app", attributeNamed: false, factory: false, reason };
  };
  for (const conventional of CONVENTIONAL) {
    const file = python.get(conventional);
    if (file) return guess(file, `${conventional} is the conventional entry`);
  }
  const ordered = [...python.values()].sort(byDepthThenPath);
  const constructsSomewhere = ordered.some((file) => ANY_FASTAPI.test(file.text));
  const constructing = ordered.find((file) => appBindingIn(file.text)?.how === "constructs");
  if (constructing) return guess(constructing, `it binds a FastAPI app at module level (\`${appBindingIn(constructing.text)?.name} = FastAPI(...)\`)`);
  const calling = ordered.find((file) => constructsSomewhere && appBindingIn(file.text)?.how === "calls");
  if (calling) return guess(calling, `it binds \`${appBindingIn(calling.text)?.name}\` at module level to the result of a call`);
  const anywhere = ordered.find((file) => ANY_FASTAPI.test(file.text));
  return anywhere ? guess(anywhere, "it is the first module that constructs FastAPI( (inside a function: no module-level app was found)") : undefined;
};
