#!/usr/bin/env bash
# Installs the workspace's npm dev dependencies from package-lock.json when they are
# missing or the lock file changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  # better-sqlite3 compiles against Node's headers; node-gyp would download them (only the
  # package registries are reachable), so point it at Debian's when they are installed.
  if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
    export npm_config_nodedir=/usr
  fi
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
