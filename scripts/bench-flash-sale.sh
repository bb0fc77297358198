#!/usr/bin/env bash
# bench-flash-sale.sh: the flash-sale benchmark, on the stack scripts/up runs (admitd with the
# auth, arthall, product and reservation plugins, a private PostgreSQL and Redis), all on this
# machine together with the load generator (tests/load/flash_sale).
#
#   scripts/bench flash-sale
#
# 1. Starts the private servers (under BUILD_DIR/run/flash-sale; the database survives runs) and
#    admitd with a venue like config/venues/demo.toml.
# 2. Through the API with curl: a seller account creates a hall with a generated 1,000-seat stage
#    and a product with four schedules (warm-up, full rate, two 70% runs); an admin approves it; the
#    sale job puts it ON_SALE. The seats are ranked best first (front rows, centre out).
# 3. Provisions BUYERS real accounts through the auth API (signup + login, argon2id at production
#    cost: 4 to 24 minutes for 20,000 the first time, with the machine's state; a pass longer than
#    4 minutes is followed by a refresh of every session, so none expires before the sale; later
#    runs refresh the saved sessions).
#    SEATS (a multiple of 100, up to arthall's 20,000) makes the stage larger.
# 4. Open-loop holds at RATE/s with each buyer's own token, HOT_SHARE (0.8) aiming at the best 200
#    seats and the rest uniformly at all (HOT_SHARE=0: uniform picks, so that with enough seats
#    most holds succeed: issue 21's granted-holds scenario),
#    retrying on 409; then the same sale on fresh schedules at 70% of the measured decision rate and
#    at 7,000/s (70% of the issue's 10,000/s goal, the rate its latency goal names).
# GA_UNITS=N (issue 21's general-admission scenario) sells a general-admission product instead:
#    four schedules of N units each (N up to 100,000), one unit per hold, each buyer coming back
#    after a 201 until it holds HOLDS_PER_BUYER units (default: enough for the buyers to take every
#    unit), with the per-buyer limits of policies/limits.lua and the `booking` rate limit lifted
#    (as for every fleet load: one load generator stands for thousands of buyers). Its figures are
#    those of the path that sells: almost every decision is a granted hold.
# 5. The oversell check from PostgreSQL, and the references of the same run: redis-benchmark
#    EVALSHA of the same hold script and a bare admitd route through the same client.
#
# FLEET=N runs the same sale through scripts/fleet instead: N admitd (every plugin of the fleet's
# venue) behind Debian's nginx, on one PostgreSQL and Redis (under BUILD_DIR/run/flash-sale-fleet;
# issue 20's "through nginx against 1 and 3 instances"). The fleet's venue is its own (database pool
# 16, batch_max and the revocation cache at their defaults, `booking` and per-buyer limits lifted as
# for every fleet load) and so is its number of buyers (6,000), so compare FLEET=1 with FLEET=3,
# not with the direct run.
#
# Environment: BUILD_DIR (default build/bench, a Release tree with ADMIT_BUILD_BENCH=ON; built if
# needed), FLEET (0: one admitd started here, no proxy), BUYERS (20000; 6000 with FLEET), RATE
# (12000), CONNECTIONS (256), RETRIES (3), WORKERS (admitd handler threads, 16), REDIS_POOL
# (pipelined Redis connections, 2), BATCH_MAX (512), BATCH_WRITERS (2), IDEMPOTENCY (1: send Idempotency-Key),
# REVOCATION_CACHE_MS (auth's revocation_cache_ms, 60000), SEATS (1000), HOT_SHARE (0.8),
# GA_UNITS (0: the seated sale), HOLDS_PER_BUYER (general admission: GA_UNITS / BUYERS), RAMP
# (general admission: 1, the offered rate is found by a ramp; 0: RATE), RAMP_RATES
# (2000,...,7000), RAMP_SECONDS (3), TRIM (1: earlier runs' sales are cleared from the kept
# database first; 0: kept), PERF (1: perf samples admitd during the first measured sale, one
# admitd only; the profile is RUNDIR/perf.data and its top functions go to the log; sampling
# costs admitd a few per cent, so such a run's figures are not for the table),
# ADMIT_BENCH_STREAM_DUMP (a file: each phase appends one line per
# granted seat, "schedule seat 201_us shown_us" in wall-clock microseconds, shown 0 when the stream
# never showed it; for a closer look, e.g. against PostgreSQL's commit timestamps).
# Rate limits are the production ones except `auth`, which is lifted: the load generator is one IP
# provisioning thousands of accounts. Exit code 1 when any seat or unit is claimed twice.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${ADMIT_BENCH_BUILD_DIR:-${BUILD_DIR:-$ROOT/build/bench}}"
FLEET="${FLEET:-0}"
# A fleet signs its buyers up through argon2id at production cost behind nginx once (its database
# is kept for later runs): 6,000 by default, a few minutes, where 20,000 took over 25.
BUYERS="${BUYERS:-$([[ $FLEET == 0 ]] && echo 20000 || echo 6000)}"
RATE="${RATE:-12000}"
CONNECTIONS="${CONNECTIONS:-256}"
RETRIES="${RETRIES:-3}"
# The production default ([server] workers = 16). Before a winner deferred its answer (ABI 1.6) it
# held a worker while its batch committed, and this run needed 128 to survive a sale's first second.
WORKERS="${WORKERS:-16}"
REDIS_POOL="${REDIS_POOL:-2}" # pipelined lanes: few connections make long pipelines
BATCH_MAX="${BATCH_MAX:-512}"
BATCH_WRITERS="${BATCH_WRITERS:-2}"
IDEMPOTENCY="${IDEMPOTENCY:-1}"
SEATS="${SEATS:-1000}"
HOT_SHARE="${HOT_SHARE:-0.8}"
GA_UNITS="${GA_UNITS:-0}"
RAMP="${RAMP:-1}"
TRIM="${TRIM:-1}"
PERF="${PERF:-0}"
RUNDIR="$BUILD_DIR/run/flash-sale"
[[ $FLEET == 0 ]] || RUNDIR="$BUILD_DIR/run/flash-sale-fleet"
DB="flash_sale"

