#!/usr/bin/env bash
# bench-queue.sh: the waiting-room benchmark (issue 16), on one machine with the load generator.
#
#   scripts/bench queue            # Release tree build/bench (built if needed), the full size
#   JOINS=5000 STREAMS=500 BUILD_DIR=build/bench bash scripts/bench-queue.sh   # a scaled-down run
#
# 1. Starts the private servers (BUILD_DIR/run/queue, a fresh database each run) and admitd with
#    test_auth, the test catalog (tests' stub_product, named "product"), reservation and queue.
#    Accounts are `Bearer test:customer:usr_b<N>` principals (no password hashing per account);
#    every request takes the production queue code path. The schedule
#    `sch_ga_<SEATS>_queued_starts<now + PREQUEUE>` is queued and its sale starts PREQUEUE s later.
# 2. The load generator (tests/load/queue, C++ Boost.Asio, one epoll thread): JOINS users join
#    during the pre-queue over CONNECTIONS keep-alive connections (joins/s); the reference, GET
#    /healthz (answered by the host itself) over the same connections, in the same run;
# 3. STREAMS of them open the SSE stream, spread over SOURCES loopback source addresses
#    (127.0.0.2..; about 28,000 ephemeral ports each); admitd RSS is read with the streams open;
# 4. status polls for POLL_SECONDS (polls/s), the streams open; the reference again;
# 5. Redis memory per waiting user: MEMORY USAGE of the line and seen sets / users in line, with
#    redis-benchmark SET as Redis's reference;
# 6. the sale starts: the pre-queue is shuffled and admitted at RATE/s (the operator's rate
#    override, i.e. the rate admission.lua answers); the measured rate over ADMIT_SECONDS is
#    compared with it, and the time from each admission (queue.admissions.admitted_at) to the
#    stream message naming the user's joinId (p50, p99) over the streaming users admitted;
# 7. invariants from PostgreSQL: every acknowledged join is in the durable log, no place admitted
#    twice (admissions vs queue.admitted events vs joins in state ADMITTED), no one lost (every
#    joined user is waiting, admitted, left, expired or told SOLD_OUT). Exit 1 on any violation.
#
# Environment: BUILD_DIR (build/bench), JOINS (200000), STREAMS (50000), CONNECTIONS (256),
# RATE (500), SEATS (100000), PREQUEUE (seconds before the sale start, default: enough for the
# joins and the streams), POLL_SECONDS (5), REFERENCE_SECONDS (3), ADMIT_SECONDS (10),
# WORKERS (admitd handler threads, 256: a join waits in its handler for its durable batch, so
# joins in flight are bounded by the workers).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${ADMIT_BENCH_BUILD_DIR:-${BUILD_DIR:-$ROOT/build/bench}}"
JOINS="${JOINS:-200000}"
STREAMS="${STREAMS:-50000}"
CONNECTIONS="${CONNECTIONS:-256}"
RATE="${RATE:-500}"
SEATS="${SEATS:-100000}"
POLL_SECONDS="${POLL_SECONDS:-5}"
REFERENCE_SECONDS="${REFERENCE_SECONDS:-3}"
ADMIT_SECONDS="${ADMIT_SECONDS:-10}"
WORKERS="${WORKERS:-256}"
# The grace window: users not streaming are polled only once; the run must not sweep them out
# before the sale (the sweep itself is not what this bench measures).
GRACE_SECONDS="${GRACE_SECONDS:-600}"
PREQUEUE="${PREQUEUE:-$(( JOINS / 2500 + STREAMS / 1000 + POLL_SECONDS + 2 * REFERENCE_SECONDS + 20 ))}"
RUNDIR="$BUILD_DIR/run/queue"
DB="queue_bench"
die() { echo "bench-queue: $*" >&2; exit 1; }
for tool in psql redis-cli redis-benchmark curl python3; do command -v "$tool" >/dev/null || die "$tool is not installed"; done

if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DADMIT_BUILD_TESTS=ON \
        -DADMIT_BUILD_BENCH=ON >/dev/null
