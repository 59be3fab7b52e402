import { defineSmokeSuite } from "./smoke-suite.ts";

defineSmokeSuite("orchestrator on Deno, the rest on Node", { env: { ORCHESTRATOR_JS_RUNTIME: "deno" } });
