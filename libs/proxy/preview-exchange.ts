import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { type Dispatcher, errors as undiciErrors } from "undici";
import { errorBody } from "../http/error-envelope.ts";
import { describeFailure } from "../http/error-mapping.ts";
import { elapsedMs } from "../http/request-context.ts";
import { PayloadTooLarge } from "../http/request-errors.ts";
import type { Logger } from "../observability/logger.ts";
import type { PeerUnavailable } from "../peers/errors.ts";
import { type PreviewUnavailable, UpstreamTimeout, UpstreamUnreachable } from "./errors.ts";
import { cappedBody } from "./capped-body.ts";
import { hopByHopHeaders } from "./headers.ts";

const smallBodyBytes = 64 * 1024;

export const sendError = (res: ServerResponse, requestId: string, failure: UpstreamUnreachable | UpstreamTimeout | PayloadTooLarge | PreviewUnavailable | PeerUnavailable, stamp = true) => {
  if (res.headersSent || res.destroyed) return void res.destroy();
  const e = describeFailure(failure);
  res.writeHead(e.status, { "content-type": "application/json", ...(stamp ? { "x-request-id": requestId } : {}), ...e.headers });
  res.end(JSON.stringify(errorBody(requestId, e)));
};

/** The response's end-to-end headers (raw names and values, repeats kept) plus our request id. */
const responseHeaders = (raw: ReadonlyArray<Buffer | string>, requestId: string | undefined): string[] => {
  const out: string[] = [];
  let named: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = String(raw[i]);
    const value = raw[i + 1];
    // latin1 passes a value's bytes through unchanged: node:http writes string headers as latin1.
    const text = typeof value === "string" ? value : (value?.toString("latin1") ?? "");
    const lower = name.toLowerCase();
    if (lower === "connection") named = new Set(text.split(",").map((h) => h.trim().toLowerCase()));
    if (!hopByHopHeaders.has(lower)) out.push(name, text);
  }
  // Headers that Connection names are hop-by-hop too; rare, so filtered only when named.
  if (named !== undefined && named.size > 0) {
    const kept: string[] = [];
    for (let i = 0; i < out.length; i += 2) if (!named.has((out[i] ?? "").toLowerCase())) kept.push(out[i] ?? "", out[i + 1] ?? "");
    if (requestId !== undefined) kept.push("x-request-id", requestId);
    return kept;
  }
  if (requestId !== undefined) out.push("x-request-id", requestId);
  return out;
};

const pathOf = (url: string) => {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
};

export interface ExchangeContext {
  readonly previewInstanceId: string;
  readonly requestId: string;
  readonly upstreamTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
  /** The preview refused or broke the connection: what to answer (its cached route may be stale). */
  readonly unreachable: (previewInstanceId: string, e: UpstreamUnreachable) => Promise<UpstreamUnreachable | PreviewUnavailable | PeerUnavailable>;
  /** False on a runner node's proxy: the gateway in front adds the request id the client sees. */
  readonly stampRequestId?: boolean;
}

/**
 * One proxied request on the Node fast path, as undici's dispatch handler: the preview's
 * response streams back to the client with backpressure, and the client going away, or a body
 * over the limit, ends the upstream exchange. A class, not closures: one object per request.
 */
export class PreviewExchange implements Dispatcher.DispatchHandler {
  private readonly started = performance.now();
  private controller: Dispatcher.DispatchController | undefined;
  /** Set when we end the exchange ourselves; undici then reports it as the error. */
  private failure: PayloadTooLarge | Error | undefined;
  private status = 0;
  private statusMessage = "";
  private headers: string[] = [];
  /** A small body of known length goes out with the headers in one write: half the syscalls of streaming it. */
  private buffered: Buffer[] | undefined;

  private readonly req: IncomingMessage;
  private readonly res: ServerResponse;
  private readonly context: ExchangeContext;
  private readonly stamped: boolean;

  constructor(req: IncomingMessage, res: ServerResponse, context: ExchangeContext) {
    this.req = req;
    this.res = res;
    this.context = context;
    this.stamped = context.stampRequestId ?? true;
  }

  /**
   * Starts watching for the client going away, and gives the request body to send: counted
   * against the limit as it streams, or null when there is none.
   */
  start(hasBody: boolean): Readable | null {
    this.res.once("close", () => this.clientClosed());
    if (!hasBody) return null;
    const { maxBodyBytes } = this.context;
    return this.req.pipe(cappedBody(maxBodyBytes, () => {
      const failure = new PayloadTooLarge({ limitBytes: maxBodyBytes });
      this.abort(failure);
      return failure;
    }));
  }

  private clientClosed() {
    if (!this.res.writableFinished) return this.abort(new Error("the client closed the connection"));
    this.context.logger.request({
      requestId: this.context.requestId,
      method: this.req.method ?? "",
      path: pathOf(this.req.url ?? ""),
      status: this.res.statusCode,
      ms: elapsedMs(this.started),
    });
  }

  private abort(reason: PayloadTooLarge | Error) {
    this.failure ??= reason;
    this.controller?.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.failure !== undefined) controller.abort(this.failure);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, parsed: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    if (statusCode < 200) return; // 1xx: node:http has answered Expect itself; early hints are dropped
    this.status = statusCode;
    this.statusMessage = statusMessage ?? "";
    this.headers = responseHeaders((controller.rawHeaders as Array<Buffer | string> | null | undefined) ?? [], this.stamped ? this.context.requestId : undefined);
    if (Number(parsed["content-length"] ?? Number.NaN) <= smallBodyBytes) this.buffered = [];
    else this.res.writeHead(this.status, this.statusMessage, this.headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.buffered !== undefined) return void this.buffered.push(chunk);
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once("drain", () => controller.resume());
    }
  }

  onResponseEnd(): void {
    const { buffered, res } = this;
    if (buffered === undefined) return void res.end();
    res.writeHead(this.status, this.statusMessage, this.headers);
    res.end(buffered.length === 1 ? buffered[0] : Buffer.concat(buffered));
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    const { failure, res, context } = this;
    if (failure instanceof PayloadTooLarge) return sendError(res, context.requestId, failure, this.stamped);
    if (failure !== undefined) return; // the client is gone
    if (error instanceof undiciErrors.HeadersTimeoutError) return sendError(res, context.requestId, new UpstreamTimeout({ timeoutMs: context.upstreamTimeoutMs }), this.stamped);
    void context.unreachable(context.previewInstanceId, new UpstreamUnreachable({ reason: error.message }))
      .then((answer) => sendError(res, context.requestId, answer, this.stamped));
  }
}
