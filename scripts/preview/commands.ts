// `npm run preview -- <command>`: ls, stop, logs, open and help; anything else is the launch of a
// project directory, which scripts/preview.ts runs itself.
import { type CliContext, CliError, exitCodes, makeCliContext } from "./cli-context.ts";
import type { Interrupt } from "./interrupt.ts";
import { logs } from "./logs.ts";
import { ls } from "./ls.ts";
import { open } from "./open.ts";
import { stop } from "./stop.ts";
import { type CommandName, usage } from "./usage.ts";

const commands: Record<CommandName, (ctx: CliContext, argv: string[], interrupt: Interrupt) => Promise<number>> = { ls, stop, logs, open };
const isCommand = (word: string): word is CommandName => Object.hasOwn(commands, word);
const wantsHelp = (argv: ReadonlyArray<string>) => argv.includes("--help") || argv.includes("-h");

/** A failure as one line on stderr and an exit code: ours, a command-line mistake, or (without a stack) anything else. */
export const reportFailure = (e: unknown, command?: CommandName): number => {
  if (e instanceof CliError) {
    process.stderr.write(`error: ${e.message}\n`);
    return e.exitCode;
  }
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
    process.stderr.write(`error: ${(e as Error).message} (see \`npm run preview -- ${command === undefined ? "" : `${command} `}--help\`)\n`);
    return exitCodes.usage;
  }
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}${process.env.PREVIEW_DEBUG === "1" && e instanceof Error ? `\n${e.stack}` : ""}\n`);
  return exitCodes.failed;
};

/** Runs a command or help and gives its exit code; undefined when argv is a launch (`<dir> [options]`). */
export const runSubcommand = async (argv: ReadonlyArray<string>, interrupt: Interrupt): Promise<number | undefined> => {
  const [first, ...rest] = argv;
  if (first === "help") {
    const topic = rest[0];
    process.stdout.write(topic !== undefined && isCommand(topic) ? usage[topic] : usage.main);
    return exitCodes.ok;
  }
  if (first !== undefined && isCommand(first)) {
    if (wantsHelp(rest)) {
      process.stdout.write(usage[first]);
      return exitCodes.ok;
    }
    try {
      return await commands[first](await makeCliContext(), rest, interrupt);
    } catch (e) {
      return reportFailure(e, first);
    }
  }
  if (wantsHelp(argv)) {
    process.stdout.write(usage.main);
    return exitCodes.ok;
  }
  if (first === undefined) {
    process.stderr.write(`error: give a project directory or a command\n\n${usage.main}`);
    return exitCodes.usage;
  }
  return undefined;
};
