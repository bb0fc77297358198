#!/usr/bin/env bash
# bench-checkin.sh: the check-in benchmark (issue 18). GATES gate clients (wrk connections) check
# in TICKETS tickets of one schedule, each ticket scanned at two gates at once (its code is sent
# twice in a row); every check-in is verified (venue signature) and admitted by one conditional
# UPDATE. Then, from PostgreSQL: every ticket USED exactly once and one ticket.checked_in event
# per ticket; from the answers: exactly TICKETS x 200 and TICKETS x 409 ALREADY_USED, nothing
# else. Exit 1 on any violation.
#
#   scripts/bench checkin            (TICKETS=100000 GATES=20)
#   TICKETS=20000 scripts/bench checkin
#
# Setup: private PostgreSQL/Redis (BUILD_DIR/run/checkin, a fresh database each run); admitd with
# test_auth (a staff bearer token without JWT cost: auth's verification is measured by
# scripts/bench auth), ticket and hello; the venue signing key in ADMIT_TICKET_SIGNING_KEY (fresh
# each run); the tickets COPYed straight into ticket.tickets with static codes made by
# bench_checkin_codes with the same key (static codes: a rotating code changes every 30 s).
# Reference in the same run: the bare admitd route GET /api/v1/hello (hello plugin), same wrk
# shape, DURATION_REF long.
# Environment: BUILD_DIR (build/bench), TICKETS (100000), GATES (20), THREADS (2, wrk threads),
# WORKERS (admitd handler threads, 32), POOL (PostgreSQL pool, 32), DURATION_REF (10s),
# SKIP_BUILD (1: use BUILD_DIR as it is), MAX_DURATION (wrk's -d, a cap: 900s), CHECKIN_WRITERS
# and CHECKIN_BATCH_MAX ([plugin.ticket] checkin_writers / checkin_batch_max; the plugin's
# defaults when unset).
# The run is timed from wrk's start to the last answer (wrk's threads mark their end in files).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${ADMIT_BENCH_BUILD_DIR:-${BUILD_DIR:-$ROOT/build/bench}}"
TICKETS="${TICKETS:-100000}"
GATES="${GATES:-20}"
THREADS="${THREADS:-2}"
WORKERS="${WORKERS:-32}"
POOL="${POOL:-32}"
DURATION_REF="${DURATION_REF:-10s}"
mkdir -p "$BUILD_DIR"
BUILD_DIR="$(cd "$BUILD_DIR" && pwd)"
RUNDIR="$BUILD_DIR/run/checkin"
DB="checkin_bench"
SCHEDULE="sch_bench_checkin"

die() { echo "bench-checkin: $*" >&2; exit 1; }
for tool in wrk psql curl python3; do command -v "$tool" >/dev/null || die "$tool is not installed"; done

if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DADMIT_BUILD_TESTS=ON \
        -DADMIT_BUILD_BENCH=ON >/dev/null
fi
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    cmake --build "$BUILD_DIR" --target admitd ticket test_auth hello bench_checkin_codes \
        -j "${ADMIT_JOBS:-2}" >/dev/null
fi
ADMITD="$BUILD_DIR/host/runtime/admitd"
CODES_TOOL="$(find "$BUILD_DIR" -name bench_checkin_codes -type f -perm -u+x | head -1)"
[[ -x "$CODES_TOOL" ]] || die "bench_checkin_codes was not built"

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

# A fresh venue key for this run (never stored outside the run directory).
ADMIT_TICKET_SIGNING_KEY="$(python3 -c 'import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("="))')"
export ADMIT_TICKET_SIGNING_KEY

ADMIT_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
VENUE="$RUNDIR/venue.toml"
cat >"$VENUE" <<TOML
defaults = "$ROOT/config/admitd.toml"
[venue]
id = "checkin-bench"
name = "Check-in bench"
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
load = ["test_auth", "ticket", "hello"]
[policies]
dir = "$ROOT/policies"
[policies.overrides]
ratelimits = "$ROOT/config/venues/bench-policies/ratelimits.lua"
[plugin.ticket]
${CHECKIN_WRITERS:+checkin_writers = $CHECKIN_WRITERS}
${CHECKIN_BATCH_MAX:+checkin_batch_max = $CHECKIN_BATCH_MAX}
[database]
url = "postgresql://postgres@127.0.0.1:$PG_PORT/$DB"
pool_size = $POOL
[redis]
host = "127.0.0.1"
port = $REDIS_PORT
TOML
"$ADMITD" --config "$VENUE" >"$RUNDIR/admitd.log" 2>&1 &
ADMITD_PID=$!
for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$ADMIT_PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$ADMITD_PID" 2>/dev/null || { tail -20 "$RUNDIR/admitd.log"; die "admitd exited"; }
    sleep 0.1
done
curl -fs "http://127.0.0.1:$ADMIT_PORT/readyz" >/dev/null || die "admitd is not ready (see $RUNDIR/admitd.log)"

