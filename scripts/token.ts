// Prints a user token signed with the secret `npm start` uses (same DATA_DIR): npm run --silent token -- <userId>
import { Effect, Redacted } from "effect";
import { PlatformSecrets, PlatformSecretsLive } from "../libs/auth/platform-secrets.ts";
import { signUserToken } from "../libs/auth/user-token.ts";

const userId = process.argv[2];
if (userId === undefined || userId.trim() === "") {
  process.stderr.write("usage: npm run --silent token -- <userId>\n");
  process.exit(2);
}
const secrets = await Effect.runPromise(Effect.provide(Effect.gen(function* () { return yield* PlatformSecrets; }), PlatformSecretsLive));
process.stdout.write(await signUserToken(Redacted.value(secrets.jwtSecret), userId) + "\n");
