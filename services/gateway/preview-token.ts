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

/** The request's cookies minus the preview token: the preview's own cookies still reach it. */
export const cookiesForPreview = (cookieHeader: string | undefined): string | undefined => {
  if (cookieHeader === undefined) return undefined;
  const kept = cookieHeader.split(";").map((p) => p.trim()).filter((p) => p !== "" && !p.startsWith(`${previewTokenCookie}=`));
  return kept.length === 0 ? undefined : kept.join("; ");
};