# --- the tickets, straight into PostgreSQL ---------------------------------------------------------
NOW="$(date +%s)"
FROM=$((NOW - 3600)) UNTIL=$((NOW + 6 * 3600))
echo "generating $TICKETS tickets and their codes"
"$CODES_TOOL" "$TICKETS" "$SCHEDULE" "$FROM" "$UNTIL" "$RUNDIR/tickets.csv" "$RUNDIR/codes.txt"
"${PSQL[@]}" -d "$DB" >/dev/null <<SQL
INSERT INTO ticket.schedules (schedule_id, product_id, seller_id, title, starts_at, valid_from, valid_until)
VALUES ('$SCHEDULE', 'prd_bench', 'usr_seller', 'Check-in bench', to_timestamp($NOW), to_timestamp($FROM), to_timestamp($UNTIL));
CREATE TEMP TABLE load (id text, reservation_id text, unit_key text, schedule_id text, product_id text,
  user_id text, seat_id text, seat_label text, status text, issue int, kid text, signed_ticket text,
  ticket_seed text, static_code text, valid_from bigint, valid_until bigint);
\\copy load FROM '$RUNDIR/tickets.csv' WITH (FORMAT csv)
INSERT INTO ticket.tickets (id, reservation_id, unit_key, schedule_id, product_id, user_id, seat_id,
  seat_label, status, issue, kid, signed_ticket, ticket_seed, static_code, valid_from, valid_until,
  created_at, updated_at)
SELECT id, reservation_id, unit_key, schedule_id, product_id, user_id, seat_id, seat_label, status,
  issue, kid, signed_ticket, ticket_seed, static_code, to_timestamp(valid_from),
  to_timestamp(valid_until), now(), now() FROM load;
-- The gate staff works where an admin assigned them (staff_scope "assigned", the default).
INSERT INTO ticket.staff_schedules (user_id, schedule_id, assigned_by, assigned_at)
VALUES ('usr_gate_bench', '$SCHEDULE', 'usr_admin_bench', now());
ANALYZE ticket.tickets;
SQL
loaded="$("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM ticket.tickets WHERE status = 'ISSUED'")"
[[ "$loaded" == "$TICKETS" ]] || die "loaded $loaded tickets, expected $TICKETS"