fi
cmake --build "$BUILD_DIR" --target admitd queue_test_plugins queue_load -j "${ADMIT_JOBS:-2}" >/dev/null
ADMITD="$BUILD_DIR/host/runtime/admitd"
PLUGIN_DIR="$BUILD_DIR/tests/plugins/queue/plugins"
LOADGEN="$BUILD_DIR/bin/queue_load"
[[ -x "$LOADGEN" ]] || die "$LOADGEN was not built (configure $BUILD_DIR with -DADMIT_BUILD_BENCH=ON)"

# Open files: admitd holds a socket per stream and connection (plus its pools, logs and
# libraries), the generator the other end. Both inherit this limit from the script. When the hard
# limit cannot be raised (an unprivileged container), the run keeps STREAMS to what fits and says
# so: the figures are then those of fewer streams, not of the goal's.
NOFILE=$(( STREAMS + CONNECTIONS + 2000 ))
ulimit -n "$NOFILE" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "RESULT nofile_limit=$(ulimit -n)"
echo "RESULT streams_requested=$STREAMS"
if (( $(ulimit -n) < NOFILE )); then
    FITS=$(( $(ulimit -n) - CONNECTIONS - 1000 ))
    (( FITS > 0 )) || die "RLIMIT_NOFILE is $(ulimit -n) (hard $(ulimit -Hn)): no room for streams"
    echo "bench-queue: WARNING: RLIMIT_NOFILE cannot be raised to $NOFILE (hard limit $(ulimit -Hn)); streams capped at $FITS instead of $STREAMS" >&2
    STREAMS=$FITS
    NOFILE=$(ulimit -n)
fi
echo "RESULT streams_planned=$STREAMS"
# Stream source addresses: at most 20,000 streams per address (of ~28,000 ephemeral ports).
SOURCES=$(( (STREAMS + 19999) / 20000 ))
(( SOURCES >= 1 )) || SOURCES=1
PER_SOURCE=$(( (STREAMS + SOURCES - 1) / SOURCES ))
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
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB" >/dev/null
REDIS=(redis-cli -p "$REDIS_PORT")
"${REDIS[@]}" FLUSHALL >/dev/null

# The production admission policy with its active-user cap lifted (the bench measures the rate
# outflow; with the cap of 500 and a 300 s token the steady state would be 500 per 300 s).
mkdir -p "$RUNDIR/policies"
sed 's/^local DEFAULT = { per_second = \([0-9]*\), active_cap = [0-9]*,/local DEFAULT = { per_second = \1, active_cap = 10000000,/' \
    "$ROOT/policies/admission.lua" >"$RUNDIR/policies/admission.lua"
grep -q "active_cap = 10000000," "$RUNDIR/policies/admission.lua" || die "policies/admission.lua has no DEFAULT active_cap to lift"
cat >"$RUNDIR/policies/admission_test.lua" <<'LUA'
function test_admits_at_the_rate_override()
  assert_eq(decide({ scheduleId = "s", waiting = 1000, active = 0, rateOverride = 7 }).admitNow, 7)
end
LUA

# The host's connection caps (issue 13) sized for the run: every stream and request connection,
# per source address the streams of one address plus the request connections.
MAX_CONNECTIONS=$(( STREAMS + CONNECTIONS + 1000 ))
MAX_PER_IP=$(( PER_SOURCE + CONNECTIONS + 100 ))
MAX_STREAMS_PER_IP=$(( PER_SOURCE + 100 ))
echo "== admitd caps: max_connections=$MAX_CONNECTIONS max_connections_per_ip=$MAX_PER_IP max_streams_per_ip=$MAX_STREAMS_PER_IP (streams over $SOURCES source addresses, $PER_SOURCE each); RLIMIT_NOFILE=$(ulimit -n)"
ADMIT_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
VENUE="$RUNDIR/venue.toml"
cat >"$VENUE" <<TOML
[venue]
id = "queue-bench"
name = "Queue bench"
currency = "KRW"
[server]
port = $ADMIT_PORT
workers = $WORKERS
queue_limit = 100000
max_connections = $MAX_CONNECTIONS
max_connections_per_ip = $MAX_PER_IP
max_streams_per_ip = $MAX_STREAMS_PER_IP
[log]
level = "warn"
[access]
roles = ["customer", "seller", "admin", "staff"]
rate_categories = ["general", "auth", "queue", "booking"]
[plugins]
dir = "$PLUGIN_DIR"
load = ["test_auth", "product", "reservation", "queue"]
[policies]
dir = "$ROOT/policies"
[policies.overrides]
admission = "$RUNDIR/policies/admission.lua"
[database]
url = "postgresql://postgres@127.0.0.1:$PG_PORT/$DB"
pool_size = 32
[redis]
host = "127.0.0.1"
port = $REDIS_PORT
[plugin.queue]
grace_seconds = $GRACE_SECONDS
TOML
ADMIT_QUEUE_ENTRY_KEY="$(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')" \
    "$ADMITD" --config "$VENUE" >"$RUNDIR/admitd.log" 2>&1 &
