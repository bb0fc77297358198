#!/usr/bin/env bash
# bench-purchase.sh: full purchases (hold -> prepare -> the buyer approves at admit-pay-sim ->
# confirm -> reservation CONFIRMED -> tickets issued), issue 17's benchmark.
#
#   scripts/bench purchase
#
# 1. scripts/fleet up (under BUILD_DIR/run/purchase; the database and accounts survive runs):
#    INSTANCES admitd (default 1) with every plugin of the demo venue, a private PostgreSQL
#    (fsync and synchronous_commit on) and Redis, admit-pay-sim with its journal and signed
#    webhooks to admitd; PROXY=nginx (default: none with one instance) puts nginx in front;
#    EVENTS=kafka moves events through the Kafka mock broker instead of the inproc outbox.
# 2. Through the API: one general-admission schedule of GA_UNITS (100,000) units and one
#    1,000-seat schedule on sale; BUYERS real accounts (argon2id the first time, refreshed later).
# 3. Open-loop purchases (tests/load/purchase): SEAT_SHARE of them on the seated schedule (until
#    it sells out), the rest on general admission, at increasing offered rates (RATES, one phase
#    of PHASE_SECONDS each, stopping after the first phase that completes under 80% of its
#    offer); then at 70% of the best measured rate and at 70% of the goal (1,400/s), where the
#    confirm p99 goal applies. Between phases the platform drains (outbox, sagas, tickets).
# 4. Invariants from PostgreSQL and the simulator's ledger (scripts/lib/purchase_invariants.py):
#    no seat sold twice, every APPROVED payment has its tickets, no ticket without one, money per
#    order and in total, every acknowledged confirm has its tickets. Exit status 1 on any.
# 5. Reference in the same run: pgbench, single-row INSERT with a unique index, 16 clients,
#    fsync on, on the same PostgreSQL; the ratio purchases/s / inserts/s is printed.
# 6. The audit log (AUDIT=1, the default: every instance also loads the log plugin, which audits
#    every event, as the demo venue does): sampled every 0.5 s during each phase and until the
#    platform drained, its lag = the age of the oldest event queued for the log subscriber
#    (inproc), or when larger the newest event's publish time minus the newest audit entry's
#    recording time (0 when caught up; the latter alone misses events of keys another delivery
#    worker has not reached yet), and its backlog = events queued for the log subscriber. Per phase: the largest lag, the lag when the load stopped, how fast the backlog grew
#    during the phase (events/s, least squares; about 0 = keeping up) and how long after the load
#    the audit log caught up.
# 7. Per phase, the CPU each process spent per completed purchase from the load's start until the
#    platform drained (admitd, nginx, PostgreSQL with its backends, Redis, the simulator, the load
#    generator), and the rate all cores would sell at at that cost; STATEMENTS=1 adds PostgreSQL's
#    statements per purchase.
#
# Environment: BUILD_DIR (build/bench), INSTANCES (1), PROXY (none|nginx), EVENTS (inproc|kafka),
# BUYERS (2000), GA_UNITS (100000), RATES (50,100,250,500,1000,2000,3000), PHASE_SECONDS (5),
# SEAT_SHARE (0.05), CONNECTIONS (256), WORKERS (admitd handler threads, 64), GOAL_RUN (1; 0 skips
# the phase at 70% of the goal), AUDIT (1; 0: no log plugin, no audit figures), STATEMENTS (0; 1:
# PostgreSQL loads pg_stat_statements and each phase prints its statements per completed purchase,
# with execution and planning time, and the costliest of them).
# Rate limits and the tickets-per-buyer limit are lifted (scripts/fleet: one load generator stands
# for thousands of buyers); everything else is the production configuration.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${ADMIT_BENCH_BUILD_DIR:-${BUILD_DIR:-$ROOT/build/bench}}"
INSTANCES="${INSTANCES:-1}"
PROXY="${PROXY:-$([[ $INSTANCES == 1 ]] && echo none || echo nginx)}"
EVENTS="${EVENTS:-inproc}"
BUYERS="${BUYERS:-2000}"
GA_UNITS="${GA_UNITS:-100000}"
RATES="${RATES:-50,100,250,500,1000,2000,3000}"
PHASE_SECONDS="${PHASE_SECONDS:-5}"
SEAT_SHARE="${SEAT_SHARE:-0.05}"
CONNECTIONS="${CONNECTIONS:-256}"
WORKERS="${WORKERS:-64}"
GOAL_RUN="${GOAL_RUN:-1}" # 0 skips the phase at 70% of the goal (minutes of backlog on this machine)
AUDIT="${AUDIT:-1}"
STATEMENTS="${STATEMENTS:-0}"
[[ $STATEMENTS == 1 ]] && export ADMIT_PG_STATEMENTS=1 # scripts/lib/servers.sh
GOAL_RATE=2000
GOAL_P99_MS=100
RUNDIR="$BUILD_DIR/run/purchase"
OUT="$RUNDIR/run-$(date -u +%Y%m%dT%H%M%SZ)"