# --- the race: GATES connections, every ticket twice at once ------------------------------------
echo "wrk -t$THREADS -c$GATES: $TICKETS tickets, each scanned at two gates"
# cpu_ticks PID: user+system clock ticks the process has used so far (steadier than rates when
# the machine is shared: admitd's CPU time per check-in).
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# PostgreSQL's ticks: the postmaster with its reaped children (cutime, cstime) and the live
# backends and background workers (the pool keeps its backends for the whole run).
PG_MAIN="$(head -1 "$RUNDIR/pg/data/postmaster.pid" 2>/dev/null || true)"
pg_ticks() {
    [[ -n "$PG_MAIN" ]] || { echo 0; return; }
    local total
    total="$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$PG_MAIN/stat")"
    for child in $(pgrep -P "$PG_MAIN"); do
        total=$((total + $(cpu_ticks "$child" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
CPU_BEFORE="$(cpu_ticks "$ADMITD_PID")"
PG_BEFORE="$(pg_ticks)"
MARKERS="$RUNDIR/markers"
rm -rf "$MARKERS"; mkdir -p "$MARKERS"
START_NS="$(date +%s%N)"
wrk -t"$THREADS" -c"$GATES" -d"${MAX_DURATION:-900s}" --timeout 10s --latency -s "$ROOT/scripts/lib/checkin.lua" \
    "http://127.0.0.1:$ADMIT_PORT" -- "$RUNDIR/codes.txt" "$THREADS" "test:staff:usr_gate_bench" \
    "$MARKERS" >"$RUNDIR/wrk.out" 2>&1 &
WRK_PID=$!
# Every wrk thread writes its marker once all its check-ins are answered.
while kill -0 "$WRK_PID" 2>/dev/null && (($(find "$MARKERS" -name 'done-*' | wc -l) < THREADS)); do
    sleep 0.1
done
END_NS="$(date +%s%N)"
CPU_AFTER="$(cpu_ticks "$ADMITD_PID")"
PG_AFTER="$(pg_ticks)"
WRK_TICKS="$(cpu_ticks "$WRK_PID" 2>/dev/null || echo 0)"
kill -INT "$WRK_PID" 2>/dev/null || true
wait "$WRK_PID" || true
OUT="$(cat "$RUNDIR/wrk.out")"
echo "$OUT" | grep -E 'CHECKIN|Requests/sec|Latency' || true
LINE="$(grep '^CHECKIN' <<<"$OUT")" || die "wrk printed no CHECKIN line"
field() { sed -n "s/.*$1=\\([^ ]*\\).*/\\1/p" <<<"$LINE"; }
ADMITTED="$(field admitted)" USED="$(field already_used)" OTHER="$(field other)"
P99="$(field p99_ms)" P50="$(field p50_ms)"
SECONDS_RUN="$(awk -v a="$START_NS" -v b="$END_NS" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
CPU_US="$(awk -v t=$((CPU_AFTER - CPU_BEFORE)) -v hz="$(getconf CLK_TCK)" -v n=$((2 * TICKETS)) \
    'BEGIN { printf "%.1f", t / hz * 1e6 / n }')"
per_checkin() {
    awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n=$((2 * TICKETS)) 'BEGIN { printf "%.1f", t / hz * 1e6 / n }'
}
PG_US="$(per_checkin $((PG_AFTER - PG_BEFORE)))"
WRK_US="$(per_checkin "$WRK_TICKS")"
RATE="$(awk -v n=$((ADMITTED + USED + OTHER)) -v s="$SECONDS_RUN" 'BEGIN { printf "%.0f", n / s }')"

# --- invariants from PostgreSQL -----------------------------------------------------------------
DB_USED="$("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM ticket.tickets WHERE status = 'USED'")"
DB_EVENTS="$("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM admit.event_outbox WHERE topic = 'ticket.checked_in'")"
DB_TWICE="$("${PSQL[@]}" -d "$DB" -c "SELECT count(*) FROM (SELECT payload::jsonb->>'ticketId' AS t FROM admit.event_outbox WHERE topic = 'ticket.checked_in' GROUP BY 1 HAVING count(*) > 1) x")"

# --- reference: the bare admitd route, same client shape -----------------------------------------
REF="$(wrk -t"$THREADS" -c"$GATES" -d"$DURATION_REF" --latency "http://127.0.0.1:$ADMIT_PORT/api/v1/hello")"
REF_RPS="$(awk '/^Requests\/sec:/ {print $2}' <<<"$REF")"
REF_P99="$(awk '$1 == "99%" {v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 } printf "%.2f", v}' <<<"$REF")"

# Whether admissions updated the ticket rows in place (HOT, 006_hot_checkin.sql): read after the
# reference run, by when every backend has flushed its statistics.
HOT="$("${PSQL[@]}" -d "$DB" -c "SELECT n_tup_hot_upd || ' of ' || n_tup_upd FROM pg_stat_user_tables WHERE relid = 'ticket.tickets'::regclass")"

echo "check-ins: $RATE/s over ${SECONDS_RUN}s, p50 ${P50} ms, p99 ${P99} ms; admitted $ADMITTED, ALREADY_USED $USED, other $OTHER"
echo "cpu per check-in (user+system): admitd $CPU_US us, PostgreSQL $PG_US us, wrk $WRK_US us"
echo "PostgreSQL: USED $DB_USED of $TICKETS, ticket.checked_in events $DB_EVENTS, tickets with two events $DB_TWICE"
echo "reference GET /api/v1/hello: $REF_RPS req/s, p99 $REF_P99 ms"
echo "ticket rows updated in place (HOT): $HOT"
echo "RESULT tickets=$TICKETS"
echo "RESULT gates=$GATES"
echo "RESULT checkins_per_s=$RATE"
echo "RESULT p50_ms=$P50"
echo "RESULT p99_ms=$P99"
echo "RESULT admitd_cpu_us_per_checkin=$CPU_US"
echo "RESULT postgres_cpu_us_per_checkin=$PG_US"
echo "RESULT wrk_cpu_us_per_checkin=$WRK_US"
echo "RESULT admitted=$ADMITTED"
echo "RESULT already_used=$USED"
echo "RESULT other=$OTHER"
echo "RESULT db_used=$DB_USED"
echo "RESULT db_checked_in_events=$DB_EVENTS"
echo "RESULT hot_updates=${HOT%% of*}"
echo "RESULT row_updates=${HOT##*of }"
echo "RESULT reference=admitd_hello_route"
echo "RESULT reference_rps=$REF_RPS"
echo "RESULT reference_p99_ms=$REF_P99"
awk -v t="$RATE" -v b="$REF_RPS" 'BEGIN { printf "RESULT ratio_rps=%.3f\n", t / b }'

status=0
[[ "$ADMITTED" == "$TICKETS" ]] || { echo "VIOLATION: $ADMITTED check-ins admitted, expected $TICKETS" >&2; status=1; }
[[ "$USED" == "$TICKETS" ]] || { echo "VIOLATION: $USED ALREADY_USED answers, expected $TICKETS" >&2; status=1; }
[[ "$OTHER" == 0 ]] || { echo "VIOLATION: $OTHER other answers" >&2; status=1; }
[[ "$DB_USED" == "$TICKETS" ]] || { echo "VIOLATION: $DB_USED tickets USED in PostgreSQL, expected $TICKETS" >&2; status=1; }
[[ "$DB_EVENTS" == "$TICKETS" && "$DB_TWICE" == 0 ]] || { echo "VIOLATION: $DB_EVENTS checked_in events ($DB_TWICE tickets twice)" >&2; status=1; }
exit "$status"
