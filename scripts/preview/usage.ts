// The text of `--help` for every command of `npm run preview`.
const exitCodesText = `Exit codes:
  0  done
  1  the platform refused, or the preview failed or crashed
  2  bad command line or local input (unknown option, missing directory)
  3  no answer from the platform (is \`npm start\` running? PREVIEW_API_URL)
  4  no such preview or generation among yours
  130  interrupted (Ctrl-C) before the preview was ready`;

const settingsText = `Settings (environment):
  PREVIEW_API_URL   the gateway (default http://127.0.0.1:$GATEWAY_PORT, port 8080)
  PREVIEW_TOKEN     your token; without it one is signed for PREVIEW_USER (default "local")
                    with the local secret of \`npm start\` (same DATA_DIR)
  NO_COLOR          no colours`;

export const usage = {
  main: `Usage: npm run preview -- <project dir> [--entry module:app] [--detach] [--watch]
       npm run preview -- <command> [options]

Launch a local FastAPI project as a live preview, show each stage, print its URLs and tail its
logs; Ctrl-C stops it (--detach leaves it running).

Commands:
  ls                 your previews, live and recent
  stop <id|all>      stop a preview (by preview or generation id), or all live ones
  logs <id>          a preview's logs (-f to follow)
  open <id>          open the preview's page in the Preview Tab

Options:
  --entry <m:app>    the app to run, e.g. main:app (default: found in the project)
  --detach           leave the preview running on Ctrl-C
  --watch            apply every change under the directory to the running preview (live reload)
  --help, -h         this help; \`<command> --help\` for a command's

${settingsText}

${exitCodesText}
`,
  ls: `Usage: npm run preview -- ls [--live] [--all] [--limit N] [--json]

Your previews, newest first: id, generation, status, age, URL.

Options:
  --live       only launching or running ones
  --all        every page, not only the newest --limit
  --limit N    how many (1-100, default 20)
  --json       JSON: an array of previews as GET /api/previews gives them

${exitCodesText}
`,
  stop: `Usage: npm run preview -- stop <id|all> [--json]

Stop one preview (its preview id or its generation id; \`ls\` shows both), or all your live ones.
A preview that already ended is left as it is.

Options:
  --json       JSON: an array of { previewInstanceId, generationId, status, message }

${exitCodesText}
`,
  logs: `Usage: npm run preview -- logs <id> [-f] [--tail N] [--json]

A preview's logs (its preview id or generation id), oldest first. Times are in your own
zone (TZ), to the millisecond; --json keeps each line's UTC timestamp (ISO 8601).

Options:
  -f, --follow   keep printing new lines until the preview ends or Ctrl-C
  --tail N       only the last N lines (then new ones with -f)
  --json         one JSON line per log line (NDJSON)

${exitCodesText}
`,
  open: `Usage: npm run preview -- open <id> [--print] [--json]

Open the Preview Tab on a preview (its preview id or generation id) in your browser
($BROWSER, else xdg-open when there is a display); without a browser, print the URL.

Options:
  --print      only print the URL
  --json       JSON: { url, previewInstanceId, generationId, status }

${exitCodesText}
`,
} as const;

export type CommandName = Exclude<keyof typeof usage, "main">;
