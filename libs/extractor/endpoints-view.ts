// Types only, so the browser client can import it without pulling in the extractor.
import type * as views from "../api/views.ts";

/** Route 4's answer: a generation's endpoints, from its running preview (`live`) or its source (`static`). */
export type EndpointsView = typeof views.EndpointsView.Type;
