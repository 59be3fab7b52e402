import { defineSmokeSuite } from "./smoke-suite.ts";

defineSmokeSuite("every service on Node, split (npm start)", {});
