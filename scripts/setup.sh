#!/usr/bin/env bash
# Installs everything the platform and its tests need on a fresh Debian machine (run as root).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: the host runtime's Python with FastAPI, uvicorn and websockets (for generated
# websocket routes), prlimit (util-linux); chromium for the browser tests (playwright-core drives it);
# the sandbox runtime's bubblewrap, and mmdebstrap to build its image; postgresql and nats-server for
# the scale-out path (DATABASE_URL, NATS_URL): its tests and `npm run start:cluster` start throwaway
# servers of their own (libs/cluster), so the packaged cluster and service stay down.
packages=(python3 python3-fastapi python3-uvicorn python3-websockets util-linux chromium bubblewrap mmdebstrap postgresql nats-server)
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

# Node: the platform and its tests run on Node >= 22.18, which strips TypeScript types itself (one
# process per service, no transpiling wrapper) and has node:sqlite built in (no native addon to
# compile); vitest 5 and nanoid 6 require 22 too. An older machine node gets Node 22 LTS from the
# npm registry (the official binary, package node-linux-<arch>), kept in /usr/local/lib/nodejs-22
# and linked as /usr/local/bin/node, which comes before /usr/bin on PATH: npm then runs on it too.
# (NODE_INSTALL_PREFIX moves it from /usr/local, e.g. to try this without touching the machine.)
node_ok() { node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 18) ? 0 : 1)' 2>/dev/null; }
if ! node_ok; then
  if ! command -v npm >/dev/null; then
    echo "setup: no npm; installing Debian's nodejs and npm to fetch Node 22 with"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq nodejs npm >/dev/null
  fi
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
  prefix="${NODE_INSTALL_PREFIX:-/usr/local}"
  dir="$prefix/lib/nodejs-22"
  echo "setup: node $(node -v 2>/dev/null || echo "(none)") is older than 22.18; installing Node 22 (node-linux-$arch@22 from the npm registry) into $dir"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund "node-linux-$arch@22" >/dev/null
  mkdir -p "$prefix/bin"
  ln -sf "$dir/node_modules/node-linux-$arch/bin/node" "$prefix/bin/node"
  hash -r
  if ! node_ok; then
    echo "setup: \`node\` is still $(command -v node) $(node -v); put $prefix/bin before $(dirname "$(command -v node)") on PATH" >&2
    exit 1
  fi
  echo "setup: node $(node -v) at $(command -v node)"
fi

# npm ci (about 20 s, nothing to compile); skipped when the lockfile's install is already there.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.package-lock.json.src 2>/dev/null; then
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.package-lock.json.src
fi

# The sandbox runtime's image (runtime/recipe.json; about a minute, once per recipe, under
# ORCHESTRATOR_RUNTIME_IMAGE_DIR or DATA_DIR/runtime/images). Without it previews use the host runtime.
npm run --silent runtime:build || echo "setup: no sandbox image (see above); previews run on the host runtime until \`npm run runtime:build\` succeeds"
