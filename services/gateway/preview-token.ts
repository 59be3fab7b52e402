import { createHash, timingSafeEqual } from "node:crypto";
import { getCookie } from "hono/cookie";
import type { Context } from "hono";

/** One name is enough: the cookie is host-only on the preview's own origin, so a browser sends each preview its own. */
export const previewTokenCookie = "preview_token";
export const previewTokenHeader = "x-preview-token";
export const previewTokenQuery = "previewToken";

export const tokenMatches = (token: string, expectedSha256Hex: string): boolean => {
  const given = createHash("sha256").update(token).digest();
  const expected = Buffer.from(expectedSha256Hex, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
};

/**
 * The hand-off cookie authorises a request only when the browser says it comes from the preview's
 * own pages, or is a navigation (whose answer the navigating page cannot read), or when no
 * browser says anything (a programmatic client). Under `*.preview.localhost` every preview is the
 * same site, so without this a hostile preview's fetch() would carry another preview's (SameSite=Lax)
 * cookie and read its answers wherever that app allows credentialed CORS.
 */
export const cookieMayAuthorize = (secFetchSite: string | undefined, secFetchMode: string | undefined): boolean =>
  secFetchSite === undefined || secFetchSite === "same-origin" || secFetchSite === "none" || secFetchMode === "navigate";

/** On a preview's origin: X-Preview-Token, else the hand-off cookie when the request may use it. */
export const presentedToken = (c: Context): string | undefined =>
  c.req.header(previewTokenHeader)
    ?? (cookieMayAuthorize(c.req.header("sec-fetch-site"), c.req.header("sec-fetch-mode")) ? getCookie(c, previewTokenCookie) : undefined);

/**
 * A Cookie header split in one pass: the preview token it carries, and the other cookies (the
 * preview's own, which still reach it; undefined when none is left).
 */
export const splitPreviewCookie = (cookieHeader: string | undefined): { readonly token: string | undefined; readonly rest: string | undefined } => {
  if (cookieHeader === undefined) return { token: undefined, rest: undefined };
  let token: string | undefined;
  const kept: string[] = [];
  for (const part of cookieHeader.split(";")) {
    const p = part.trim();
    if (p.startsWith(`${previewTokenCookie}=`)) token ??= p.slice(previewTokenCookie.length + 1);
    else if (p !== "") kept.push(p);
  }
  return { token, rest: kept.length === 0 ? undefined : kept.join("; ") };
};

/** The request's cookies minus the preview token. */
export const cookiesForPreview = (cookieHeader: string | undefined): string | undefined => splitPreviewCookie(cookieHeader).rest;
