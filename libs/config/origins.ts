import { Config, Option } from "effect";

/**
 * Where the platform and its previews are served: the platform at PUBLIC_URL, each preview at its
 * own origin from PREVIEW_ORIGIN (`{id}` is the preview instance id), so that a preview's script
 * never shares an origin with the Preview Tab, the API or another preview. The gateway routes by
 * the request's Host and answers for no other host (DNS rebinding; shared/design.md).
 */
export interface Origins {
  /** PUBLIC_URL without a trailing slash: the page, the API, `/p/{id}/...` for programmatic clients. */
  readonly platform: string;
  /** The origin of one preview, e.g. `http://{id}.preview.localhost:8080`. */
  readonly previewOrigin: (previewInstanceId: string) => string;
  /** The preview a Host header names, or undefined when it names none. */
  readonly previewIdOfHost: (host: string | undefined) => string | undefined;
  /** The Host is one the platform itself answers on (PUBLIC_URL's, PLATFORM_HOSTS, loopback names when PUBLIC_URL is loopback). */
  readonly isPlatformHost: (host: string | undefined) => boolean;
}

const idPlaceholder = "{id}";
const loopbackNames: ReadonlySet<string> = new Set(["127.0.0.1", "localhost", "[::1]"]);
/** Preview ids are 20 characters of [0-9a-z] (libs/ids/ids.ts): a valid DNS label, and case-insensitive as hosts are. */
const previewIdLabel = /^[0-9a-z]{1,63}$/;

/** The host name of a Host header value: lower-cased, without its port or a trailing dot; `[v6]` kept bracketed. */
export const hostnameOf = (host: string): string => {
  const lower = host.trim().toLowerCase();
  const end = lower.startsWith("[") ? lower.indexOf("]") + 1 : lower.lastIndexOf(":") === -1 ? lower.length : lower.lastIndexOf(":");
  const name = end <= 0 ? lower : lower.slice(0, end);
  return name.endsWith(".") ? name.slice(0, -1) : name;
};

export const isLoopbackHost = (host: string | undefined): boolean => host !== undefined && loopbackNames.has(hostnameOf(host));

export class InvalidOriginConfig extends Error {}

/**
 * Builds the origins from PUBLIC_URL, the PREVIEW_ORIGIN template (unset: `{id}.preview.localhost`
 * on PUBLIC_URL's scheme and port, which browsers resolve to loopback without DNS) and extra
 * platform host names. Throws InvalidOriginConfig naming what is wrong.
 */
export const makeOrigins = (publicUrl: string, previewOriginTemplate: string | undefined, platformHosts: ReadonlyArray<string> = []): Origins => {
  let platformUrl: URL;
  try {
    platformUrl = new URL(publicUrl);
  } catch {
    throw new InvalidOriginConfig(`PUBLIC_URL ${JSON.stringify(publicUrl)} is not a URL`);
  }
  const template = previewOriginTemplate ?? `${platformUrl.protocol}//${idPlaceholder}.preview.localhost${platformUrl.port === "" ? "" : `:${platformUrl.port}`}`;
  let previewUrl: URL;
  try {
    previewUrl = new URL(template.replace(idPlaceholder, "previewid"));
  } catch {
    throw new InvalidOriginConfig(`PREVIEW_ORIGIN ${JSON.stringify(template)} is not a URL`);
  }
  if (!template.startsWith(`${previewUrl.protocol}//${idPlaceholder}.`) || template.split(idPlaceholder).length !== 2) {
    throw new InvalidOriginConfig(`PREVIEW_ORIGIN ${JSON.stringify(template)} must be scheme://{id}.<domain>[:port], with {id} once, as the first label of the host`);
  }
  if (previewUrl.pathname !== "/" || previewUrl.search !== "" || previewUrl.hash !== "") {
    throw new InvalidOriginConfig(`PREVIEW_ORIGIN ${JSON.stringify(template)} must be an origin (no path, query or fragment)`);
  }
  const previewSuffix = `.${previewUrl.hostname.slice("previewid.".length)}`;
  const platformName = hostnameOf(platformUrl.host);
  if (platformName.endsWith(previewSuffix)) {
    throw new InvalidOriginConfig(`PUBLIC_URL's host ${platformName} must not be under the preview domain ${previewSuffix.slice(1)}: previews would share its site`);
  }
  const platformNames = new Set([platformName, ...platformHosts.map(hostnameOf)]);
  if (loopbackNames.has(platformName)) for (const name of loopbackNames) platformNames.add(name);
  const origin = template.replace(/\/+$/, "");

  return {
    platform: platformUrl.origin,
    previewOrigin: (id) => origin.replace(idPlaceholder, id),
    previewIdOfHost: (host) => {
      if (host === undefined) return undefined;
      const name = hostnameOf(host);
      if (!name.endsWith(previewSuffix)) return undefined;
      const label = name.slice(0, -previewSuffix.length);
      return previewIdLabel.test(label) ? label : undefined;
    },
    isPlatformHost: (host) => host !== undefined && platformNames.has(hostnameOf(host)),
  };
};

const list = (name: string) => Config.String(name).pipe(
  Config.withDefault(""),
  Config.map((value): ReadonlyArray<string> => value.split(",").map((h) => h.trim()).filter(Boolean)),
);

/**
 * The origins from PUBLIC_URL (unset: http://127.0.0.1:{GATEWAY_PORT}), PREVIEW_ORIGIN and PLATFORM_HOSTS (comma-separated extra host names
 * the platform answers on, e.g. behind a reverse proxy). A bad setting stops the service at start,
 * naming it (InvalidOriginConfig).
 */
export const originsConfig: Config.Config<Origins> = Config.all({
  // Unset: the gateway on this machine, at GATEWAY_PORT (8080).
  publicUrl: Config.String("PUBLIC_URL").pipe(Config.orElse(() =>
    Config.Port("GATEWAY_PORT").pipe(Config.withDefault(8080), Config.map((port) => `http://127.0.0.1:${port}`)))),
  previewOrigin: Config.String("PREVIEW_ORIGIN").pipe(Config.option),
  platformHosts: list("PLATFORM_HOSTS"),
}).pipe(Config.map(({ publicUrl, previewOrigin, platformHosts }) =>
  makeOrigins(publicUrl, Option.getOrUndefined(previewOrigin), platformHosts)));