die() { echo "bench-purchase: $*" >&2; exit 1; }
for tool in psql pgbench curl python3 nginx; do command -v "$tool" >/dev/null || die "$tool is not installed"; done

if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DADMIT_BUILD_BENCH=ON >/dev/null
fi
TARGETS=(admitd auth arthall product queue reservation toss payment ticket admit-pay-sim purchase_load)
[[ $EVENTS == kafka ]] && TARGETS+=(kafka_mock_broker)
[[ $AUDIT == 1 ]] && TARGETS+=(log)
cmake --build "$BUILD_DIR" --target "${TARGETS[@]}" -j "${ADMIT_JOBS:-2}" >/dev/null
LOAD="$BUILD_DIR/bin/purchase_load"

FLEET=("$ROOT/scripts/fleet")
cleanup() { "${FLEET[@]}" down --dir "$RUNDIR" --build "$BUILD_DIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT
"${FLEET[@]}" up --dir "$RUNDIR" --build "$BUILD_DIR" --instances "$INSTANCES" --proxy "$PROXY" \
    --events "$EVENTS" --db purchase --workers "$WORKERS" $([[ $AUDIT == 1 ]] && echo --audit)
# shellcheck disable=SC1091
source "$RUNDIR/fleet.env"
# shellcheck disable=SC1091
source "$RUNDIR/passwords.env"
export FLEET_BUYER_PASSWORD
mkdir -p "$OUT"
PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -X -q -t -A -d purchase)
CLIENT_PORT="${FLEET_URL##*:}"
[[ $STATEMENTS == 1 ]] && "${PSQL[@]}" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null

# --- the sale, set up through the API -------------------------------------------------------------
API="$FLEET_URL/api/v1"
# shellcheck source=lib/bench_sale.sh
source "$ROOT/scripts/lib/bench_sale.sh"
# shellcheck source=lib/purchase_sale.sh
source "$ROOT/scripts/lib/purchase_sale.sh"
purchase_fleet_staff || die "the seller could not be approved"
purchase_sale "$SELLER" "$ADMIN" "$OUT" "$GA_UNITS" || die "the sale could not be set up"
# shellcheck disable=SC1091
source "$OUT/sale.env"
[[ "$(wc -l <"$OUT/seats.txt")" == 1000 ]] || die "the seated schedule does not have 1000 seats"

echo "== $BUYERS buyer accounts through the auth API (argon2id the first time; saved sessions are refreshed)"
# Two connections: auth admits at most two password checks per client address at once and
# refuses the rest with 429 (a third connection only collects refusals and burns retries).
"$LOAD" --mode provision --port "$CLIENT_PORT" --buyers "$BUYERS" --connections 2 \
    --password-env FLEET_BUYER_PASSWORD --email-prefix pbuyer --out "$RUNDIR/sessions.txt" || die "account provisioning failed"

