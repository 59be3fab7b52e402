import { Effect, Layer } from "effect";
import { Previews } from "./contract.ts";
import { PreviewDirectory } from "./directory.ts";

/** The directory answered by the Previews service itself, in this process (all-in-one, tests). */
export const InProcessPreviewDirectory = Layer.effect(
  PreviewDirectory,
  Effect.gen(function* () {
    const previews = yield* Previews;
    return PreviewDirectory.of({
      route: previews.route,
      latestFor: previews.status,
      touch: (ids) => Effect.forEach(ids, (id) => previews.touch(id), { discard: true }),
    });
  }),
);
