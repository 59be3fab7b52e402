// Types only, so the browser client can import it without pulling in the extractor.
import type { ExtractionResult } from "./endpoint.ts";

/** Route 4's answer: a generation's endpoints, from its running preview (`live`) or its source (`static`). */
export interface EndpointsView extends ExtractionResult {
  readonly source: "static" | "live";
}
