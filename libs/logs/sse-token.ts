import { createHmac } from "node:crypto";
import { Jwt } from "hono/utils/jwt";

const { sign, verify } = Jwt;

/** The `typ` claim of a log-stream token; a user JWT has none, so neither passes for the other. */
const sseTokenType = "logs-sse";

/**
 * The key log-stream tokens are signed with: derived from the platform JWT secret rather than
 * the secret itself, because a token that travels in a URL must never verify as a user bearer
 * token on routes that check only the signature and `exp`.
 */
const sseKey = (jwtSecret: string) => createHmac("sha256", jwtSecret).update("preview-platform/logs-sse-token/v1").digest("base64url");

export interface SseGrant {
  readonly userId: string;
  readonly generationId: string;
}

/** A short-lived token bound to one user and one generation (api.md `POST /logs/token`). */
export const signSseToken = async (jwtSecret: string, grant: SseGrant, ttlSeconds: number, now = Date.now()) => {
  const iat = Math.floor(now / 1000);
  const exp = iat + ttlSeconds;
  const token = await sign({ typ: sseTokenType, sub: grant.userId, gid: grant.generationId, iat, exp }, sseKey(jwtSecret), "HS256");
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
};

/** The grant of a valid, unexpired log-stream token, or undefined. */
export const verifySseToken = async (jwtSecret: string, token: string): Promise<SseGrant | undefined> => {
  try {
    const payload = await verify(token, sseKey(jwtSecret), "HS256");
    const { typ, sub, gid, exp } = payload;
    if (typ !== sseTokenType || typeof sub !== "string" || sub === "" || typeof gid !== "string" || typeof exp !== "number") return undefined;
    return { userId: sub, generationId: gid };
  } catch {
    return undefined;
  }
};
