// The process environment an app reads while it is imported: os.environ / os.getenv, python-dotenv,
// starlette's Config, python-decouple's config and pydantic-settings classes. The preview runs with
// the environment its launch gives it (ExtractOptions.env, empty by default), so a variable that is
// not set reads as the default the code names — which decides real routes (`docs_url` from settings,
// routers switched on by a flag). A variable that is unset and has no default stays unknown.
import type { Args } from "./calls.ts";
import type { Interpreter } from "./interpreter.ts";
import type { ClassValue, Site, Value } from "./values.ts";
import { at, NONE, str, unknown } from "./values.ts";

/** Classes whose instances read variables when called (`config("DEBUG", cast=bool, default=False)`). */
const READER_CLASSES = new Set(["starlette.config.Config", "decouple.Config", "decouple.AutoConfig"]);
/** Ready-made readers: python-decouple's module-level `config`. */
const READERS = new Set(["decouple.config"]);
const SETTINGS_BASES = new Set(["pydantic_settings.BaseSettings", "pydantic_settings.main.BaseSettings", "pydantic.BaseSettings"]);
const MODEL_BASES = new Set(["pydantic.BaseModel", "pydantic.main.BaseModel", "sqlmodel.SQLModel", ...SETTINGS_BASES]);

/** How each reader turns text into a bool (lower-cased first); anything else is refused, so unknown. */
type Booleans = ReadonlyMap<string, boolean>;
const words = (truthy: string[], falsy: string[]): Booleans => new Map([...truthy.map((word) => [word, true] as const), ...falsy.map((word) => [word, false] as const)]);
const PYDANTIC_BOOLEANS = words(["1", "on", "t", "true", "y", "yes"], ["0", "off", "f", "false", "n", "no"]);
const STARLETTE_BOOLEANS = words(["true", "1"], ["false", "0"]);
const DECOUPLE_BOOLEANS = words(["1", "yes", "true", "on"], ["0", "no", "false", "off", ""]);

/** `os.environ` as the preview sees it. */
export const environDict = (interp: Interpreter): Value => ({ kind: "dict", entries: new Map([...interp.env].map(([key, value]) => [key, str(value)])) });

/** The value of an external name, where the name stands for something the environment decides. */
export const externalValue = (interp: Interpreter, name: string): Value => (name === "os.environ" ? environDict(interp) : { kind: "external", name });

/**
 * The result of calling the external `name`, when it reads the environment; null when `name` is
 * not an environment reader.
 */
export const callEnvironmentReader = (interp: Interpreter, name: string, args: Args, site: Site): Value | null => {
  if (name === "os.getenv") return read(interp, args, site, { defaultValue: NONE, cast: false, booleans: PYDANTIC_BOOLEANS });
  if (READER_CLASSES.has(name)) return { kind: "external", name: `${name}()` };
  const reader = name.endsWith("().get") ? name.slice(0, -4) : name;
  if (READERS.has(reader) || (reader.endsWith("()") && READER_CLASSES.has(reader.slice(0, -2)))) {
    return read(interp, args, site, { defaultValue: null, cast: true, booleans: reader.startsWith("starlette.") ? STARLETTE_BOOLEANS : DECOUPLE_BOOLEANS });
  }
  if (name === "dotenv.load_dotenv" || name === "dotenv.main.load_dotenv") return { kind: "bool", value: false };
  if (name === "dotenv.dotenv_values" || name === "dotenv.main.dotenv_values") return { kind: "dict", entries: new Map() };
  if (name === "pydantic.Field" || name === "pydantic.fields.Field" || name === "sqlmodel.Field") {
    // A field's default is what an instance holds when nothing sets it.
    const value = args.keywords.get("default")?.value ?? args.positional[0]?.value;
    return value ?? unknown(`\`Field(...)\` at ${at(site)} has no default (default_factory or required)`);
  }
  if (name === "pydantic_settings.SettingsConfigDict" || name === "pydantic.ConfigDict") {
    return { kind: "dict", entries: new Map([...args.keywords].map(([key, arg]) => [key, arg.value])) };
  }
  return null;
};

const read = (interp: Interpreter, args: Args, site: Site, how: { defaultValue: Value | null; cast: boolean; booleans: Booleans }): Value => {
  const key = args.keywords.get("key")?.value ?? args.positional[0]?.value;
  if (key?.kind !== "str") return unknown(`environment variable named by a value not known statically at ${at(site)}`);
  const cast = how.cast ? (args.keywords.get("cast")?.value ?? args.positional[1]?.value ?? null) : null;
  const set = interp.env.get(key.value);
  const fallback = args.keywords.get("default")?.value ?? args.positional[how.cast ? 2 : 1]?.value ?? how.defaultValue;
  const value = set === undefined ? fallback : str(set);
  if (value === null) return unknown(`environment variable ${key.value} is not set and has no default at ${at(site)} (the app fails there)`);
  if (cast === null || value.kind === "none") return value;
  const castName = cast.kind === "external" ? cast.name.replace(/^builtins\./, "") : "a function not known statically";
  return castValue(value, cast, how.booleans) ?? unknown(`environment variable ${key.value} at ${at(site)} is not cast by ${castName} statically (a value the reader refuses fails the app there)`);
};

