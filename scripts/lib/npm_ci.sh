#!/usr/bin/env bash
# npm_ci DIR: installs DIR's npm packages exactly as DIR/package-lock.json pins them (`npm ci`),
# only when node_modules is missing or older than the lock file. Needs Node.js and npm (on the
# machine; Debian 12's own nodejs is too old for the pinned tools).
npm_ci() {
  local dir=$1
  if ! command -v npm >/dev/null; then
    echo "npm_ci: npm is not installed (Node.js 20 or later is needed for $dir)" >&2
    return 1
  fi
  if [[ -d "$dir/node_modules" && "$dir/node_modules" -nt "$dir/package-lock.json" ]]; then
    return 0
  fi
  echo "npm ci in $dir" >&2
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || return 1
  touch "$dir/node_modules"
}
