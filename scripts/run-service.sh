#!/bin/sh
# Runs one service from the Procfile under the JavaScript runtime chosen for it:
#   <SERVICE>_JS_RUNTIME=node|deno, else PLATFORM_JS_RUNTIME, else node.
# Both run the same entry file, services/<name>/main.ts: Node (>= 22.18, which scripts/setup.sh
# installs) strips the types itself, so each service is one process with no transpiling wrapper.
# The warning flag hides node:sqlite's "experimental" notice (the only one the services trigger);
# --optimize-for-size keeps V8's young generation and heap growth small, which takes an idle
# service from ~175 to ~120 MB RSS (npm run bench:idle); --v8-pool-size=1 keeps one V8 worker
# thread instead of four, and with it one malloc arena instead of four that each held 5-10 MB
# once startup's compiling and marking were done (~10 MB less per idle process); the strip-cache
# hook answers our .ts files from the stripped-file cache `npm start` fills first, so the service
# never loads Node's TypeScript stripper (scripts/strip-cache/strip-cache.mjs, ~20 MB less).
set -eu
service="$1"
upper=$(echo "$service" | tr '[:lower:]' '[:upper:]')
eval "runtime=\${${upper}_JS_RUNTIME:-\${PLATFORM_JS_RUNTIME:-node}}"
case "$runtime" in
  node) exec node --optimize-for-size --v8-pool-size=1 --import "$(cd "$(dirname "$0")" && pwd)/strip-cache/hook.mjs" --disable-warning=ExperimentalWarning "services/$service/main.ts" ;;
  deno) exec "$(dirname "$0")/deno-service.sh" "$service" ;;
  *) echo "unknown JS runtime for $service: $runtime (node or deno)" >&2; exit 2 ;;
esac
