import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { Agent, fetch as undiciFetch, type RequestInit } from "undici";

/**
 * Browsers and curl resolve `*.localhost` to loopback themselves; Node's getaddrinfo does not on
 * this machine (shared/toolchain.md §10). This lookup does what the browser does, and asks DNS for
 * anything else.
 */
export const localhostLookup: LookupFunction = (hostname, options, callback) => {
  if (hostname === "localhost" || hostname.endsWith(".localhost")) {
    if ((options as { all?: boolean }).all === true) return void (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [{ address: "127.0.0.1", family: 4 }]);
    return void callback(null, "127.0.0.1", 4);
  }
  dnsLookup(hostname, options, callback as never);
};

/** An undici dispatcher that reaches `*.localhost` as a browser would. */
export const localhostAgent = new Agent({ connect: { lookup: localhostLookup } });

/** fetch() that resolves `*.localhost` (a preview's own origin) to 127.0.0.1 and sends its real Host. */
export const originFetch = (url: string, init: RequestInit = {}) => undiciFetch(url, { ...init, dispatcher: localhostAgent });

/** A preview's origin under the default PREVIEW_ORIGIN, in front of the gateway at `gateway` (an http://127.0.0.1:port URL). */
export const previewOriginOf = (gateway: string, previewId: string): string => `http://${previewId}.preview.localhost:${new URL(gateway).port}`;
