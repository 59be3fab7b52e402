// `node --import ./scripts/strip-cache/hook.mjs main.ts`: our .ts modules from the stripped-file
// cache (strip-cache.mjs), so the process does not keep Node's TypeScript stripper loaded.
import { installHook } from "./strip-cache.mjs";

installHook();
