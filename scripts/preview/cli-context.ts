// What every `npm run preview` command shares: where the API is, the user's token, the client,
// the exit codes, and turning an API failure into a message that says what to do.
import { Config, ConfigProvider, Effect, Layer, Option, Redacted } from "effect";
import { PlatformSecrets, PlatformSecretsLive } from "../../libs/auth/platform-secrets.ts";
import { signUserToken } from "../../libs/auth/user-token.ts";
import { type ApiError, createPreviewClient, type PreviewClient } from "../../libs/client/api-client.ts";
import { makeTerminal, type Terminal } from "./terminal.ts";

/** The CLI's exit codes, also listed by `--help`. */
export const exitCodes = {
  ok: 0,
  /** The platform refused, or the preview failed or crashed. */
  failed: 1,
  /** A bad command line or local input (unknown option, missing or unreadable directory). */
  usage: 2,
  /** No answer from the platform (not running, wrong URL). */
  unreachable: 3,
  /** No such preview or generation among the caller's. */
  notFound: 4,
} as const;

/** A failure the CLI reports as one line on stderr and its exit code, never as a stack trace. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

export const cliConfig = Config.all({
  apiUrl: Config.String("PREVIEW_API_URL").pipe(Config.orElse(() =>
    Config.Port("GATEWAY_PORT").pipe(Config.withDefault(8080), Config.map((port) => `http://127.0.0.1:${port}`)))),
  token: Config.Redacted("PREVIEW_TOKEN").pipe(Config.option),
  user: Config.String("PREVIEW_USER").pipe(Config.withDefault("local")),
  noColour: Config.String("NO_COLOR").pipe(Config.option),
});

export interface CliContext {
  readonly apiUrl: string;
  readonly client: PreviewClient;
  readonly term: Terminal;
}

/** Without PREVIEW_TOKEN, a token for PREVIEW_USER signed with the local secret `npm start` uses (same DATA_DIR). */
export const makeCliContext = async (): Promise<CliContext> => {
  const config = await Effect.runPromise(cliConfig.parse(ConfigProvider.fromEnv())).catch((e: unknown) => {
    throw new CliError(`bad setting: ${e instanceof Error ? e.message : String(e)}`, exitCodes.usage);
  });
  const apiUrl = config.apiUrl.replace(/\/+$/, "");
  const token = Option.isSome(config.token)
    ? Redacted.value(config.token.value)
    : await Effect.runPromise(Effect.gen(function* () {
      const secrets = yield* PlatformSecrets;
      return yield* Effect.promise(() => signUserToken(Redacted.value(secrets.jwtSecret), config.user));
    }).pipe(Effect.provide(PlatformSecretsLive.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv()))))));
  const term = makeTerminal(process.stdout.isTTY === true && Option.isNone(config.noColour), (t) => process.stdout.write(t));
  return { apiUrl, client: createPreviewClient({ baseUrl: apiUrl, token: () => token }), term };
};

/** The exit code an API failure ends the CLI with. */
export const exitCodeOf = (error: ApiError): number =>
  error.status === 0 ? exitCodes.unreachable : error.status === 404 ? exitCodes.notFound : exitCodes.failed;

/** An API failure as the CLI says it: the platform's message and code, and for no answer at all, what to check. */
export const describeApiError = (error: ApiError): string =>
  error.status === 0
    ? `${error.message}\n  Is the platform running there? Start it with \`npm start\`, or point PREVIEW_API_URL (or GATEWAY_PORT) at it.`
    : `${error.message} (${error.code}, HTTP ${error.status}${error.requestId === "" ? "" : `, request ${error.requestId}`})`;

export const apiFailure = (what: string, error: ApiError): CliError =>
  new CliError(`${what}: ${describeApiError(error)}`, exitCodeOf(error));
