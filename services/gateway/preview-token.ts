import { createHash, timingSafeEqual } from "node:crypto";
import { getCookie } from "hono/cookie";
import type { Context } from "hono";

/** One name is enough: the cookie is scoped to `/p/{id}/`, so a browser sends each preview its own. */
export const previewTokenCookie = "preview_token";
export const previewTokenHeader = "x-preview-token";
export const previewTokenQuery = "previewToken";

export const tokenMatches = (token: string, expectedSha256Hex: string): boolean => {
  const given = createHash("sha256").update(token).digest();
  const expected = Buffer.from(expectedSha256Hex, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
};

export const presentedToken = (c: Context): string | undefined =>
  c.req.header(previewTokenHeader) ?? getCookie(c, previewTokenCookie);

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
