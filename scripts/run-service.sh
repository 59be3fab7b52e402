#!/bin/sh
# Runs one service from the Procfile under the JavaScript runtime chosen for it:
#   <SERVICE>_JS_RUNTIME=node|deno, else PLATFORM_JS_RUNTIME, else node.
# Both run the same entry file, services/<name>/main.ts: Node (>= 22.18, which scripts/setup.sh
# installs) strips the types itself, so each service is one process with no transpiling wrapper.
# The warning flag hides node:sqlite's "experimental" notice (the only one the services trigger);
# --optimize-for-size keeps V8's young generation and heap growth small, which takes an idle
# service from ~175 to ~120 MB RSS (npm run bench:idle).
set -eu
service="$1"
upper=$(echo "$service" | tr '[:lower:]' '[:upper:]')
eval "runtime=\${${upper}_JS_RUNTIME:-\${PLATFORM_JS_RUNTIME:-node}}"
case "$runtime" in
  node) exec node --optimize-for-size --disable-warning=ExperimentalWarning "services/$service/main.ts" ;;
  deno) exec "$(dirname "$0")/deno-service.sh" "$service" ;;
  *) echo "unknown JS runtime for $service: $runtime (node or deno)" >&2; exit 2 ;;
esac
