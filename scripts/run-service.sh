#!/bin/sh
# Runs one service from the Procfile under the JavaScript runtime chosen for it:
#   <SERVICE>_JS_RUNTIME=node|deno, else PLATFORM_JS_RUNTIME, else node.
# Both run the same entry file, services/<name>/main.ts.
set -eu
service="$1"
upper=$(echo "$service" | tr '[:lower:]' '[:upper:]')
eval "runtime=\${${upper}_JS_RUNTIME:-\${PLATFORM_JS_RUNTIME:-node}}"
case "$runtime" in
  node) exec "$(dirname "$0")/../node_modules/.bin/tsx" "services/$service/main.ts" ;;
  deno) exec "$(dirname "$0")/deno-service.sh" "$service" ;;
  *) echo "unknown JS runtime for $service: $runtime (node or deno)" >&2; exit 2 ;;
esac
