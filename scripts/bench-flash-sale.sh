#!/usr/bin/env bash
# bench-flash-sale.sh: the flash-sale benchmark. Starts a private PostgreSQL + Redis and an admitd
# (test_auth, stub_product, reservation) on this machine, and runs tests/load/flash_sale against
# it: N buyers try to hold seats of one 1,000-seat schedule (80% aim at the best 200), retrying on
# 409. Prints hold rates, latency percentiles, answers by code, the oversell check from
# PostgreSQL, and the physical references measured in the same run: redis-benchmark EVALSHA of
# the same hold script, and a bare admitd route (GET /healthz) through the same client.
#
#   scripts/bench-flash-sale.sh
#
# Environment: BUILD_DIR (default build-bench: a Release build with -DADMIT_BUILD_BENCH=ON; the
# targets admitd reservation stub_product test_auth flash_sale_load are built if missing),
# BUYERS (20000), RATE (open-loop target holds/s, 10000), CONNECTIONS (256), RETRIES (3),
# WORKERS (admitd handler threads, 128), REDIS_POOL (WORKERS), BATCH_MAX (512), IDEMPOTENCY (1: send Idempotency-Key).
# Buyers are test_auth identities ("Bearer test:customer:usr_fs<i>"): the real auth plugin does not
# exist yet. Exit code 1 when any seat is claimed twice or any stock is below zero.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${ADMIT_BENCH_BUILD_DIR:-${BUILD_DIR:-$ROOT/build/bench}}"
BUYERS="${BUYERS:-20000}"
RATE="${RATE:-10000}"
CONNECTIONS="${CONNECTIONS:-256}"
RETRIES="${RETRIES:-3}"
WORKERS="${WORKERS:-128}"
REDIS_POOL="${REDIS_POOL:-$WORKERS}"  # one connection per handler thread: no waiting for the pool
BATCH_MAX="${BATCH_MAX:-512}"
IDEMPOTENCY="${IDEMPOTENCY:-1}"
RUNDIR="$BUILD_DIR/run/flash-sale"
SCHEDULE="sch_seats_1000"

die() { echo "bench-flash-sale: $*" >&2; exit 1; }
command -v redis-benchmark >/dev/null || die "redis-benchmark is not installed"
command -v psql >/dev/null || die "psql is not installed"

if [[ ! -x "$BUILD_DIR/bin/flash_sale_load" || ! -x "$BUILD_DIR/host/runtime/admitd" ]]; then
    [[ -f "$BUILD_DIR/CMakeCache.txt" ]] || cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DADMIT_BUILD_BENCH=ON >/dev/null
    cmake --build "$BUILD_DIR" --target admitd reservation stub_product test_auth flash_sale_load -j2
fi
ADMITD="$(find "$BUILD_DIR" -name admitd -type f -perm -u+x | head -1)"
LOAD="$BUILD_DIR/bin/flash_sale_load"
PLUGIN_DIR="$(dirname "$(find "$BUILD_DIR" -path "*stub-plugins/reservation.so" | head -1)")"
[[ -x "$ADMITD" && -x "$LOAD" && -f "$PLUGIN_DIR/product.so" ]] || die "build is incomplete in $BUILD_DIR"

ADMITD_PID=""
cleanup() {
    if [[ -n "$ADMITD_PID" ]]; then kill "$ADMITD_PID" 2>/dev/null || true; wait "$ADMITD_PID" 2>/dev/null || true; fi
    bash "$ROOT/scripts/lib/servers.sh" stop "$RUNDIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT

bash "$ROOT/scripts/lib/servers.sh" start "$RUNDIR" >/dev/null
# shellcheck disable=SC1091
source "$RUNDIR/ports.env"
PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -X -q -t -A)
DB="flash_sale_$$"
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB" >/dev/null
REDIS=(redis-cli -p "$REDIS_PORT")
"${REDIS[@]}" FLUSHALL >/dev/null

ADMIT_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
VENUE="$RUNDIR/venue.toml"
cat >"$VENUE" <<TOML
[venue]
id = "bench"
name = "Flash sale bench"
[server]
port = $ADMIT_PORT
workers = $WORKERS
queue_limit = 100000
[plugins]
dir = "$PLUGIN_DIR"
load = ["test_auth", "product", "reservation"]
[policies]
dir = "$ROOT/policies"
[database]
url = "postgresql://postgres@127.0.0.1:$PG_PORT/$DB"
pool_size = 32
[redis]
host = "127.0.0.1"
port = $REDIS_PORT
pool_size = $REDIS_POOL
[plugin.reservation]
batch_max = $BATCH_MAX
TOML
"$ADMITD" --config "$VENUE" >"$RUNDIR/admitd.log" 2>&1 &
ADMITD_PID=$!
for _ in $(seq 1 200); do
    curl -fs "http://127.0.0.1:$ADMIT_PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$ADMITD_PID" 2>/dev/null || { tail -20 "$RUNDIR/admitd.log"; die "admitd exited"; }
    sleep 0.05
done
curl -fs "http://127.0.0.1:$ADMIT_PORT/readyz" >/dev/null || die "admitd is not ready (see $RUNDIR/admitd.log)"

