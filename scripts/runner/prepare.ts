// What the runner needs before it starts the services, worked out in a process of its own so the
// runner itself never loads Effect and the services' configs and stays small for as long as the
// platform runs (npm run bench:idle): makes the local secrets under DATA_DIR (or finds them, or
// finds them configured), then prints each service's port as JSON on stdout.
import { Effect } from "effect";
import { PlatformSecrets, PlatformSecretsLive } from "../../libs/auth/platform-secrets.ts";
import { servicePort, serviceNames } from "./service-ports.ts";

await Effect.runPromise(Effect.gen(function* () { yield* PlatformSecrets; }).pipe(Effect.provide(PlatformSecretsLive)));
process.stdout.write(JSON.stringify(Object.fromEntries(serviceNames.map((name) => [name, servicePort(name) ?? null]))));
