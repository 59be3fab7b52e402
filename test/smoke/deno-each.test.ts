import { defineSmokeSuite } from "./smoke-suite.ts";

// Each service alone on Deno (the orchestrator's own file covers it), then all four on Deno.
defineSmokeSuite("gateway on Deno, the rest on Node", { env: { GATEWAY_JS_RUNTIME: "deno" } });
defineSmokeSuite("logs on Deno, the rest on Node", { env: { LOGS_JS_RUNTIME: "deno" } });
defineSmokeSuite("extractor on Deno, the rest on Node", { env: { EXTRACTOR_JS_RUNTIME: "deno" } });
defineSmokeSuite("every service on Deno", { env: { PLATFORM_JS_RUNTIME: "deno" } });
