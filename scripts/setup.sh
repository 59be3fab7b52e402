#!/usr/bin/env bash
# Installs everything the platform and its tests need on a fresh Debian machine (run as root).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: the host runtime's Python with FastAPI, uvicorn and websockets (for generated
# websocket routes), prlimit (util-linux); chromium for the browser tests (playwright-core drives it);
# the sandbox runtime's bubblewrap, and mmdebstrap to build its image.
packages=(python3 python3-fastapi python3-uvicorn python3-websockets util-linux chromium bubblewrap mmdebstrap)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm ci compiles better-sqlite3 (about a minute); skip it when the lockfile's install is already there.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.package-lock.json.src 2>/dev/null; then
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.package-lock.json.src
fi

# The sandbox runtime's image (runtime/recipe.json; about a minute, once per recipe, under
# ORCHESTRATOR_RUNTIME_IMAGE_DIR or DATA_DIR/runtime/images). Without it previews use the host runtime.
npm run --silent runtime:build || echo "setup: no sandbox image (see above); previews run on the host runtime until \`npm run runtime:build\` succeeds"
