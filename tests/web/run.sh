#!/usr/bin/env bash
# The browser tests of the buyer app on a real stack: private PostgreSQL and Redis
# (scripts/lib/servers.sh), the payment simulator (scripts/lib/paysim.sh), admitd with the demo
# venue's plugins and web app on free loopback ports, the demo data seeded through the API by
# scripts/lib/demo_seed.sh (so the seeding is tested too), then the Playwright tests
# (playwright-core driving Debian's Chromium, /usr/bin/chromium). Everything it started is stopped
# on exit. Screenshots and logs stay under BUILD/web-e2e/artifacts.
#
#   tests/web/run.sh BUILD_DIR [node test args...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:?BUILD_DIR}" && pwd); shift
run=$build/web-e2e
artifacts=$run/artifacts
rm -rf "$run/demo" "$artifacts" "$run/paysim/journal.jsonl"
mkdir -p "$run" "$artifacts"

[[ -x /usr/bin/chromium ]] || { echo "run.sh: /usr/bin/chromium is missing (scripts/setup installs it)" >&2; exit 1; }
[[ -f $build/plugins/web-app/index.html ]] || { echo "run.sh: the web app is not built (target web_app)" >&2; exit 1; }
(cd "$root/tests/web" && [[ node_modules/.package-lock.json -nt package-lock.json ]] \
  || npm ci --no-audit --no-fund --loglevel=error)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

admitd_pid=
cleanup() {
  [[ -n $admitd_pid ]] && kill "$admitd_pid" 2>/dev/null && wait "$admitd_pid" 2>/dev/null || true
  bash "$root/scripts/lib/paysim.sh" stop "$run" >/dev/null 2>&1 || true
  bash "$root/scripts/lib/servers.sh" stop "$run" >/dev/null 2>&1 || true
  cp "$run"/admitd.log "$run"/paysim/sim.log "$artifacts"/ 2>/dev/null || true
}
trap cleanup EXIT

bash "$root/scripts/lib/servers.sh" start "$run" >/dev/null
set -a; source "$run/servers.env"; set +a
# A fresh database and an empty Redis for every run: the seeding needs an empty venue.
psql "$ADMIT_DATABASE_URL" -qc 'DROP DATABASE IF EXISTS admit_web_e2e WITH (FORCE)' -c 'CREATE DATABASE admit_web_e2e' >/dev/null
export ADMIT_DATABASE_URL=${ADMIT_DATABASE_URL%/*}/admit_web_e2e
redis-cli -p "$ADMIT_REDIS_PORT" flushall >/dev/null
echo "ADMIT_DATABASE_URL=$ADMIT_DATABASE_URL" >"$run/demo.env"

port=$(free_port)
paysim_port=$(free_port)
bash "$root/scripts/lib/paysim.sh" start "$run" "$build/plugins/toss/simulator/admit-pay-sim" \
  "$paysim_port" "http://127.0.0.1:$port/api/v1/payments/webhooks/toss" >/dev/null
set -a; source "$run/paysim/secrets.env"; set +a
export ADMIT_TOSS_SECRET_KEY=$ADMIT_PAYSIM_SECRET_KEY ADMIT_TOSS_WEBHOOK_SECRET=$ADMIT_PAYSIM_WEBHOOK_SECRET

# The demo venue, on this run's ports and build.
sed -e "s|^defaults = .*|defaults = \"$root/config/admitd.toml\"|" \
    -e "s|^dir = .*|dir = \"$build/plugins\"|" \
    -e "s|http://127.0.0.1:8090|http://127.0.0.1:$paysim_port|" \
    -e "s|http://127.0.0.1:8080|http://127.0.0.1:$port|g" \
    -e "s|^templates_dir = .*|templates_dir = \"$root/config/venues/demo/notifications\"|" \
    "$root/config/venues/demo.toml" >"$run/venue.toml"
# The repository's policies with the per-IP "auth" rate limit lifted: every browser of the tests
# signs up and logs in from 127.0.0.1.
rm -rf "$run/policies" && cp -r "$root/policies" "$run/policies"
sed -i -e 's/auth = { limit = 10,/auth = { limit = 100000,/' -e 's/limit = 10, windowSeconds/limit = 100000, windowSeconds/' "$run"/policies/*.lua
printf '\n[server]\nport = %s\n[policies]\ndir = "%s"\n' "$port" "$run/policies" >>"$run/venue.toml"

bash "$root/scripts/lib/demo_seed.sh" admin "$run" "$build/host/runtime/admitd" "$run/venue.toml"
"$build/host/runtime/admitd" --config "$run/venue.toml" >"$run/admitd.log" 2>&1 &
admitd_pid=$!
bash "$root/scripts/lib/demo_seed.sh" seed "$run" "http://127.0.0.1:$port"

set -a; source "$run/demo/credentials.env"; set +a
export ADMIT_WEB_URL=http://127.0.0.1:$port ADMIT_WEB_ARTIFACTS=$artifacts ADMIT_WEB_RUN=$run
cd "$root/tests/web"
if [[ -n ${ADMIT_WEB_COMMAND:-} ]]; then  # e.g. "node figures.mjs": something else on this stack
  bash -c "$ADMIT_WEB_COMMAND"
else
  node --test --test-concurrency=1 "$@" ./*.test.mjs
fi
