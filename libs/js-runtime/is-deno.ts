declare const Deno: unknown;

/** True under Deno. Runtime-specific code is chosen with this in one place per capability (serve, DB driver, upstream client). */
export const isDeno: boolean = typeof Deno !== "undefined";