# audit_sampler FILE: every 0.5 s, "unix-seconds lag-seconds backlog newest-event-id newest-seq"
# (see 6. above), until killed. Every part of it reads an index: the log's subscribers as a range
# of names, not LIKE 'log.%' (no index serves LIKE under this cluster's collation; the scan of
# event_deliveries took 65-165 ms, a third of a core at two samples a second).
audit_sampler() {
    while :; do
        "${PSQL[@]}" -c "SELECT extract(epoch FROM clock_timestamp()) || ' ' ||
            greatest(0, coalesce(extract(epoch FROM (SELECT published_at FROM admit.event_outbox ORDER BY id DESC LIMIT 1))
                - (SELECT max(recorded_us) FROM log.entries) / 1e6, 0),
                coalesce(extract(epoch FROM clock_timestamp() - (SELECT min(published_at) FROM admit.event_deliveries
                    WHERE subscriber >= 'log.' AND subscriber < 'log/')), 0)) || ' ' ||
            (SELECT count(*) FROM admit.event_deliveries WHERE subscriber >= 'log.' AND subscriber < 'log/') || ' ' ||
            coalesce((SELECT max(id) FROM admit.event_outbox), 0) || ' ' ||
            coalesce((SELECT max(seq) FROM log.entries), 0)" >>"$1" 2>/dev/null || true
        sleep 0.5
    done
}
# audit_summary FILE LOAD_START LOAD_END: "lag_max lag_end growth_per_s caught_up_after_s
# events_per_s entries_per_s" of a phase (the rates while the load ran).
audit_summary() {
    python3 - "$@" <<'PY'
import sys
samples = []
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 5:
        samples.append(tuple(float(x) for x in parts))
start, end = float(sys.argv[2]), float(sys.argv[3])
during = [s for s in samples if start <= s[0] <= end]
after = [s for s in samples if s[0] > end]
if not during:
    print("0 0 0 0 0 0"); sys.exit()
lag_max = max(s[1] for s in during)
lag_end = during[-1][1]
n = len(during)
mt = sum(s[0] for s in during) / n
mb = sum(s[2] for s in during) / n
var = sum((s[0] - mt) ** 2 for s in during)
growth = sum((s[0] - mt) * (s[2] - mb) for s in during) / var if var > 0 else 0.0
caught = next((s[0] - end for s in after if s[1] == 0 and s[2] == 0), -1)
span = during[-1][0] - during[0][0]
events = (during[-1][3] - during[0][3]) / span if span > 0 else 0
entries = (during[-1][4] - during[0][4]) / span if span > 0 else 0
print("%.2f %.2f %.1f %.1f %.0f %.0f" % (lag_max, lag_end, growth, caught, events, entries))
PY
}

# --- CPU per completed purchase, per process -------------------------------------------------------
# shellcheck source=lib/process_cpu.sh
source "$ROOT/scripts/lib/process_cpu.sh"
# cpu_snapshot: "admitd nginx postgres redis simulator kafka" CPU seconds (every instance together).
cpu_snapshot() {
    local admitd=() f
    for f in "$RUNDIR"/instance-*/admitd.pid; do admitd+=("$(pid_in "$f")"); done
    echo "$(process_cpu_seconds "${admitd[@]}") $(process_cpu_seconds "$(pid_in "$RUNDIR/nginx/nginx.pid")")" \
        "$(process_cpu_seconds "$(pid_in "$RUNDIR/pg/data/postmaster.pid")")" \
        "$(process_cpu_seconds "$(pid_in "$RUNDIR/redis/redis.pid")")" \
        "$(process_cpu_seconds "$(pid_in "$RUNDIR/paysim/sim.pid")")" \
        "$(process_cpu_seconds "$(pid_in "$RUNDIR/kafka/broker.pid")")"
}
# cpu_per_purchase BEFORE AFTER LOAD_CPU_SECONDS PURCHASES RATE: prints where a completed
# purchase's CPU went, from the load's start until the platform drained, and its RESULT fields.
cpu_per_purchase() {
    awk -v b="$1" -v a="$2" -v load="$3" -v n="$4" -v rate="$5" -v cores="$(nproc)" 'BEGIN {
        if (n <= 0) exit;
        split(b, x, " "); split(a, y, " ");
        split("admitd nginx postgres redis simulator kafka", name, " ");
        line = ""; total = 0;
        for (i = 1; i <= 6; i++) {
            ms[i] = (y[i] - x[i]) * 1000 / n; total += ms[i];
            if (ms[i] > 0.005 || i == 1 || i == 3) line = line sprintf("%s %.2f ms, ", name[i], ms[i]);
        }
        lg = load * 1000 / n; total += lg;
        printf "  CPU per completed purchase (load start to drained): %sload generator %.2f ms = %.2f ms; all cores (%d) at that cost: %.0f purchases/s\n",
            line, lg, total, cores, cores * 1000 / total;
        printf "RESULT rate_%s_cpu_ms_per_purchase=%.3f rate_%s_cpu_ms_admitd=%.3f rate_%s_cpu_ms_postgres=%.3f rate_%s_cpu_ms_redis=%.3f rate_%s_cpu_ms_simulator=%.3f rate_%s_cpu_ms_nginx=%.3f rate_%s_cpu_ms_kafka=%.3f rate_%s_cpu_ms_load=%.3f\n",
            rate, total, rate, ms[1], rate, ms[3], rate, ms[4], rate, ms[5], rate, ms[2], rate, ms[6], rate, lg }'
}