echo "== flash sale: $BUYERS buyers, 1000 seats (80% aim at the best 200), open loop at $RATE holds/s"
echo "   (buyers are test_auth identities: the real auth plugin does not exist yet)"
IDEM_FLAG=()
[[ "$IDEMPOTENCY" == 1 ]] && IDEM_FLAG=(--idempotency)
# Warm-up: loads the schedule into Redis and the sale context into the cache.
"$LOAD" --port "$ADMIT_PORT" --schedule sch_seats_1000_warmup --buyers 200 --rate 2000 --connections 32 \
    --user-prefix usr_warm >/dev/null
run_holds() { # SCHEDULE RATE PREFIX
    "$LOAD" --port "$ADMIT_PORT" --schedule "$1" --seats 1000 --hot 200 --hot-share 0.8 --buyers "$BUYERS" \
        --rate "$2" --connections "$CONNECTIONS" --retries "$RETRIES" --user-prefix "$3" "${IDEM_FLAG[@]}"
}
FULL="$(run_holds "$SCHEDULE" "$RATE" usr_fs)"
echo "$FULL" | grep -v '^RESULT'
RESULT="$(grep '^RESULT' <<<"$FULL")"
field() { sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
DECISIONS="$(field decisions_per_s "$RESULT")"
SEVENTY="$(awk -v d="$DECISIONS" 'BEGIN { printf "%d", d * 0.7 }')"
echo
echo "== the same sale at 70% of the measured decision rate ($SEVENTY holds/s), on a fresh schedule"
SLOW="$(run_holds sch_seats_1000_b "$SEVENTY" usr_fs70_)"
echo "$SLOW" | grep -v '^RESULT'
SLOW_RESULT="$(grep '^RESULT' <<<"$SLOW")"

echo
echo "== oversell check (PostgreSQL)"
TWICE="$("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM (SELECT schedule_id, c FROM (SELECT schedule_id, unnest(claim_ids) AS c
    FROM reservation.reservations WHERE status IN ('PENDING_PAYMENT','CONFIRMED')) s GROUP BY 1, 2 HAVING count(*) > 1) t")"
ORPHANS="$("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM reservation.claims c LEFT JOIN reservation.reservations r
    ON r.id = c.reservation_id AND r.status IN ('PENDING_PAYMENT','CONFIRMED') WHERE r.id IS NULL")"
OVER_STOCK="$("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM (SELECT schedule_id FROM reservation.claims
    GROUP BY schedule_id HAVING count(*) > 1000) t")"
HELD_PG="$("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM reservation.claims WHERE schedule_id = '$SCHEDULE'")"
HELD_HTTP="$(field held "$RESULT")"
echo "seats claimed twice: $TWICE   claims without a live reservation: $ORPHANS   schedules over capacity (stock below zero): $OVER_STOCK"
echo "seats held per PostgreSQL: $HELD_PG   holds answered 201: $HELD_HTTP"

echo
echo "== physical references (same machine, same run)"
SHA="$("${REDIS[@]}" SCRIPT LOAD "$(cat "$ROOT/plugins/reservation/src/scripts/hold.lua")")"
"${REDIS[@]}" SET reservation:benchref:ready 1 >/dev/null
"${REDIS[@]}" SET reservation:epoch 1 NX >/dev/null
REDIS_RPS="$(redis-benchmark -p "$REDIS_PORT" -n 300000 -c 50 -r 100000000 -q EVALSHA "$SHA" 6 reservation:epoch \
    reservation:benchref:ready reservation:benchref:fence reservation:benchref:user:__rand_int__ reservation:idem:- \
    reservation:benchref:seat:__rand_int__ SEATS rsv_bench 1 4 300000 0 86400000 | tr '\r' '\n' |
    awk '/requests per second/ { for (i = 1; i <= NF; i++) if ($i == "requests") v = $(i-1) } END { print v }')"
echo "redis-benchmark EVALSHA hold script (50 clients): $REDIS_RPS/s"
BARE="$("$LOAD" --port "$ADMIT_PORT" --mode bare --path /healthz --duration 5 --connections 64)"
BARE_RPS="$(field rps "$(grep '^RESULT' <<<"$BARE")")"
echo "admitd GET /healthz (same client, 64 connections, closed loop): $BARE_RPS req/s"

echo
echo "== summary"
awk -v d="$DECISIONS" -v a="$(field attempted_per_s "$RESULT")" -v s="$(field succeeded_per_s "$RESULT")" \
    -v r="$REDIS_RPS" -v b="$BARE_RPS" -v p99="$(field p99_ms "$RESULT")" -v p99s="$(field p99_ms "$SLOW_RESULT")" \
    -v rate70="$SEVENTY" 'BEGIN {
    printf "hold decisions/s %.0f (attempted %.0f/s, succeeded %.0f/s)  goal >= 10000: %s\n", d, a, s, (d >= 10000 ? "met" : "NOT met");
    printf "p99 at the full rate %.2f ms; at 70%% (%d/s) %.2f ms  goal < 50 ms: %s\n", p99, rate70, p99s, (p99s < 50 ? "met" : "NOT met");
    if (r > 0) printf "hold rate / redis EVALSHA rate: %.2f\n", d / r;
    if (b > 0) printf "hold rate / bare admitd route rate: %.2f\n", d / b;
}'
if [[ "$TWICE" != 0 || "$OVER_STOCK" != 0 || "$ORPHANS" != 0 ]]; then
    echo "OVERSELL: the database shows a seat or unit claimed twice" >&2
    exit 1
fi
echo "oversell: 0"
