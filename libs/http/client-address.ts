import type { Context } from "hono";

interface ServerEnv {
  readonly incoming?: { readonly socket?: { readonly remoteAddress?: string } };
  readonly remoteAddr?: { readonly hostname?: string };
}

/** The peer's address under either server: @hono/node-server's `incoming`, or Deno.serve's `remoteAddr`. */
export const clientAddress = (c: Context): string | undefined => {
  const env = c.env as ServerEnv | undefined;
  return env?.incoming?.socket?.remoteAddress ?? env?.remoteAddr?.hostname;
};