# statements_per_purchase PURCHASES: this database's statements since the phase began
# (pg_stat_statements, reset then), per completed purchase: how many ran and were planned, their
# execution and planning time, and the six costliest.
statements_per_purchase() {
    local stats="SELECT calls, plans, total_exec_time AS e, total_plan_time AS p,
        left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS q FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
    "${PSQL[@]}" -c "SELECT format('  PostgreSQL per completed purchase: %s statements, %s planned; %s ms executing, %s ms planning',
        round(sum(calls) / $1, 1), round(sum(plans) / $1, 1), round((sum(e) / $1)::numeric, 2),
        round((sum(p) / $1)::numeric, 2)) FROM ($stats) s"
    "${PSQL[@]}" -c "SELECT format('    %s ms in %s calls: %s', round(((e + p) / $1)::numeric, 3),
        round(calls::numeric / $1, 2), q) FROM ($stats) s ORDER BY e + p DESC LIMIT 6"
}

RUN_ID="p$(date +%s)"
ACKS="$OUT/acks.txt"
PHASE=0
# purchases RATE SECONDS: one phase; prints the driver's report and leaves its RESULT line in LAST.
purchases() {
    PHASE=$((PHASE + 1))
    purchase_wait_quiet "${PSQL[@]}" -- 300 || die "the platform did not drain before phase $PHASE"
    local since report
    since="$("${PSQL[@]}" -c "SELECT now()")"
    local sampler="" samples="$OUT/audit-phase-$PHASE.txt" load_start load_end
    if [[ $AUDIT == 1 ]]; then
        : >"$samples"
        audit_sampler "$samples" &
        sampler=$!
    fi
    local cpu_before load_time="$OUT/load-cpu-$PHASE.txt" TIMEFORMAT='%U %S'
    [[ $STATEMENTS == 1 ]] && "${PSQL[@]}" -c "SELECT pg_stat_statements_reset()" >/dev/null
    cpu_before="$(cpu_snapshot)"
    load_start=$(date +%s.%N)
    # `time` reports the load generator's own CPU to load_time; its stderr stays on ours (fd 3).
    report="$( { time "$LOAD" --port "$CLIENT_PORT" --sim-port "$SIM_PORT" --tokens "$RUNDIR/sessions.txt" \
        --ga-schedule "$GA_SCHEDULE" --ga-grade "$GA_GRADE" --seat-schedule "$SEAT_SCHEDULE" \
        --seat-ids "$OUT/seats.txt" --seat-share "$SEAT_SHARE" --rates "$1" --phase-seconds "$2" \
        --connections "$CONNECTIONS" --sim-connections 64 --run-id "$RUN_ID-$PHASE" --seed "$PHASE" \
        --acks "$ACKS" 2>&3; } 3>&2 2>"$load_time")" || { [[ -n $sampler ]] && kill "$sampler"; die "the load generator failed"; }
    load_end=$(date +%s.%N)
    echo "$report" | grep -v '^RESULT'
    LAST="$(grep '^RESULT' <<<"$report" | sed 's/phase1_//g')"
    # Completed purchases: tickets issued for this phase's reservations, over the time from the
    # phase's first hold to its last ticket (after the platform drained).
    purchase_wait_quiet "${PSQL[@]}" -- 300 || die "the platform did not drain after phase $PHASE"
    AUDIT_LAG=""
    if [[ -n $sampler ]]; then
        sleep 1  # a sample after the drain
        kill "$sampler" 2>/dev/null || true
        wait "$sampler" 2>/dev/null || true
        AUDIT_LAG="$(audit_summary "$samples" "$load_start" "$load_end")"
        read -r AUDIT_LAG_MAX AUDIT_LAG_END AUDIT_GROWTH AUDIT_CAUGHT_UP AUDIT_EVENTS AUDIT_ENTRIES <<<"$AUDIT_LAG"
        echo "  audit log: events published ${AUDIT_EVENTS}/s, audit entries written ${AUDIT_ENTRIES}/s during the load; lag max ${AUDIT_LAG_MAX} s, ${AUDIT_LAG_END} s when the load stopped; backlog grew ${AUDIT_GROWTH} events/s; caught up ${AUDIT_CAUGHT_UP} s after the load"
    fi
    TICKETS="$("${PSQL[@]}" -c "SELECT count(*) || ' ' || coalesce(round(extract(epoch FROM max(t.created_at) - min(r.created_at))::numeric, 3), 0)
        FROM reservation.reservations r JOIN ticket.tickets t ON t.reservation_id = r.id
        WHERE r.created_at >= '$since' AND r.schedule_id IN ('$GA_SCHEDULE', '$SEAT_SCHEDULE')")"
    TICKETS_PER_S="$(awk -v t="$TICKETS" 'BEGIN { split(t, x, " "); printf "%.1f", (x[2] > 0 ? x[1] / x[2] : 0) }')"
    echo "  tickets issued: ${TICKETS%% *} in ${TICKETS##* } s (first hold to last ticket) = $TICKETS_PER_S completed purchases/s"
    CPU_LINE="$(cpu_per_purchase "$cpu_before" "$(cpu_snapshot)" "$(awk '{ print $1 + $2 }' "$load_time")" "${TICKETS%% *}" "$1")"
    grep -v '^RESULT' <<<"$CPU_LINE" || true
    if [[ $STATEMENTS == 1 && ${TICKETS%% *} -gt 0 ]]; then statements_per_purchase "${TICKETS%% *}"; fi
}
field() { sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p" <<<" $2"; }

echo
echo "== warm-up (100 purchases/s for 2 s)"
purchases 100 2 >/dev/null

echo
echo "== offered rates $RATES purchases/s, $PHASE_SECONDS s each (${INSTANCES} instance(s), proxy $PROXY, events $EVENTS)"
BEST=0 BEST_RATE=0 STEPS="" AUDIT_BEST=""
IFS=',' read -r -a RATE_LIST <<<"$RATES"
for rate in "${RATE_LIST[@]}"; do
    echo
    echo "-- offered $rate purchases/s"
    purchases "$rate" "$PHASE_SECONDS"
    done_per_s="$TICKETS_PER_S"
    STEPS+="$rate:$done_per_s:$(field confirm_p99_ms "$LAST") "
    grep '^RESULT' <<<"$CPU_LINE" || true
    echo "RESULT rate_${rate}_completed_per_s=$done_per_s rate_${rate}_approved_per_s=$(field purchases_per_s "$LAST") rate_${rate}_confirm_p50_ms=$(field confirm_p50_ms "$LAST") rate_${rate}_confirm_p99_ms=$(field confirm_p99_ms "$LAST")"
    [[ -n $AUDIT_LAG ]] && echo "RESULT rate_${rate}_audit_lag_max_s=$AUDIT_LAG_MAX rate_${rate}_audit_lag_end_s=$AUDIT_LAG_END rate_${rate}_audit_backlog_growth_per_s=$AUDIT_GROWTH rate_${rate}_audit_caught_up_after_s=$AUDIT_CAUGHT_UP rate_${rate}_events_per_s=$AUDIT_EVENTS rate_${rate}_audit_entries_per_s=$AUDIT_ENTRIES"
    if awk -v a="$done_per_s" -v b="$BEST" 'BEGIN { exit !(a > b) }'; then BEST="$done_per_s"; BEST_RATE="$rate"; AUDIT_BEST="$AUDIT_LAG"; fi
    awk -v a="$done_per_s" -v r="$rate" 'BEGIN { exit !(a < 0.8 * r) }' && break
done

SEVENTY="$(awk -v b="$BEST" 'BEGIN { printf "%d", b * 0.7 }')"
((SEVENTY >= 1)) || SEVENTY=1
echo
echo "== 70% of the best measured rate: $SEVENTY purchases/s for 10 s"
purchases "$SEVENTY" 10
P99_70="$(field confirm_p99_ms "$LAST")" P50_70="$(field confirm_p50_ms "$LAST")" DONE_70="$TICKETS_PER_S"
AUDIT_70="$AUDIT_LAG"
GOAL70=$((GOAL_RATE * 7 / 10))
P99_GOAL=0 P50_GOAL=0 DONE_GOAL=0
if [[ $GOAL_RUN == 1 ]]; then
    echo
    echo "== 70% of the ${GOAL_RATE}/s goal: $GOAL70 purchases/s for $PHASE_SECONDS s (where the p99 goal applies)"
    purchases "$GOAL70" "$PHASE_SECONDS"
    P99_GOAL="$(field confirm_p99_ms "$LAST")" P50_GOAL="$(field confirm_p50_ms "$LAST")" DONE_GOAL="$TICKETS_PER_S"
fi

curl -fs "$FLEET_URL/metrics" >"$OUT/metrics.txt" || true

echo
echo "== invariants (PostgreSQL and the simulator's ledger)"
purchase_wait_quiet "${PSQL[@]}" -- 300 || echo "the platform did not drain in 5 minutes: unresolved payments are reported below"
set +e
python3 "$ROOT/scripts/lib/purchase_invariants.py" --pg-port "$PG_PORT" --db purchase --sim-port "$SIM_PORT" \
    --schedules "$GA_SCHEDULE,$SEAT_SCHEDULE" --acks "$ACKS"
INVARIANTS=$?
set -e
SOLD_SEATS="$("${PSQL[@]}" -c "SELECT count(*) FROM ticket.tickets WHERE schedule_id = '$SEAT_SCHEDULE' AND status = 'ISSUED'")"
SOLD_GA="$("${PSQL[@]}" -c "SELECT count(*) FROM ticket.tickets WHERE schedule_id = '$GA_SCHEDULE' AND status = 'ISSUED'")"
echo "  tickets issued: $SOLD_SEATS of 1000 seats, $SOLD_GA of $GA_UNITS GA units"

echo
echo "== reference (same PostgreSQL, same run): pgbench single-row INSERT, unique index, 16 clients, fsync on"
"${PSQL[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'insert_ref'" | grep -q 1 ||
    "${PSQL[@]}" -d postgres -c "CREATE DATABASE insert_ref" >/dev/null
"${PSQL[@]}" -d insert_ref -c "DROP TABLE IF EXISTS insert_ref; CREATE TABLE insert_ref (id bigserial PRIMARY KEY, payload text NOT NULL)" >/dev/null
echo "INSERT INTO insert_ref (payload) VALUES ('purchase reference');" >"$OUT/insert_ref.sql"
INSERT_TPS="$(pgbench -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -c 16 -j 2 -T 5 -f "$OUT/insert_ref.sql" insert_ref 2>/dev/null |
    sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)"
