#!/usr/bin/env bash
# Prints evaluations/s per thread of policies/fees.lua and the latency a policy call adds, with the
# decision log off (the reference) and on (writing to PostgreSQL), both in this run.
#   scripts/bench-policy.sh [SECONDS_PER_RUN] [LATENCY_CALLS]
# Builds bench_policy in a Release tree (ADMIT_BENCH_BUILD_DIR, default build/bench); an already
# configured tree is reused as it is. Uses ADMIT_DATABASE_URL when set (a scratch database: the
# policy tables are created there); otherwise starts private servers via scripts/lib/servers.sh
# under <build>/run/bench-servers, uses a fresh database "bench_policy", and stops them after.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${ADMIT_BENCH_BUILD_DIR:-$root/build/bench}
jobs=${ADMIT_JOBS:-2}

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DADMIT_BUILD_TESTS=ON \
    -DADMIT_BUILD_BENCH=ON >/dev/null
fi
cmake --build "$build" --target bench_policy -j "$jobs" >/dev/null

url=${ADMIT_DATABASE_URL:-}
if [[ -z $url ]]; then
  rundir=$build/run/bench-servers
  bash "$root/scripts/lib/servers.sh" start "$rundir" >/dev/null
  trap 'bash "$root/scripts/lib/servers.sh" stop "$rundir" >/dev/null' EXIT
  # shellcheck disable=SC1091
  source "$rundir/servers.env"
  PGOPTIONS="-c client_min_messages=warning" psql -q -h 127.0.0.1 -p "$ADMIT_PG_PORT" -U postgres \
    -d postgres -c "DROP DATABASE IF EXISTS bench_policy WITH (FORCE)" \
    -c "CREATE DATABASE bench_policy OWNER admit"
  url=postgresql://admit@127.0.0.1:$ADMIT_PG_PORT/bench_policy
fi
"$build/tests/policy/bench/bench_policy" "$root/policies" "${1:-2}" "${2:-200000}" "$url"
