import { Data } from "effect";

/** A peer service (the orchestrator) did not answer as its contract says; the request may be retried. */
export class PeerUnavailable extends Data.TaggedError("PeerUnavailable")<{
  readonly peer: string;
  readonly reason: string;
}> {}
