// Runs in every test file's process (vitest.config.ts `setupFiles`). Hooks here run after the
// file's own (vitest stacks after-hooks), so the file's orchestrators are gone by then.
import { afterAll } from "vitest";
import { releasePortBlocks } from "./port-blocks.ts";

// A vitest worker is ended by a signal, with no 'exit' event: the claims go here instead.
afterAll(releasePortBlocks);
