#!/usr/bin/env bash
# Event bus benchmark: outbox -> handler throughput and p99 lag (publish commit -> handler start)
# for the inproc and Kafka (librdkafka mock cluster) backends, next to a single-row INSERT
# reference with the same client count, all in one run.
#
#   scripts/bench-events.sh [--events N] [--threads T] [--keys K] [--workers W] [--rate R]
#                           [--batch B] [--prefill 0|1] [--backend inproc|kafka|both]
#
# Builds bench_events in build-bench (Release, ADMIT_BUILD_EVENTS_BENCH=ON: only this benchmark,
# not the other areas' bench targets) unless ADMIT_BENCH_BUILD_DIR names an existing build. Uses ADMIT_DATABASE_URL when set (a scratch database: its admit.event_*
# tables are truncated); otherwise starts private servers via scripts/lib/servers.sh under
# <build>/run/bench-servers, benchmarks on a fresh database "bench_events", and stops them after.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${ADMIT_BENCH_BUILD_DIR:-$root/build-bench}

if [[ ! -x $build/tests/events/bench/bench_events ]]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DADMIT_BUILD_EVENTS_BENCH=ON >/dev/null
fi
cmake --build "$build" --target bench_events -j2 >/dev/null

url=${ADMIT_DATABASE_URL:-}
started_servers=""
if [[ -z $url ]]; then
    rundir=$build/run/bench-servers
    bash "$root/scripts/lib/servers.sh" start "$rundir" >/dev/null
    started_servers=$rundir
    trap 'bash "$root/scripts/lib/servers.sh" stop "$started_servers" >/dev/null' EXIT
    # shellcheck disable=SC1091
    source "$rundir/servers.env"
    PGOPTIONS="-c client_min_messages=warning" psql -q -h 127.0.0.1 -p "$ADMIT_PG_PORT" -U postgres -d postgres \
        -c "DROP DATABASE IF EXISTS bench_events WITH (FORCE)" -c "CREATE DATABASE bench_events OWNER admit"
    url=postgresql://admit@127.0.0.1:$ADMIT_PG_PORT/bench_events
fi

"$build/tests/events/bench/bench_events" --url "$url" "$@"
