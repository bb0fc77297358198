#!/usr/bin/env bash
# bench-queue.sh: the waiting-room benchmark (issue 16), on one machine with the load generator.
#
#   scripts/bench queue            # Release tree build/bench (built if needed)
#   JOINS=5000 STREAMS=500 BUILD_DIR=build/test bash scripts/bench-queue.sh   # a scaled-down run
#
# 1. Starts the private servers (BUILD_DIR/run/queue, a fresh database each run) and admitd with
#    test_auth, the test catalog (tests' stub_product, named "product"), reservation and queue.
#    Accounts are `Bearer test:customer:usr_b<N>` principals (no password hashing per account);
#    every request takes the production queue code path. The schedule
#    `sch_ga_<SEATS>_queued_starts<now + PREQUEUE>` is queued and its sale starts PREQUEUE s later.
# 2. JOINS users join during the pre-queue from THREADS keep-alive connections (joins/s).
# 3. STREAMS of them open the SSE stream, spread over several loopback source addresses
#    (127.0.0.2..); admitd RSS is read with the streams open.
# 4. Status polls from THREADS connections for POLL_SECONDS (polls/s).
# 5. Redis memory per waiting user: MEMORY USAGE of the line and seen sets / users.
# 6. The sale starts: the pre-queue is shuffled and admitted at RATE/s (the operator's rate
#    override, i.e. the rate admission.lua answers); after ADMIT_SECONDS the measured rate is
#    compared with it, and the time from each admission (queue.admissions.admitted_at) to the
#    stream message naming the user's joinId (p99).
# 7. Invariants from PostgreSQL: every acknowledged join is in the durable log, no place admitted
#    twice (admissions vs queue.admitted events vs joins in state ADMITTED), no one lost (every
#    joined user is waiting, admitted, left, expired or told SOLD_OUT). Exit 1 on any violation.
#
# Environment: BUILD_DIR (build/bench), JOINS (200000), STREAMS (50000), THREADS (8), RATE (500),
# SEATS (100000), PREQUEUE (seconds before the sale start, default: enough for the joins),
# POLL_SECONDS (5), ADMIT_SECONDS (10), WORKERS (admitd handler threads, 64).
# The load generator is Python (threads + one selector for the streams): on 2 shared cores its
# own cost bounds the join and poll rates it can offer; the figures say what it reached.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${ADMIT_BENCH_BUILD_DIR:-${BUILD_DIR:-$ROOT/build/bench}}"
JOINS="${JOINS:-200000}"
STREAMS="${STREAMS:-50000}"
THREADS="${THREADS:-8}"
RATE="${RATE:-500}"
SEATS="${SEATS:-100000}"
POLL_SECONDS="${POLL_SECONDS:-5}"
ADMIT_SECONDS="${ADMIT_SECONDS:-10}"
WORKERS="${WORKERS:-64}"
PREQUEUE="${PREQUEUE:-$(( JOINS / 1000 + STREAMS / 2000 + POLL_SECONDS + 30 ))}"
RUNDIR="$BUILD_DIR/run/queue"
DB="queue_bench"

die() { echo "bench-queue: $*" >&2; exit 1; }
for tool in psql redis-cli curl python3; do command -v "$tool" >/dev/null || die "$tool is not installed"; done

if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DADMIT_BUILD_TESTS=ON \
        -DADMIT_BUILD_BENCH=ON >/dev/null
fi
cmake --build "$BUILD_DIR" --target admitd queue_test_plugins -j "${ADMIT_JOBS:-2}" >/dev/null
ADMITD="$BUILD_DIR/host/runtime/admitd"
PLUGIN_DIR="$BUILD_DIR/tests/plugins/queue/plugins"

