import { defineSmokeSuite } from "./smoke-suite.ts";

defineSmokeSuite("gateway, logs and extractor on Deno, orchestrator on Node", {
  env: { GATEWAY_JS_RUNTIME: "deno", LOGS_JS_RUNTIME: "deno", EXTRACTOR_JS_RUNTIME: "deno" },
});
