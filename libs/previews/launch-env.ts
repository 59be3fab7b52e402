import { InvalidRequest } from "../http/request-errors.ts";

/** Bounds on `env` at launch: it is stored, so it is bounded like any upload. */
export const envLimits = { maxVariables: 200, maxValueBytes: 32 * 1024, maxTotalBytes: 256 * 1024 } as const;

const namePattern = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** What the runtime itself sets or what would change how Python starts: not the preview's to give. */
const reserved = /^(PATH|HOME|LANG|LC_[A-Z]+|PYTHON[A-Z_]*|LD_[A-Z_]+|UV_[A-Z_]+)$/;

const refuse = (name: string | undefined, problem: string) =>
  new InvalidRequest({ message: `Invalid env${name === undefined ? "" : ` variable ${name}`}: ${problem}`, details: { field: name === undefined ? "env" : `env.${name}`, problem } });

/**
 * A launch's `env`, checked: names as a shell allows them, none the runtime owns, values without NUL
 * and within the limits. Errors name the variable, never its value.
 */
export const validateLaunchEnv = (env: Readonly<Record<string, string>>): Readonly<Record<string, string>> | InvalidRequest => {
  const entries = Object.entries(env);
  if (entries.length > envLimits.maxVariables) return refuse(undefined, `more than ${envLimits.maxVariables} variables`);
  let total = 0;
  for (const [name, value] of entries) {
    if (!namePattern.test(name)) return refuse(JSON.stringify(name.slice(0, 64)), "a name is letters, digits and _, not starting with a digit (at most 128)");
    if (reserved.test(name)) return refuse(name, "set by the platform, not by a launch");
    if (value.includes("\u0000")) return refuse(name, "the value contains a NUL character");
    const bytes = Buffer.byteLength(value);
    if (bytes > envLimits.maxValueBytes) return refuse(name, `the value is over ${envLimits.maxValueBytes} bytes`);
    total += bytes + Buffer.byteLength(name);
  }
  if (total > envLimits.maxTotalBytes) return refuse(undefined, `over ${envLimits.maxTotalBytes} bytes in all`);
  return env;
};
