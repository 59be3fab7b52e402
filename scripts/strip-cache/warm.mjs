// `npm start` and `npm run start:cluster` run this first: every .ts file of the services, libs and scripts stripped into the
// cache (strip-cache.mjs), and entries of files that changed since removed, so that no process
// of the platform loads Node's TypeScript stripper (it stays loaded: ~15-20 MB each).
import { fileURLToPath } from "node:url";
import { warmCache } from "./strip-cache.mjs";

const root = (dir) => fileURLToPath(new URL(`../../${dir}`, import.meta.url));
warmCache(["libs", "services", "scripts"].map(root));
