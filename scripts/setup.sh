#!/usr/bin/env bash
# Idempotent set-up for a fresh machine of this kind (Node 20 + npm, nothing else).
#   scripts/setup.sh            pnpm, dependencies, native builds, package builds
#   scripts/setup.sh --browser  also Debian Chromium (web environment)
#   scripts/setup.sh --postgres also a local PostgreSQL server binary (UES PostgreSQL store tests)
# Nothing here downloads anything but npm packages and Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
want_postgres=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    --postgres) want_postgres=1 ;;
  esac
done

log() { printf '[setup] %s\n' "$*" >&2; }

# onnxruntime-node's postinstall would download CUDA libraries from outside the npm registry.
export ONNXRUNTIME_NODE_INSTALL=skip
# node-gyp would download Node headers; the machine has them in /usr/include/node.
if [ -f /usr/include/node/node_api.h ]; then export npm_config_nodedir=/usr; fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "12.4.2" ]; then
  log "installing pnpm 12.4.2"
  npm install -g pnpm@12.4.2 >/dev/null
fi

apt_updated=0
apt_install() {
  if [ "$(id -u)" != "0" ]; then
    log "need root (or sudo) to apt-get install $*; install them yourself and re-run"
    return 1
  fi
  if [ "$apt_updated" = "0" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ "$want_browser" = "1" ] && [ -z "${CHIMERA_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  log "installing Debian Chromium (about 90 s)"
  apt_install chromium
fi

if [ "$want_postgres" = "1" ] && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  log "installing PostgreSQL server"
  apt_install postgresql
fi

stamp=node_modules/.chimera-install-stamp
if [ ! -f "$stamp" ] || [ pnpm-lock.yaml -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  log "installing npm dependencies"
  pnpm install --frozen-lockfile --reporter=silent
  touch "$stamp"
fi

log "building packages"
pnpm -r --filter "./packages/**" --filter ./examples/reference-agent run build >/tmp/chimera-build.log 2>&1 || { cat /tmp/chimera-build.log; exit 1; }
