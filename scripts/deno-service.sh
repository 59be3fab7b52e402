#!/bin/sh
# Runs one service under Deno with the permissions it needs and no others:
#   scripts/deno-service.sh <gateway|logs|extractor|orchestrator> [entry file]
# The entry defaults to services/<name>/main.ts, the same file Node runs.
set -eu
service="$1"
entry="${2:-services/$service/main.ts}"
data="${DATA_DIR:-./.data}"
deno="$(dirname "$0")/../node_modules/.bin/deno"
# Listening and peers are on loopback; previews are reached on loopback or their Unix socket.
net="--allow-net=127.0.0.1,localhost"
# Effect's ConfigProvider.fromEnv reads the environment as a whole.
env="--allow-env"
case "$service" in
  gateway)
    # Reads the local secrets file and the page's sources (services/web and the libs it imports,
    # the vendored Swagger UI); writes nothing; runs only esbuild's binary, which bundles the page
    # on first request (Deno grants a program by its real path, not through the node_modules link).
    esbuild_bin="$(readlink -f "$(dirname "$0")"/../node_modules/@esbuild/*/bin/esbuild | head -n 1)"
    page="services/web,libs,node_modules"
    flags="$net $env --allow-read=$data/secrets.json,$page --allow-run=$esbuild_bin"
    # Deno asks read, write and net permission on a Unix socket to connect to it: only for
    # sandboxed previews (their sockets are in DATA_DIR/previews), and only when asked for.
    if [ "${GATEWAY_DENO_UNIX_SOCKETS:-0}" = 1 ]; then
      flags="--allow-net --allow-env --allow-read=$data/secrets.json,$page,$data/previews --allow-write=$data/previews --allow-run=$esbuild_bin"
    fi ;;
  extractor)
    # Besides its secrets, only the installed packages (site-packages) it may follow imports into:
    # the same roots services/extractor/config.ts allows requests to name.
    system=""
    for d in /usr/lib/python3 /usr/lib/python3.* /usr/local/lib/python3 /usr/local/lib/python3.*; do
      case "$d" in *'*'*) ;; *) [ -d "$d" ] && system="$system,$d" ;; esac
    done
    roots="${EXTRACTOR_LIBRARY_ROOTS:-$data/runtime${ORCHESTRATOR_RUNTIME_IMAGE_DIR:+,$ORCHESTRATOR_RUNTIME_IMAGE_DIR}$system}"
    # Each extraction runs in a Deno process of its own (libs/extractor/extraction-workers.ts),
    # started by Deno's binary at its real path; that process may read only the library roots.
    flags="$net $env --allow-read=$data/secrets.json,libs/extractor,node_modules,$roots --allow-run=$(readlink -f "$deno")" ;;
  logs)
    # Its own migrations are read at start.
    flags="$net $env --allow-read=$data,services/logs/db/migrations,services/logs/db/migrations-pg --allow-write=$data" ;;
  orchestrator)
    # It starts previews (python3 through prlimit, or bwrap), signals their process groups, reads
    # /proc (a preview's identity and its process tree's memory) and connects to each sandboxed
    # preview's own Unix socket. Deno 2.9 lets a program read /proc only when it holds every
    # permission, and grants Unix sockets by exact path only (no directory), so nothing narrower
    # than --allow-all works; --allow-run already puts its children outside Deno's permissions,
    # and the previews are confined by the runtime (bwrap, prlimit), not by Deno.
    flags="--allow-all" ;;
  *)
    echo "unknown service: $service (gateway, extractor, logs, orchestrator)" >&2
    exit 2 ;;
esac
# shellcheck disable=SC2086 # flags are words on purpose
exec "$deno" run --unstable-no-legacy-abort --no-prompt $flags "$entry"
