import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { type CliContext, CliError, exitCodes } from "./cli-context.ts";
import { resolvePreview } from "./resolve-preview.ts";

/** A browser command for this session: $BROWSER, else xdg-open when there is a display; undefined when none. */
const browserCommand = (): string | undefined => {
  if (process.env.BROWSER !== undefined && process.env.BROWSER !== "") return process.env.BROWSER;
  if (process.env.DISPLAY === undefined && process.env.WAYLAND_DISPLAY === undefined) return undefined;
  return "xdg-open";
};

/** Starts the browser and lets it run on its own; false when it could not be started. */
const launchBrowser = (command: string, url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const child = spawn(command, [url], { stdio: "ignore", detached: true });
    child.once("error", () => resolve(false));
    child.once("spawn", () => {
      child.unref();
      resolve(true);
    });
  });

export const open = async (ctx: CliContext, argv: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { print: { type: "boolean", default: false }, json: { type: "boolean", default: false } },
  });
  const [id, ...extra] = positionals;
  if (id === undefined) throw new CliError("open needs a preview id or a generation id (see `open --help`)", exitCodes.usage);
  if (extra.length > 0) throw new CliError(`open takes one id, not ${positionals.length}: ${positionals.join(" ")}`, exitCodes.usage);
  const preview = await resolvePreview(ctx.client, id);
  // The Preview Tab opens a generation from the fragment; it signs in there, so no token is in the URL.
  const url = `${ctx.apiUrl}/#g=${encodeURIComponent(preview.generationId)}`;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ url, previewInstanceId: preview.previewInstanceId, generationId: preview.generationId, status: preview.status })}\n`);
    return exitCodes.ok;
  }
  const browser = values.print ? undefined : browserCommand();
  if (browser !== undefined && (await launchBrowser(browser, url))) {
    process.stdout.write(`Opened ${url} (${preview.status}) with ${browser}\n`);
  } else {
    process.stdout.write(`${url}\n`);
    if (!values.print) process.stderr.write(browser === undefined ? "(no browser here: open the URL above)\n" : `(could not start ${browser}: open the URL above)\n`);
  }
  return exitCodes.ok;
};
