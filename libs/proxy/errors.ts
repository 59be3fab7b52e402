import { Data } from "effect";

/** The upstream refused the connection or broke it before answering. */
export class UpstreamUnreachable extends Data.TaggedError("UpstreamUnreachable")<{
  readonly reason: string;
}> {}

/** The upstream did not send response headers within the timeout. */
export class UpstreamTimeout extends Data.TaggedError("UpstreamTimeout")<{
  readonly timeoutMs: number;
}> {}

/** The preview is unknown, stopped, or not running yet. */
export class PreviewUnavailable extends Data.TaggedError("PreviewUnavailable")<{
  readonly previewInstanceId: string;
}> {}

/** No preview token, or one that does not belong to this preview. */
export class InvalidPreviewToken extends Data.TaggedError("InvalidPreviewToken")<{
  readonly reason: string;
}> {}