ADMITD_PID=$!
for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$ADMIT_PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$ADMITD_PID" 2>/dev/null || { tail -20 "$RUNDIR/admitd.log"; die "admitd exited"; }
    sleep 0.05
done
curl -fs "http://127.0.0.1:$ADMIT_PORT/readyz" >/dev/null || die "admitd is not ready (see $RUNDIR/admitd.log)"

STARTS=$(( $(date +%s) + PREQUEUE ))
SCHEDULE="sch_ga_${SEATS}_queued_starts${STARTS}"
echo "== schedule $SCHEDULE (sale starts in ${PREQUEUE}s), $JOINS joins, $STREAMS streams, rate $RATE/s, load $(cut -d' ' -f1-3 /proc/loadavg)"
ADMITD_NOFILE=$(awk '/^Max open files/ {print $4}' "/proc/$ADMITD_PID/limits")
echo "RESULT admitd_nofile_limit=$ADMITD_NOFILE"
(( ADMITD_NOFILE >= NOFILE )) || die "admitd runs with RLIMIT_NOFILE $ADMITD_NOFILE, under $NOFILE"

"$LOADGEN" --port "$ADMIT_PORT" --schedule "$SCHEDULE" --joins "$JOINS" --streams "$STREAMS" \
    --connections "$CONNECTIONS" --poll-seconds "$POLL_SECONDS" --reference-seconds "$REFERENCE_SECONDS" \
    --sources "$SOURCES" --starts "$STARTS" --admit-seconds "$ADMIT_SECONDS" --rate "$RATE" --admitd-pid "$ADMITD_PID" \
    --out "$RUNDIR" | tee "$RUNDIR/load.out"
grep -q '^RESULT joins_acknowledged=' "$RUNDIR/load.out" || die "the load generator did not finish its joins"
echo "RESULT load_during_run=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')"

# Redis memory per waiting user: MEMORY USAGE of the line and seen sets over the users in line.
TAG="queue:{$SCHEDULE}:"
line_bytes=$("${REDIS[@]}" MEMORY USAGE "${TAG}line" SAMPLES 0)
seen_bytes=$("${REDIS[@]}" MEMORY USAGE "${TAG}seen" SAMPLES 0)
waiting=$("${REDIS[@]}" ZCARD "${TAG}line")
echo "RESULT redis_waiting_users=$waiting"
echo "RESULT redis_bytes_per_waiting_user=$(( (${line_bytes:-0} + ${seen_bytes:-0}) / (waiting > 0 ? waiting : 1) ))"
echo "RESULT reference_redis_set_per_second=$(redis-benchmark -p "$REDIS_PORT" -t set -n 200000 -P 1 -c 50 -q 2>/dev/null | tr -d '\r' | sed -n 's/.*SET: \([0-9.]*\) requests per second.*/\1/p' | tail -1)"

# The admission rate and the time from each admission to the stream message naming it.
RATE="$RATE" ADMIT_SECONDS="$ADMIT_SECONDS" RUNDIR="$RUNDIR" PG_PORT="$PG_PORT" DB="$DB" python3 - <<'PY'
import os, subprocess
env = os.environ
rate, admit_seconds = int(env["RATE"]), float(env["ADMIT_SECONDS"])
def result(key, value): print(f"RESULT {key}={value}", flush=True)
def psql(sql):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", env["PG_PORT"], "-U", "postgres", "-X",
                           "-q", "-t", "-A", "-d", env["DB"], "-c", sql], capture_output=True,
                          text=True).stdout.strip()