mkdir -p "$RUNDIR"
ADMITD_PID=""
cleanup() {
    if [[ -n "$ADMITD_PID" ]]; then kill "$ADMITD_PID" 2>/dev/null || true; wait "$ADMITD_PID" 2>/dev/null || true; fi
    bash "$ROOT/scripts/lib/servers.sh" stop "$RUNDIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT
ulimit -n "$(( STREAMS + 20000 ))" 2>/dev/null || ulimit -n 200000 2>/dev/null || true

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
sed 's/^local DEFAULT = { per_second = \([0-9]*\), active_cap = [0-9]*,/local DEFAULT = { per_second = \1, active_cap = 100000000,/' \
    "$ROOT/policies/admission.lua" >"$RUNDIR/policies/admission.lua"
grep -q 'active_cap = 100000000' "$RUNDIR/policies/admission.lua" || die "policies/admission.lua has no DEFAULT active_cap to lift"
cat >"$RUNDIR/policies/admission_test.lua" <<'LUA'
function test_admits_at_the_rate_override()
  assert_eq(decide({ scheduleId = "s", waiting = 1000, active = 0, rateOverride = 7 }).admitNow, 7)
end
LUA

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
echo "== schedule $SCHEDULE (sale starts in ${PREQUEUE}s), $JOINS joins, $STREAMS streams, rate $RATE/s"

PORT="$ADMIT_PORT" SCHEDULE="$SCHEDULE" JOINS="$JOINS" STREAMS="$STREAMS" THREADS="$THREADS" \
RATE="$RATE" STARTS="$STARTS" POLL_SECONDS="$POLL_SECONDS" ADMIT_SECONDS="$ADMIT_SECONDS" \
ADMITD_PID="$ADMITD_PID" RUNDIR="$RUNDIR" REDIS_PORT="$REDIS_PORT" PG_PORT="$PG_PORT" DB="$DB" \
python3 - <<'PY'
import http.client, json, os, selectors, socket, subprocess, sys, threading, time

env = os.environ
port, schedule = int(env["PORT"]), env["SCHEDULE"]
joins, streams, threads = int(env["JOINS"]), int(env["STREAMS"]), int(env["THREADS"])
rate, starts = int(env["RATE"]), int(env["STARTS"])
poll_seconds, admit_seconds = float(env["POLL_SECONDS"]), float(env["ADMIT_SECONDS"])
path = f"/api/v1/schedules/{schedule}/queue"

def result(key, value):
    print(f"RESULT {key}={value}", flush=True)

def user(i): return f"usr_b{i}"

def request(conn, method, target, who, role="customer", body=None):
    headers = {"Authorization": f"Bearer test:{role}:{who}"}
    if body is not None: headers["Content-Type"] = "application/json"
    conn.request(method, target, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()

failures = {}
def run_threads(work, count):
    errors = [0] * threads
    def body(t):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(t, count, threads):
            try:
                if not work(conn, i): errors[t] += 1
            except Exception as e:
                errors[t] += 1
                failures[type(e).__name__] = failures.get(type(e).__name__, 0) + 1
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.close()
    pool = [threading.Thread(target=body, args=(t,)) for t in range(threads)]
    started = time.time()
    for p in pool: p.start()
    for p in pool: p.join()
    return time.time() - started, sum(errors)

# --- joins (pre-queue) -----------------------------------------------------------------------
join_ids = {}
def join(conn, i):
    status, body = request(conn, "POST", path, user(i))
    if status not in (200, 201):
        try:
            cause = f"{status} {json.loads(body).get('code')}"
        except ValueError:
            cause = str(status)
        failures[cause] = failures.get(cause, 0) + 1
        return False
    join_ids[i] = json.loads(body)["joinId"]
    return True
elapsed, failed = run_threads(join, joins)
print(f"joins: {joins} in {elapsed:.1f}s, {failed} failed {failures}", flush=True)
with open(env["RUNDIR"] + "/acknowledged", "w") as f: f.write(str(len(join_ids)))
result("joins", joins)
result("join_failures", failed)
result("joins_per_second", round(joins / elapsed))

admin = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
status, body = request(admin, "POST", f"/api/v1/admin/schedules/{schedule}/queue/rate", "usr_ops",
                       "admin", json.dumps({"admitPerSecond": rate}))
assert status == 200, body

# --- streams from several loopback source addresses -----------------------------------------
selector = selectors.DefaultSelector()
received = {}      # join id -> time its admission arrived
buffers = {}
by_join = {}
opened = 0
for n in range(min(streams, joins)):
    s = socket.socket()
    s.bind((f"127.0.0.{2 + n // 20000}", 0))
    try:
        s.connect(("127.0.0.1", port))
    except OSError as e:
        print(f"stream {n}: {e}", flush=True); s.close(); break
    s.sendall(f"GET {path}/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer test:customer:{user(n)}\r\n"
              f"Accept: text/event-stream\r\n\r\n".encode())
    s.setblocking(False)
    selector.register(s, selectors.EVENT_READ, n)
    buffers[n] = b""
    opened += 1
print(f"streams: {opened} open", flush=True)
result("streams_open", opened)
stop_reading = threading.Event()
wanted = {join_ids[n]: n for n in range(opened) if n in join_ids}
def reader():
    while not stop_reading.is_set():
        for key, _ in selector.select(timeout=0.2):
            try:
                data = key.fileobj.recv(65536)
            except OSError:
                data = b""
            if not data:
                selector.unregister(key.fileobj); key.fileobj.close(); continue
            now = time.time()
            text = buffers[key.data] + data
            lines = text.split(b"\n")
            buffers[key.data] = lines[-1]
            for line in lines[:-1]:
                if line.startswith(b"data: ") and b'"admitted":[' in line:
                    try:
                        update = json.loads(line[6:])
                    except ValueError:
                        continue
                    for jid in update.get("admitted", []):
                        if jid in wanted and wanted[jid] == key.data and jid not in received:
                            received[jid] = now
threading.Thread(target=reader, daemon=True).start()
time.sleep(2)
rss_kib = 0
with open(f"/proc/{env['ADMITD_PID']}/status") as f:
    for line in f:
        if line.startswith("VmRSS:"): rss_kib = int(line.split()[1])
result("admitd_rss_mib_with_streams", round(rss_kib / 1024))

# --- status polls ----------------------------------------------------------------------------
polls = [0] * threads
deadline = time.time() + poll_seconds
def poller(t):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    i = t
    while time.time() < deadline:
        try:
            status, _ = request(conn, "GET", path, user(i % joins))
            if status == 200: polls[t] += 1
        except Exception:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i += threads
pool = [threading.Thread(target=poller, args=(t,)) for t in range(threads)]
for p in pool: p.start()
for p in pool: p.join()
result("polls_per_second", round(sum(polls) / poll_seconds))

# --- Redis memory per waiting user -----------------------------------------------------------
def redis(*args):
    return subprocess.run(["redis-cli", "-p", env["REDIS_PORT"], *args], capture_output=True,
                          text=True).stdout.strip()
tag = "queue:{" + schedule + "}:"
line_bytes = int(redis("MEMORY", "USAGE", tag + "line", "SAMPLES", "0") or 0)
seen_bytes = int(redis("MEMORY", "USAGE", tag + "seen", "SAMPLES", "0") or 0)
waiting = int(redis("ZCARD", tag + "line") or 0)
result("redis_waiting_users", waiting)
result("redis_bytes_per_waiting_user", round((line_bytes + seen_bytes) / max(1, waiting)))

# --- the sale starts: shuffle and admission ---------------------------------------------------
while time.time() < starts + 1: time.sleep(0.2)
def psql(sql):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", env["PG_PORT"], "-U", "postgres", "-X",
                           "-q", "-t", "-A", "-d", env["DB"], "-c", sql], capture_output=True,
                          text=True).stdout.strip()
# Keep everyone seen (the grace window) is not needed within ADMIT_SECONDS + the pre-queue time
# if it is under grace_seconds (120); the run says when it is not.
while psql("SELECT count(*) FROM queue.admissions") in ("", "0") and time.time() < starts + 30:
    time.sleep(0.2)
first = float(psql("SELECT extract(epoch FROM min(admitted_at)) FROM queue.admissions") or 0)
time.sleep(admit_seconds + 1.5)
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
stop_reading.set()
rows = psql("SELECT join_id, extract(epoch FROM admitted_at) FROM queue.admissions").splitlines()
latencies = sorted(received[j] - float(t) for j, t in (r.split("|") for r in rows) if j in received)
expected = sum(1 for r in rows if r.split("|")[0] in wanted)
result("streams_admitted", expected)
result("streams_told", len(latencies))
if latencies:
    result("admission_to_sse_p50_ms", round(latencies[len(latencies) // 2] * 1000))
    result("admission_to_sse_p99_ms", round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000))
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