const castValue = (value: Value, cast: Value, booleans: Booleans): Value | null => {
  if (cast.kind !== "external") return null;
  const text = value.kind === "str" ? value.value : null;
  switch (cast.name) {
    case "builtins.str":
      return text === null ? null : value;
    case "builtins.bool":
      if (value.kind === "bool") return value;
      return text === null ? null : parseBool(text, booleans);
    case "builtins.int":
    case "builtins.float":
      if (value.kind === "num") return value;
      return text === null ? null : parseNumber(text, cast.name === "builtins.int");
    default:
      return null;
  }
};

const parseBool = (text: string, booleans: Booleans): Value | null => {
  const value = booleans.get(text.trim().toLowerCase());
  return value === undefined ? null : { kind: "bool", value };
};

const parseNumber = (text: string, integer: boolean): Value | null => {
  const trimmed = text.trim();
  const valid = integer ? /^[+-]?\d+$/.test(trimmed) : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed);
  return valid ? { kind: "num", value: Number(trimmed) } : null;
};

// ---- pydantic models and settings --------------------------------------------------------------

const derivesFrom = (cls: ClassValue, names: ReadonlySet<string>, seen = new Set<ClassValue>()): boolean => {
  if (seen.has(cls)) return false;
  seen.add(cls);
  return cls.bases.some((base) => (base.kind === "external" ? names.has(base.name) : base.kind === "class" && derivesFrom(base.cls, names, seen)));
};

/** Annotated fields (`NAME: type [= default]`) of the class and its bases, nearest first, as annotation text. */
export const fieldAnnotations = (cls: ClassValue, seen = new Set<ClassValue>(), out = new Map<string, string>()): Map<string, string> => {
  if (seen.has(cls)) return out;
  seen.add(cls);
  const parsed = cls.module.parsed;
  const body = cls.node.lastChild;
  if (parsed && body?.name === "Body") {
    for (let statement = body.firstChild; statement; statement = statement.nextSibling) {
      if (statement.name !== "AssignStatement") continue;
      const name = statement.firstChild;
      const typeDef = name?.nextSibling;
      if (name?.name !== "VariableName" || typeDef?.name !== "TypeDef") continue;
      const field = parsed.text(name);
      const annotation = typeDef.lastChild;
      if (!out.has(field) && annotation) out.set(field, parsed.text(annotation));
    }
  }
  for (const base of cls.bases) if (base.kind === "class") fieldAnnotations(base.cls, seen, out);
  return out;
};

/** A string given to a pydantic field, as pydantic validates it for the simple annotations; else unchanged. */
const coerce = (value: Value, annotation: string | undefined): Value => {
  if (value.kind !== "str" || annotation === undefined) return value;
  const type = annotation.replace(/\s+/g, "").replace(/^Optional\[(.*)\]$/, "$1").replace(/\|None$|^None\|/, "");
  if (type === "bool") return parseBool(value.value, PYDANTIC_BOOLEANS) ?? unknown(`"${value.value}" is not a valid bool (pydantic refuses it)`);
  if (type === "int" || type === "float") return parseNumber(value.value, type === "int") ?? unknown(`"${value.value}" is not a valid ${type} (pydantic refuses it)`);
  return value;
};

/** Keyword arguments of a pydantic model's constructor, validated against the field annotations. */
export const modelFields = (cls: ClassValue, keywords: ReadonlyMap<string, Value>): Map<string, Value> => {
  const fields = new Map(keywords);
  if (!derivesFrom(cls, MODEL_BASES)) return fields;
  const annotations = fieldAnnotations(cls);
  for (const [key, value] of fields) fields.set(key, coerce(value, annotations.get(key)));
  return fields;
};

/**
 * pydantic-settings: each field not given to the constructor is read from the environment (prefix
 * + name, case-insensitive unless the class says otherwise) and validated; else the class default.
 */
export const settingsFromEnvironment = (interp: Interpreter, cls: ClassValue, given: ReadonlyMap<string, Value>, configOf: (name: string) => Value | null): Map<string, Value> => {
  const found = new Map<string, Value>();
  if (interp.env.size === 0 || !derivesFrom(cls, SETTINGS_BASES)) return found;
  const prefixValue = configOf("env_prefix");
  const prefix = prefixValue?.kind === "str" ? prefixValue.value : "";
  const caseSensitive = configOf("case_sensitive")?.kind === "bool" && (configOf("case_sensitive") as { value: boolean }).value;
  const lookup = caseSensitive ? interp.env : new Map([...interp.env].map(([key, value]) => [key.toLowerCase(), value]));
  for (const [field, annotation] of fieldAnnotations(cls)) {
    if (given.has(field)) continue;
    const name = `${prefix}${field}`;
    const set = lookup.get(caseSensitive ? name : name.toLowerCase());
    if (set === undefined) continue;
    // pydantic-settings reads complex fields (lists, dicts, models) as JSON: not modelled.
    found.set(field, /^(list|List|dict|Dict|set|Set|tuple|Tuple)\b/.test(annotation) ? unknown(`${name} from the environment as JSON`) : coerce(str(set), annotation));
  }
  return found;
};