first = float(psql("SELECT extract(epoch FROM min(admitted_at)) FROM queue.admissions") or 0)
# The outflow rate: units admitted after the first tick over the time from the first tick to the
# last one inside the window (one batch per fencing token).
ticks = [r.split("|") for r in psql(
    "SELECT extract(epoch FROM min(admitted_at)), count(*) FROM queue.admissions "
    "GROUP BY admit_fence ORDER BY 1").splitlines() if r]
ticks = [(float(t), int(n)) for t, n in ticks if float(t) < first + admit_seconds]
measured = (sum(n for _, n in ticks[1:]) / (ticks[-1][0] - ticks[0][0])) if len(ticks) > 1 else 0.0
result("admission_ticks", len(ticks))
result("admission_rate_policy", rate)
result("admission_rate_measured", round(measured, 1))
result("admission_rate_error_pct", round(abs(measured - rate) / rate * 100, 1))
streamers = set(open(env["RUNDIR"] + "/streamers").read().split())
told = {}
for line in open(env["RUNDIR"] + "/told"):
    join_id, at = line.split()
    told[join_id] = float(at)
rows = [r.split("|") for r in psql(
    "SELECT join_id, extract(epoch FROM admitted_at) FROM queue.admissions").splitlines() if r]
window = [(j, float(t)) for j, t in rows if float(t) < first + admit_seconds]
expected = [(j, t) for j, t in window if j in streamers]
latencies = sorted(told[j] - t for j, t in expected if j in told)
result("streams_admitted_in_window", len(expected))
result("streams_told_in_window", len(latencies))
result("streams_admitted_not_told", len(expected) - len(latencies))
if latencies:
    result("admission_to_sse_p50_ms", round(latencies[len(latencies) // 2] * 1000))
    result("admission_to_sse_p99_ms", round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000))
    result("admission_to_sse_max_ms", round(latencies[-1] * 1000))
PY

# --- invariants from the durable log -----------------------------------------------------------
# One statement, one snapshot: the admission tick keeps running while this reads.
IFS='|' read -r logged admissions distinct admitted_events admitted_rows accounted <<<"$(
    "${PSQL[@]}" -d "$DB" -c "SELECT
      (SELECT count(*) FROM queue.joins WHERE schedule_id = '$SCHEDULE'),
      (SELECT count(*) FROM queue.admissions),
      (SELECT count(DISTINCT (schedule_id, user_id, round)) FROM queue.admissions),
      (SELECT count(*) FROM admit.event_outbox WHERE topic = 'queue.admitted'),
      (SELECT count(*) FROM queue.joins WHERE state = 'ADMITTED'),
      (SELECT count(*) FROM queue.joins WHERE state IN ('WAITING','ADMITTED','LEFT','EXPIRED','SOLD_OUT'))")"
twice=$(( admissions - distinct + (admitted_events > admissions ? admitted_events - admissions : 0) ))
acknowledged=$(cat "$RUNDIR/acknowledged")
# Every acknowledged join is in the log, and every logged place is in a known state.
lost=$(( acknowledged > logged ? acknowledged - logged : 0 ))
lost=$(( lost + logged - accounted ))
echo "RESULT joins_in_durable_log=$logged"
echo "RESULT admitted_total=$admissions"
echo "RESULT admitted_twice=$twice"
echo "RESULT lost=$lost"
echo "RESULT admitted_rows_vs_admissions=$(( admitted_rows - admissions ))"
status=0
[[ "$twice" == 0 ]] || { echo "bench-queue: VIOLATION: a place was admitted twice" >&2; status=1; }
[[ "$lost" == 0 ]] || { echo "bench-queue: VIOLATION: $lost joined users are not in the log" >&2; status=1; }
[[ "$admitted_rows" == "$admissions" ]] || { echo "bench-queue: VIOLATION: admissions and log disagree" >&2; status=1; }
exit "$status"
