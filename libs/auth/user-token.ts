import { Jwt } from "hono/utils/jwt";

const { sign, verify } = Jwt;

/** Signs a user token (HS256, `sub` = user id). Used by the dev token command and tests. */
export const signUserToken = (secret: string, userId: string, ttlSeconds = 24 * 3600): Promise<string> => {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: userId, iat: now, exp: now + ttlSeconds }, secret, "HS256");
};

/** The user id of a valid, unexpired HS256 token, or undefined. */
export const verifyUserToken = async (secret: string, token: string): Promise<string | undefined> => {
  try {
    const payload = await verify(token, secret, "HS256");
    return typeof payload.sub === "string" && payload.sub !== "" && typeof payload.exp === "number" ? payload.sub : undefined;
  } catch {
    return undefined;
  }
};
