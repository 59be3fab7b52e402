/** Hono context variables set by our middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    userId: string;
  };
}
