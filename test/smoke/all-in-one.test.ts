import { defineSmokeSuite } from "./smoke-suite.ts";

defineSmokeSuite("all in one process, in-process layers (npm run start:all-in-one)", { script: "start:all-in-one" });
