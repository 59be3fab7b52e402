import { Data } from "effect";

/** The request itself is wrong: a bad field, path or value. `details` names what. */
export class InvalidRequest extends Data.TaggedError("InvalidRequest")<{
  readonly message: string;
  readonly details?: Record<string, unknown>;
}> {}

/** The request body is larger than the route accepts. */
export class PayloadTooLarge extends Data.TaggedError("PayloadTooLarge")<{
  readonly limitBytes: number;
}> {}

/** No valid credentials for this route. */
export class Unauthorized extends Data.TaggedError("Unauthorized")<{
  readonly reason: string;
}> {}

/** The request's Host is not one this server answers for (a DNS-rebinding attempt, or a misconfigured name). */
export class UnknownHost extends Data.TaggedError("UnknownHost")<{
  readonly host: string;
}> {}

/** Authenticated or not, this request may not do this here (e.g. a local-mode route from a non-loopback origin). */
export class Forbidden extends Data.TaggedError("Forbidden")<{
  readonly reason: string;
}> {}