die() { echo "bench-flash-sale: $*" >&2; exit 1; }
[[ "$SEATS" =~ ^[1-9][0-9]*00$ && "$SEATS" -le 20000 ]] || die "SEATS must be a multiple of 100, at most 20000"
export BENCH_SALE_ROWS=$((SEATS / 100))
[[ "$GA_UNITS" =~ ^[0-9]+$ && "$GA_UNITS" -le 100000 ]] || die "GA_UNITS must be a number of units, at most 100000"
for tool in redis-benchmark psql curl python3; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
[[ $PERF == 0 ]] || command -v perf >/dev/null || die "PERF=1 needs perf (Debian package linux-perf)"

if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DADMIT_BUILD_BENCH=ON >/dev/null
fi
TARGETS=(admitd auth arthall product reservation flash_sale_load)
[[ $FLEET == 0 ]] || TARGETS+=(queue toss payment ticket admit-pay-sim)
cmake --build "$BUILD_DIR" --target "${TARGETS[@]}" -j "${ADMIT_JOBS:-2}" >/dev/null
ADMITD="$BUILD_DIR/host/runtime/admitd"
LOAD="$BUILD_DIR/bin/flash_sale_load"

# --- the fleet: FLEET admitd behind nginx (scripts/fleet) ---------------------------------------
start_fleet() {
    cleanup() { "$ROOT/scripts/fleet" down --dir "$RUNDIR" --build "$BUILD_DIR" >/dev/null 2>&1 || true; }
    trap cleanup EXIT
    "$ROOT/scripts/fleet" up --dir "$RUNDIR" --build "$BUILD_DIR" --instances "$FLEET" --proxy nginx --db "$DB" \
        --workers "$WORKERS" >/dev/null || die "scripts/fleet up failed"
    # shellcheck disable=SC1091
    source "$RUNDIR/fleet.env"
    # shellcheck disable=SC1091
    source "$RUNDIR/passwords.env"
    ADMIT_PORT="${FLEET_URL##*:}"
    BUYER_PASSWORD="$FLEET_BUYER_PASSWORD"
    PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -X -q -t -A)
    REDIS=(redis-cli -p "$REDIS_PORT")
    # shellcheck disable=SC2034 # read by lib/bench_sale.sh
    API="$FLEET_URL/api/v1"
    # shellcheck source=lib/bench_sale.sh
    source "$ROOT/scripts/lib/bench_sale.sh"
    # shellcheck source=lib/purchase_sale.sh
    source "$ROOT/scripts/lib/purchase_sale.sh"
    purchase_fleet_staff || die "the seller could not be approved"
    SERVER_PIDS=()
    local k
    for ((k = 1; k <= FLEET; k++)); do SERVER_PIDS+=("$(cat "$RUNDIR/instance-$k/admitd.pid")"); done
    SERVER_PIDS+=("$(head -1 "$RUNDIR/nginx/nginx.pid")")
}

