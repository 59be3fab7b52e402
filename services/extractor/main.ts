import { runMain } from "../run-main.ts";

await runMain(["extractor"], "split");
