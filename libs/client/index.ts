// The client package's entry (package.json "exports" "."): web-standard APIs only, so the same
// bundle runs in Node, Deno and browsers. The React hook is the separate "./react" entry.
export { type ApiError, type ApiResult, createPreviewClient, type EndpointList, type LogsPage, type PreviewClient, type PreviewClientOptions } from "./api-client.ts";
export { type ApiErrorCode, apiErrorCodes, type ClientErrorCode, clientErrorCodes, isApiErrorCode } from "../http/error-codes.ts";
export { type FollowLogsOptions, followLogs, type LogEvent, PreviewApiError } from "./log-iterator.ts";
export { type ConnectionState, type EventSourceLike, PreviewLogStream, type PreviewLogStreamOptions } from "./log-stream.ts";
export { openFetchEventSource } from "./fetch-event-source.ts";
export { browserEventSource } from "./browser-event-source.ts";
export type { LogLine } from "../logs/schemas.ts";
export type { PreviewStatus } from "../previews/contract.ts";