# --- one admitd started here, no proxy -----------------------------------------------------------
start_direct() { # (the body is not indented: its here-documents end at column 0)
mkdir -p "$RUNDIR"
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
[[ "$("${PSQL[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" == 1 ]] ||
    "${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB" >/dev/null
REDIS=(redis-cli -p "$REDIS_PORT")
# The database is kept for its buyers (signing 20,000 up costs minutes), but earlier runs' sales
# are cleared before admitd starts: a general-admission run adds about a million rows of
# reservations, claims and events, and figures measured on a database that keeps growing drift
# from run to run. Their products stay (nothing sells from them again).
if [[ $TRIM == 1 && "$("${PSQL[@]}" -d "$DB" -c "SELECT to_regclass('reservation.claims') IS NOT NULL")" == t ]]; then
    "${PSQL[@]}" -d "$DB" -c "TRUNCATE reservation.claims, reservation.reservations, product.seat_states, product.ga_holds, admit.event_outbox, admit.event_deliveries, admit.event_handled, admit.event_dead_letters" >/dev/null ||
        die "could not clear earlier runs' sales (TRIM=0 keeps them)"
fi

# The production policies, with the per-IP `auth` limit lifted (one IP provisions every buyer).
mkdir -p "$RUNDIR/policies"
rm -f "$RUNDIR/policies/limits.lua" "$RUNDIR/policies/limits_test.lua"
# shellcheck source=lib/load_policies.sh
source "$ROOT/scripts/lib/load_policies.sh"
LIMITS_OVERRIDE=""
if [[ $GA_UNITS == 0 ]]; then
lift_rate_limits "$RUNDIR/policies" auth || die "policies/ratelimits.lua has no auth rule to lift"
cat >>"$RUNDIR/policies/ratelimits_test.lua" <<'LUA'
function test_booking_is_limited_per_caller()
  local d = decide({ category = "booking", authenticated = true })
  assert_eq(d.limit, 20)
  assert_eq(d.keyBy, "caller")
end
LUA
else
# General admission: each buyer holds many units, so `booking` and the per-buyer limits are lifted.
lift_rate_limits "$RUNDIR/policies" auth booking || die "policies/ratelimits.lua has no auth or booking rule to lift"
lift_buyer_limits "$RUNDIR/policies" || die "policies/limits.lua has no per-buyer limits to lift"
LIMITS_OVERRIDE="limits = \"$RUNDIR/policies/limits.lua\""
fi

ADMIT_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
VENUE="$RUNDIR/venue.toml"
cat >"$VENUE" <<TOML
[venue]
id = "flash-sale"
name = "Flash sale bench"
currency = "KRW"
[server]
port = $ADMIT_PORT
workers = $WORKERS
queue_limit = 100000
[log]
level = "warn"
[access]
roles = ["customer", "seller", "admin", "staff"]
rate_categories = ["general", "auth", "queue", "booking"]
[plugins]
dir = "$BUILD_DIR/plugins"
load = ["auth", "arthall", "product", "reservation"]
[policies]
dir = "$ROOT/policies"
[policies.overrides]
ratelimits = "$RUNDIR/policies/ratelimits.lua"
$LIMITS_OVERRIDE
[database]
url = "postgresql://postgres@127.0.0.1:$PG_PORT/$DB"
pool_size = 32
[redis]
host = "127.0.0.1"
port = $REDIS_PORT
pool_size = $REDIS_POOL
[plugin.auth]
development_keys = true   # signing keys generated and kept in this run's database
revocation_cache_ms = ${REVOCATION_CACHE_MS:-60000}
[plugin.reservation]
batch_max = $BATCH_MAX
batch_writers = $BATCH_WRITERS
[plugin.arthall]
max_halls_per_seller = 1000000   # every run adds a hall as the same seller to a kept database
TOML
"$ADMITD" --config "$VENUE" >"$RUNDIR/admitd.log" 2>&1 &
ADMITD_PID=$!
for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$ADMIT_PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$ADMITD_PID" 2>/dev/null || { tail -20 "$RUNDIR/admitd.log"; die "admitd exited"; }
    sleep 0.05
done
curl -fs "http://127.0.0.1:$ADMIT_PORT/readyz" >/dev/null || die "admitd is not ready (see $RUNDIR/admitd.log)"

# --- the sale, set up through the API -----------------------------------------------------------
# shellcheck disable=SC2034 # read by lib/bench_sale.sh
API="http://127.0.0.1:$ADMIT_PORT/api/v1"
# shellcheck source=lib/bench_sale.sh
source "$ROOT/scripts/lib/bench_sale.sh"
# sign_in EMAIL PASSWORD [ROLE]: signs up (unless the account exists) and prints an access token.
sign_in() {
    bench_call "" POST /auth/signup "{\"email\": \"$1\", \"password\": \"$2\", \"name\": \"Bench\"${3:+, \"role\": \"$3\"}}" \
        >/dev/null 2>&1 || true
    bench_call "" POST /auth/login "{\"email\": \"$1\", \"password\": \"$2\"}" | json_field '["accessToken"]'
}
# Staff passwords live in the run directory (git-ignored), made at the first run.
[[ -f "$RUNDIR/passwords.env" ]] || python3 -c 'import secrets
for n in ("SELLER", "ADMIN", "BUYER"): print(f"{n}_PASSWORD={secrets.token_urlsafe(18)}")' >"$RUNDIR/passwords.env"
# shellcheck disable=SC1091
source "$RUNDIR/passwords.env"
export SELLER_PASSWORD ADMIN_PASSWORD BUYER_PASSWORD
"$ADMITD" --config "$VENUE" admin create --email admin@bench.admit.test --password-env ADMIN_PASSWORD >/dev/null 2>&1 || true
ADMIN="$(sign_in admin@bench.admit.test "$ADMIN_PASSWORD")"
SELLER="$(sign_in seller@bench.admit.test "$SELLER_PASSWORD" seller)"
bench_approve_seller "$ADMIN" "$SELLER" || die "the seller could not be approved"
SELLER="$(sign_in seller@bench.admit.test "$SELLER_PASSWORD")"  # a token with the seller role
SERVER_PIDS=("$ADMITD_PID")
}

if [[ $FLEET == 0 ]]; then start_direct; else start_fleet; fi
SCHEDULES=()
if [[ $GA_UNITS != 0 ]]; then
GA_PRODUCT=$(bench_ga_product "$SELLER" "$ADMIN" 4 "$GA_UNITS" "$RUNDIR/product.json") ||
    die "the general-admission product never went ON_SALE"
GA_GRADE=$(bench_call "$SELLER" GET "/products/$GA_PRODUCT" | json_field '["grades"][0]["gradeId"]')
else
bench_sale "$SELLER" "$ADMIN" 4 "$RUNDIR/product.json" || die "the product never went ON_SALE"
fi
for i in 0 1 2 3; do SCHEDULES+=("$(json_field "[\"schedules\"][$i][\"scheduleId\"]" <"$RUNDIR/product.json")"); done
WARMUP_SCHEDULE="${SCHEDULES[0]}" SCHEDULE="${SCHEDULES[1]}" SCHEDULE_70="${SCHEDULES[2]}" SCHEDULE_GOAL="${SCHEDULES[3]}"
if [[ $GA_UNITS == 0 ]]; then
# Seats best first: front rows (small y), then from the centre outwards.
bench_call "" GET "/schedules/$SCHEDULE/seats" | python3 -c 'import json, sys
seats = json.load(sys.stdin)["seats"]
cx = (min(s[3] for s in seats) + max(s[3] for s in seats)) / 2
for s in sorted(seats, key=lambda s: (s[4], abs(s[3] - cx), s[3])): print(s[0])' >"$RUNDIR/seats.txt"
[[ "$(wc -l <"$RUNDIR/seats.txt")" == "$SEATS" ]] || die "the seat map does not have $SEATS seats"
fi

# --- buyers: real accounts with their own tokens ------------------------------------------------
echo "== $BUYERS buyer accounts through the auth API (argon2id at production cost; saved sessions are refreshed)"
# Two connections: auth admits at most two password checks per client address at once and
# refuses the rest with 429 (a third connection only collects refusals and burns retries).
FLASH_SALE_PASSWORD="$BUYER_PASSWORD" "$LOAD" --port "$ADMIT_PORT" --mode provision --buyers "$BUYERS" \
    --connections 2 --password-env FLASH_SALE_PASSWORD --out "$RUNDIR/sessions.txt" || die "account provisioning failed"

echo
IDEM_FLAG=()
[[ "$IDEMPOTENCY" == 1 ]] && IDEM_FLAG=(--idempotency)
if [[ $GA_UNITS == 0 ]]; then
echo "== flash sale: $BUYERS buyers, $SEATS seats (a share of $HOT_SHARE aims at the best 200), open loop at $RATE holds/s"
CAPACITY=$SEATS
run_holds() { # SCHEDULE RATE BUYERS
    "$LOAD" --port "$ADMIT_PORT" --schedule "$1" --tokens "$RUNDIR/sessions.txt" --seat-ids "$RUNDIR/seats.txt" \
        --hot 200 --hot-share "$HOT_SHARE" --buyers "$3" --rate "$2" --connections "$CONNECTIONS" --retries "$RETRIES" \
        "${IDEM_FLAG[@]}"
}
else
HOLDS_PER_BUYER="${HOLDS_PER_BUYER:-$(( (GA_UNITS + BUYERS - 1) / BUYERS ))}"
echo "== general admission: $BUYERS buyers, $GA_UNITS units, one unit per hold, $HOLDS_PER_BUYER holds per buyer, open loop at $([[ $RAMP == 1 ]] && echo "the rate a ramp finds" || echo "$RATE holds/s")"
CAPACITY=$GA_UNITS
# SCHEDULE RATE BUYERS [more load generator options]: all the buyers hold HOLDS_PER_BUYER units
# each; fewer (the warm-up, the ramp's probes) one each.
run_holds() {
    local schedule=$1 rate=$2 buyers=$3
    shift 3
    "$LOAD" --port "$ADMIT_PORT" --schedule "$schedule" --tokens "$RUNDIR/sessions.txt" --grade "$GA_GRADE" \
        --holds-per-buyer "$([[ $buyers == "$BUYERS" ]] && echo "$HOLDS_PER_BUYER" || echo 1)" \
        --buyers "$buyers" --rate "$rate" --connections "$CONNECTIONS" --retries "$RETRIES" "${IDEM_FLAG[@]}" "$@"
}
fi
# shellcheck source=lib/process_cpu.sh
source "$ROOT/scripts/lib/process_cpu.sh"
REDIS_PID="$(cat "$RUNDIR/redis/redis.pid")"
PG_MAIN="$(head -1 "$RUNDIR/pg/data/postmaster.pid")"
# The admitd processes (and nginx with its workers, in a fleet) together, then Redis, then
# PostgreSQL (its backends, live and exited, included).
cpu_snapshot() { echo "$(process_cpu_seconds "${SERVER_PIDS[@]}") $(process_cpu_seconds "$REDIS_PID") $(process_cpu_seconds "$PG_MAIN")"; }
# cpu_per_decision BEFORE AFTER DECISIONS: CPU microseconds per hold decision of each server.
cpu_per_decision() {
    awk -v b="$1" -v a="$2" -v n="$3" -v fleet="$([[ $FLEET == 0 ]] || echo " (all $FLEET and nginx)")" 'BEGIN {
        split(b, x, " "); split(a, y, " ");
        printf "  server CPU per decision: admitd%s %.0f us, redis %.0f us, postgres %.0f us\n", fleet,
            (y[1] - x[1]) * 1e6 / n, (y[2] - x[2]) * 1e6 / n, (y[3] - x[3]) * 1e6 / n }'
}
# wait_quiet: until every hold has expired or been paid and every event is relayed and delivered,
# so that a measured run does not also pay for the work of the one before.
# A general-admission run leaves 400,000 holds whose expiry and its events the next run waits for
# first: up to 10 minutes then.
QUIET_TICKS=$((GA_UNITS > 0 ? 6000 : 1200))
wait_quiet() {
    local left
    for _ in $(seq 1 "$QUIET_TICKS"); do
        left="$("${PSQL[@]}" -d "$DB" -c "SELECT (SELECT count(*) FROM reservation.reservations
            WHERE status = 'PENDING_PAYMENT' AND expires_at <= now()) + (SELECT count(*) FROM admit.event_deliveries)
            + (SELECT count(*) FROM admit.event_outbox WHERE relayed_at IS NULL)")"
        [[ "$left" == 0 ]] && return 0
        sleep 0.1
    done
    die "the platform did not finish its background work in $((QUIET_TICKS / 600)) minutes"
}
# Holds of earlier runs (this database outlives runs) would expire in the middle of this one and
# add their work to it: they expire now, through the platform's own expiry job.
"${PSQL[@]}" -d "$DB" -c "UPDATE reservation.reservations SET expires_at = now() WHERE status = 'PENDING_PAYMENT'" >/dev/null
# Warm-up on its own schedule: loads the schedule into Redis and the sale context into the caches.
run_holds "$WARMUP_SCHEDULE" 2000 200 >/dev/null
"${PSQL[@]}" -d "$DB" -c "UPDATE reservation.reservations SET expires_at = now() WHERE schedule_id = '$WARMUP_SCHEDULE'
    AND status = 'PENDING_PAYMENT'" >/dev/null
result_field() { sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
# measured_run SCHEDULE RATE: once the platform is quiet, the sale on SCHEDULE at RATE holds/s;
# prints its report and the servers' CPU per decision, and leaves its RESULT line in RUN_RESULT.
# Where a hold's time went on the server (one admitd only): the claim batcher's queue and
# transaction, and the whole request as admitd timed it, from its histograms before and after.
measured_run() {
    local before after report perf_pid=""
    wait_quiet
    [[ $FLEET != 0 ]] || curl -fs "http://127.0.0.1:$ADMIT_PORT/metrics" >"$RUNDIR/metrics-before.txt" || true
    if [[ $PERF == 1 && $FLEET == 0 && -z ${PERF_DONE:-} ]]; then
        PERF_DONE=1
        perf record -q -e cpu-clock -F 1999 -p "$ADMITD_PID" -o "$RUNDIR/perf.data" >/dev/null 2>&1 &
        perf_pid=$!
    fi
    before="$(cpu_snapshot)"
    report="$(run_holds "$1" "$2" "$BUYERS")"
    after="$(cpu_snapshot)"
    if [[ -n $perf_pid ]]; then
        kill -INT "$perf_pid" 2>/dev/null || true
        wait "$perf_pid" 2>/dev/null || true
        echo "  perf: admitd's top functions during this sale (samples; $RUNDIR/perf.data):"
        # (head ends the pipe early: perf's SIGPIPE is expected)
        perf report -i "$RUNDIR/perf.data" --stdio --no-children --sort dso,symbol 2>/dev/null |
            grep -v '^#' | grep '%' | head -30 | sed 's/  */ /g; s/ - - *$//; s/^/   /' | cut -c1-160 || true
    fi
    echo "$report" | grep -v '^RESULT'
    RUN_RESULT="$(grep '^RESULT' <<<"$report")"
    cpu_per_decision "$before" "$after" "$(result_field attempts "$RUN_RESULT")"
    if [[ $FLEET == 0 ]] && curl -fs "http://127.0.0.1:$ADMIT_PORT/metrics" >"$RUNDIR/metrics-after.txt"; then
        python3 "$ROOT/scripts/lib/histogram_delta.py" "$RUNDIR/metrics-before.txt" "$RUNDIR/metrics-after.txt" \
            admit_reservation_hold_queued_seconds admit_reservation_hold_batch_seconds \
            'admit_http_request_duration_seconds{route="/api/v1/reservations"}' | sed 's/^/  server: /'
    fi
}
# The ramp (general admission, RAMP=1, the default there): short probes on the warm-up schedule
# at RAMP_RATES, each RAMP_SECONDS long with its own buyers' idempotency keys, until one grants
# less than 95% of its offer or its 201s' p99 reaches 200 ms; the measured run then offers that
# first failing rate (the last probed one if none failed), so it measures the sustained maximum.
if [[ $GA_UNITS != 0 && $RAMP == 1 ]]; then
    RAMP_RATES="${RAMP_RATES:-2000,3000,4000,5000,6000,7000}"
    RAMP_SECONDS="${RAMP_SECONDS:-3}"
    echo "== ramp: probes of ${RAMP_SECONDS}s at ${RAMP_RATES//,/, } holds/s (warm-up schedule)"
    SUSTAINED=0
    probe_units=0
    for r in ${RAMP_RATES//,/ }; do probe_units=$((probe_units + r * RAMP_SECONDS)); done
    (( probe_units + 2000 <= GA_UNITS )) || die "the ramp's probes need $probe_units units of the warm-up schedule (GA_UNITS=$GA_UNITS): lower RAMP_RATES or RAMP=0"
    for r in ${RAMP_RATES//,/ }; do
        [[ $r =~ ^[1-9][0-9]*$ ]] || die "RAMP_RATES must be rates separated by commas"
        (( r * RAMP_SECONDS <= BUYERS )) || die "a probe of ${r}/s for ${RAMP_SECONDS}s needs $((r * RAMP_SECONDS)) buyers (BUYERS=$BUYERS)"
        wait_quiet
        probe="$(run_holds "$WARMUP_SCHEDULE" "$r" $((r * RAMP_SECONDS)) --key-prefix "ramp$r-" | grep '^RESULT')"
        granted="$(result_field succeeded_per_s "$probe")"
        p99="$(result_field p99_201_ms "$probe")"
        echo "  offered ${r}/s: granted ${granted}/s, the 201s' p99 ${p99} ms"
        RATE=$r
        awk -v g="$granted" -v r="$r" -v p="$p99" 'BEGIN { exit !(g >= 0.95 * r && p < 200) }' || break
        SUSTAINED=$r
    done
    echo "  sustained: ${SUSTAINED}/s; the measured run offers ${RATE}/s"
    "${PSQL[@]}" -d "$DB" -c "UPDATE reservation.reservations SET expires_at = now() WHERE schedule_id = '$WARMUP_SCHEDULE'
        AND status = 'PENDING_PAYMENT'" >/dev/null
fi
echo "== the sale at $RATE holds/s"
measured_run "$SCHEDULE" "$RATE"
RESULT="$RUN_RESULT"
DECISIONS="$(result_field decisions_per_s "$RESULT")"
SEVENTY="$(awk -v d="$DECISIONS" 'BEGIN { printf "%d", d * 0.7 }')"
echo
echo "== the same sale at 70% of the measured decision rate ($SEVENTY holds/s), on a fresh schedule"
measured_run "$SCHEDULE_70" "$SEVENTY"
SLOW_RESULT="$RUN_RESULT"

# The issue's latency goal is "p99 below 50 ms at 70% of that rate", that rate being the 10,000
# decisions/s goal: 7,000/s. The run above (70% of what this run measured, capped by RATE) is the
# stricter reading; both are reported.
GOAL70=7000
echo
echo "== the same sale at 70% of the 10,000/s goal ($GOAL70 holds/s), on a fresh schedule"
measured_run "$SCHEDULE_GOAL" "$GOAL70"
GOAL_RESULT="$RUN_RESULT"

curl -fs "http://127.0.0.1:$ADMIT_PORT/metrics" >"$RUNDIR/metrics.txt" || true # for a closer look afterwards

echo
echo "== oversell check (PostgreSQL)"
IN_RUN="'$WARMUP_SCHEDULE', '$SCHEDULE', '$SCHEDULE_70', '$SCHEDULE_GOAL'"
TWICE="$("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM (SELECT schedule_id, c FROM (SELECT schedule_id, unnest(claim_ids) AS c
    FROM reservation.reservations WHERE status IN ('PENDING_PAYMENT','CONFIRMED') AND schedule_id IN ($IN_RUN)) s
    GROUP BY 1, 2 HAVING count(*) > 1) t")"
ORPHANS="$("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM reservation.claims c LEFT JOIN reservation.reservations r
    ON r.id = c.reservation_id AND r.status IN ('PENDING_PAYMENT','CONFIRMED') WHERE r.id IS NULL AND c.schedule_id IN ($IN_RUN)")"
OVER_STOCK="$("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM (SELECT schedule_id FROM reservation.claims
    WHERE schedule_id IN ($IN_RUN) GROUP BY schedule_id HAVING count(*) > $CAPACITY) t")"
HELD_PG="$("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM reservation.claims WHERE schedule_id = '$SCHEDULE'")"
echo "seats claimed twice: $TWICE   claims without a live reservation: $ORPHANS   schedules over capacity (stock below zero): $OVER_STOCK"
echo "seats held per PostgreSQL: $HELD_PG   holds answered 201: $(result_field held "$RESULT")"

echo
echo "== physical references (same machine, same run)"
SHA="$("${REDIS[@]}" SCRIPT LOAD "$(cat "$ROOT/plugins/reservation/src/scripts/hold.lua")")"
"${REDIS[@]}" SET reservation:benchref:ready 1 >/dev/null
"${REDIS[@]}" SET reservation:epoch 1 NX >/dev/null
# The keys and arguments of RedisHolds::hold (plugins/reservation/src/redis_holds.cpp): epoch,
# schedule marker, fence, the user's count, idempotency key (unused: "0"), the user's holds in the
# window (10 a day, as policies/limits.lua), one seat; a random user and seat.
REDIS_RPS="$(redis-benchmark -p "$REDIS_PORT" -n 300000 -c 50 -r 100000000 -q EVALSHA "$SHA" 7 reservation:epoch \
    reservation:benchref:ready reservation:benchref:fence reservation:benchref:user:__rand_int__ reservation:idem:- \
    reservation:benchref:made:__rand_int__ reservation:benchref:seat:__rand_int__ \
    SEATS rsv_bench 1 4 300000 0 86400000 10 86400000 | tr '\r' '\n' |
    awk '/requests per second/ { for (i = 1; i <= NF; i++) if ($i == "requests") v = $(i-1) } END { print v }')"
"${REDIS[@]}" --scan --pattern 'reservation:benchref:*' | xargs -r -n 1000 "${REDIS[@]}" DEL >/dev/null
[[ -n $REDIS_RPS ]] || die "redis-benchmark could not run the hold script (its keys or arguments no longer match redis_holds.cpp?)"
echo "redis-benchmark EVALSHA hold script (50 clients): $REDIS_RPS/s"
BARE="$("$LOAD" --port "$ADMIT_PORT" --mode bare --path /healthz --duration 5 --connections 64)"
BARE_RPS="$(result_field rps "$(grep '^RESULT' <<<"$BARE")")"
echo "admitd GET /healthz (same client, 64 connections, closed loop): $BARE_RPS req/s"

echo
echo "== summary"
# Issue 21's goals (the path that sells): in the seated sale, the winners' p99 at the full rate
# and the seat map's stream; in general admission, granted holds/s and the 201s' p99 at 70%.
if [[ $GA_UNITS == 0 ]]; then
awk -v w="$(result_field p99_201_ms "$RESULT")" -v st="$(result_field seat_stream_p99_ms "$RESULT")" 'BEGIN {
    printf "the winners'"'"' (201) p99 at the full rate %.2f ms  goal < 50 ms: %s\n", w, (w < 50 ? "met" : "NOT met");
    printf "the seat map'"'"'s stream after the 201, p99 %.1f ms  goal < 200 ms: %s\n", st, (st >= 0 && st < 200 ? "met" : "NOT met");
}'
else
awk -v g="$(result_field succeeded_per_s "$RESULT")" -v p="$(result_field p99_201_ms "$SLOW_RESULT")" -v r="$SEVENTY" 'BEGIN {
    printf "granted holds/s %.0f  goal >= 5000: %s\n", g, (g >= 5000 ? "met" : "NOT met");
    printf "the 201s'"'"' p99 at 70%% of it (%d/s) %.2f ms  goal < 50 ms (at 70%% of 5,000/s or more): %s\n", r, p, (p < 50 && r >= 3500 ? "met" : "NOT met");
}'
fi
# Issue 7's goals (every decision, seated; in general admission every decision is a grant, so
# only the ratios are printed there).
awk -v ga="$GA_UNITS" -v d="$DECISIONS" -v a="$(result_field attempted_per_s "$RESULT")" -v s="$(result_field succeeded_per_s "$RESULT")" \
    -v r="$REDIS_RPS" -v b="$BARE_RPS" -v p99="$(result_field p99_ms "$RESULT")" -v p99s="$(result_field p99_ms "$SLOW_RESULT")" \
    -v rate70="$SEVENTY" -v p99g="$(result_field p99_ms "$GOAL_RESULT")" -v goal70="$GOAL70" 'BEGIN {
    if (ga == 0) {
        printf "hold decisions/s %.0f (attempted %.0f/s, succeeded %.0f/s)  goal >= 10000: %s\n", d, a, s, (d >= 10000 ? "met" : "NOT met");
        printf "p99 at the full rate %.2f ms; at 70%% of the goal (%d/s) %.2f ms  goal < 50 ms: %s\n", p99, goal70, p99g, (p99g < 50 ? "met" : "NOT met");
        printf "p99 at 70%% of this run'"'"'s measured rate (%d/s, the stricter reading): %.2f ms  < 50 ms: %s\n", rate70, p99s, (p99s < 50 ? "yes" : "no");
    }
    if (r > 0) printf "hold rate / redis EVALSHA rate: %.2f\n", d / r;
    if (b > 0) printf "hold rate / bare admitd route rate: %.2f\n", d / b;
}'
# The figures of this run for the JSON file scripts/bench writes (the load's own RESULT lines are
# not echoed above: three runs would repeat their keys).
echo "RESULT fleet_instances=$FLEET decisions_per_s=$DECISIONS granted_per_s=$(result_field succeeded_per_s "$RESULT")" \
    "p99_ms=$(result_field p99_ms "$RESULT") rate70=$SEVENTY p99_ms_at_rate70=$(result_field p99_ms "$SLOW_RESULT")" \
    "p99_ms_at_7000=$(result_field p99_ms "$GOAL_RESULT") redis_evalsha_per_s=$REDIS_RPS bare_route_per_s=$BARE_RPS" \
    "granted_p99_ms=$(result_field p99_201_ms "$RESULT") granted_p99_ms_at_rate70=$(result_field p99_201_ms "$SLOW_RESULT")" \
    "granted_per_s_at_rate70=$(result_field succeeded_per_s "$SLOW_RESULT") ga_units=$GA_UNITS" \
    "offered_rate=$RATE ramp_sustained_rate=${SUSTAINED:-0}" \
    "seat_stream_p99_ms=$(result_field seat_stream_p99_ms "$RESULT") seat_stream_p99_ms_at_rate70=$(result_field seat_stream_p99_ms "$SLOW_RESULT")" \
    "seats_claimed_twice=$TWICE over_capacity=$OVER_STOCK orphan_claims=$ORPHANS"
if [[ "$TWICE" != 0 || "$OVER_STOCK" != 0 || "$ORPHANS" != 0 ]]; then
    echo "OVERSELL: the database shows a seat or unit claimed twice" >&2
    exit 1
fi
echo "oversell: 0"