echo "  single-row INSERT: ${INSERT_TPS:-?} tps"

echo
echo "== summary ($(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); load generator and simulator on the same cores)"
echo "  by offered rate (offered:completed/s:confirm p99 ms): $STEPS"
awk -v best="$BEST" -v br="$BEST_RATE" -v goal="$GOAL_RATE" -v gp="$GOAL_P99_MS" -v s="$SEVENTY" -v p99s="$P99_70" \
    -v g70="$GOAL70" -v p99g="$P99_GOAL" -v ins="${INSERT_TPS:-0}" 'BEGIN {
    printf "  completed purchases/s (tickets issued): %.0f at offered %d/s   goal >= %d: %s\n", best, br, goal, (best >= goal ? "met" : "NOT met");
    if (p99g > 0) printf "  confirm p99 at 70%% of the goal (%d/s): %.1f ms   goal < %d ms: %s\n", g70, p99g, gp, (p99g < gp && best >= g70 ? "met" : "NOT met");
    else printf "  confirm p99 at 70%% of the goal (%d/s): not run (GOAL_RUN=0)\n", g70;
    printf "  confirm p99 at 70%% of the measured rate (%d/s): %.1f ms (< %d ms: %s)\n", s, p99s, gp, (p99s < gp ? "yes" : "no");
    if (ins > 0) printf "  purchases/s / single-row INSERT tps: %.3f (a purchase: 4 HTTP requests, a provider call, several transactions and events)\n", best / ins;
}'
# audit_line LABEL "lag_max lag_end growth caught_up events/s entries/s"
audit_line() {
    local lag_max lag_end growth caught events entries
    read -r lag_max lag_end growth caught events entries <<<"$2"
    echo "  audit log $1: $events events/s published, $entries audit entries/s written; lag max $lag_max s, $lag_end s at the end of the load; backlog growth $growth events/s; caught up $caught s after the load"
}
if [[ $AUDIT == 1 ]]; then
    audit_line "at the best rate (offered $BEST_RATE/s)" "$AUDIT_BEST"
    audit_line "at 70% of the measured rate ($SEVENTY/s, 10 s)" "$AUDIT_70"
    read -r A_LAG_MAX A_LAG_END A_GROWTH A_CAUGHT A_EVENTS A_ENTRIES <<<"$AUDIT_BEST"
    echo "RESULT audit_lag_max_at_best_s=$A_LAG_MAX audit_lag_end_at_best_s=$A_LAG_END audit_backlog_growth_at_best_per_s=$A_GROWTH audit_caught_up_after_best_s=$A_CAUGHT events_per_s_at_best=$A_EVENTS audit_entries_per_s_at_best=$A_ENTRIES"
    read -r A_LAG_MAX A_LAG_END A_GROWTH A_CAUGHT A_EVENTS A_ENTRIES <<<"$AUDIT_70"
    echo "RESULT audit_lag_max_at_70pct_measured_s=$A_LAG_MAX audit_lag_end_at_70pct_measured_s=$A_LAG_END audit_backlog_growth_at_70pct_measured_per_s=$A_GROWTH audit_caught_up_after_70pct_measured_s=$A_CAUGHT events_per_s_at_70pct_measured=$A_EVENTS audit_entries_per_s_at_70pct_measured=$A_ENTRIES"
fi
echo "RESULT completed_per_s=$BEST best_offered=$BEST_RATE goal_per_s=$GOAL_RATE confirm_p99_at_70pct_goal_ms=$P99_GOAL confirm_p50_at_70pct_goal_ms=$P50_GOAL completed_at_70pct_goal=$DONE_GOAL goal_p99_ms=$GOAL_P99_MS"
echo "RESULT rate_70pct_measured=$SEVENTY confirm_p99_at_70pct_measured_ms=$P99_70 confirm_p50_at_70pct_measured_ms=$P50_70 completed_at_70pct_measured=$DONE_70"
echo "RESULT insert_ref_tps=${INSERT_TPS:-0} ratio_to_insert=$(awk -v b="$BEST" -v i="${INSERT_TPS:-0}" 'BEGIN { printf "%.4f", (i > 0 ? b / i : 0) }')"
echo "RESULT instances=$INSTANCES proxy=$PROXY events=$EVENTS invariants_ok=$([[ $INVARIANTS == 0 ]] && echo 1 || echo 0) load_average=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ',')"
[[ $INVARIANTS == 0 ]] || die "invariant violated (see above)"
