#!/usr/bin/env bash
# bench-startup.sh: how fast a killed admitd serves again (issue 20: "every instance serves
# /readyz within 2 s of its dependencies returning"), on a quiet machine.
#
#   scripts/bench startup
#
# One Release admitd of scripts/fleet (every plugin of the demo venue, its own PostgreSQL, Redis
# and payment simulator, under BUILD_DIR/run/startup) is killed with SIGKILL and restarted RESTARTS
# times (default 10). Per restart: the time from the exec of the new process (/proc/PID/stat) to its
# first /readyz 200 (polled every 5 ms), the CPU it used until then (utime + stime), and admitd's
# own account of its start (the phases of its "serving" line). Reference in the same run: the same
# binary validating the same venue file (`admitd --check-config`: process start, dynamic loading,
# configuration and plugin loading, without stores), exec to exit. Under load (two busy peers on
# 2 cores) the fault campaign measures the same thing: scripts/chaos, kinds kill-one and kill-all.
# BUSY=N (default 0) runs N CPU-bound processes beside the restarts and the reference, so a start
# competes for the 2 cores as it does beside a load; its phases show what contention stretches.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${ADMIT_BENCH_BUILD_DIR:-${BUILD_DIR:-$ROOT/build/bench}}"
RESTARTS="${RESTARTS:-10}"
BUSY="${BUSY:-0}"
[[ $BUSY =~ ^[0-9]+$ ]] || { echo "bench-startup: BUSY must be a number of processes" >&2; exit 1; }
RUNDIR="$BUILD_DIR/run/startup"
die() { echo "bench-startup: $*" >&2; exit 1; }

if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$BUILD_DIR" --target admitd auth arthall product queue reservation toss payment ticket \
    admit-pay-sim -j "${ADMIT_JOBS:-2}" >/dev/null
FLEET=("$ROOT/scripts/fleet")
BUSY_PIDS=()
cleanup() {
    ((${#BUSY_PIDS[@]} == 0)) || kill "${BUSY_PIDS[@]}" 2>/dev/null || true
    "${FLEET[@]}" down --dir "$RUNDIR" --build "$BUILD_DIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT
FLEET_LOG_LEVEL=info "${FLEET[@]}" up --dir "$RUNDIR" --build "$BUILD_DIR" --instances 1 --proxy none \
    --fresh >/dev/null || die "scripts/fleet up failed"
# shellcheck disable=SC1091
source "$RUNDIR/fleet.env"
PORT="${INSTANCE_PORTS%% *}"
LOG="$RUNDIR/instance-1/admitd.log"
TCK="$(getconf CLK_TCK)"

# Milliseconds since PID's exec, from its start time in clock ticks since boot.
age_ms() {
    awk -v tck="$TCK" -v up="$(cut -d' ' -f1 /proc/uptime)" '{ printf "%d", (up - $22 / tck) * 1000 }' \
        "/proc/$1/stat"
}
cpu_ms() { awk -v tck="$TCK" '{ printf "%d", ($14 + $15) * 1000 / tck }' "/proc/$1/stat"; }

for ((i = 0; i < BUSY; i++)); do
    sha256sum /dev/zero &
    BUSY_PIDS+=("$!")
done
echo "== $RESTARTS restarts after kill -9 (exec to the first /readyz 200; CPU until then)$( ((BUSY == 0)) ||
    echo ", beside $BUSY CPU-bound processes")"
ready=() cpu=() serving=()
for ((i = 1; i <= RESTARTS; i++)); do
    "${FLEET[@]}" instance kill 1 --dir "$RUNDIR" >/dev/null
    : >"$LOG"
    "${FLEET[@]}" instance spawn 1 --dir "$RUNDIR" >/dev/null
    pid="$(cat "$RUNDIR/instance-1/admitd.pid")"
    until curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/readyz"; do
        kill -0 "$pid" 2>/dev/null || die "admitd exited; see $LOG"
        sleep 0.005
    done
    ready+=("$(age_ms "$pid")") cpu+=("$(cpu_ms "$pid")")
    # When admitd itself says it serves (its log's timestamp), against the exec: what a prober
    # adds (its own scheduling, a curl process per poll under BUSY) is the difference.
    exec_ms=$(($(date +%s%3N) - ready[-1]))
    logged="$(sed -n 's/^\([0-9T:.-]*Z\) INFO admitd .* serving venue.*/\1/p' "$LOG" | tail -1)"
    serving+=("$(($(date -d "$logged" +%s%3N) - exec_ms))")
    slowest="$(sed -n 's/.*plugin \([a-z_]*\) started in \([0-9]*\) ms.*/\2 \1/p' "$LOG" | sort -n | tail -1)"
    echo "restart $i: ready ${ready[-1]} ms after exec (serving by its log ${serving[-1]} ms), CPU ${cpu[-1]} ms;$(sed -n 's/.*serving venue[^,]*,//p' "$LOG");" \
        "slowest plugin start: ${slowest#* } ${slowest%% *} ms"
done

echo "== reference: admitd --check-config of the same venue file (exec to exit)"
checks=()
for ((i = 1; i <= RESTARTS; i++)); do
    started="$(date +%s%N)"
    "$BUILD_DIR/host/runtime/admitd" --check-config "$RUNDIR/instance-1/venue.toml" >/dev/null 2>&1 ||
        die "admitd --check-config failed"
    checks+=("$(( ($(date +%s%N) - started) / 1000000 ))")
done
echo "check-config: ${checks[*]} ms"

p50() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
max() { printf '%s\n' "$@" | sort -n | tail -1; }
READY_P50="$(p50 "${ready[@]}")" READY_MAX="$(max "${ready[@]}")" CPU_P50="$(p50 "${cpu[@]}")"
SERVING_P50="$(p50 "${serving[@]}")" SERVING_MAX="$(max "${serving[@]}")"
CHECK_P50="$(p50 "${checks[@]}")"
echo
echo "== summary"
echo "restart to ready: p50 $READY_P50 ms, max $READY_MAX ms (goal: 2000 ms); CPU p50 $CPU_P50 ms"
echo "restart to serving by admitd's log: p50 $SERVING_P50 ms, max $SERVING_MAX ms"
echo "reference check-config p50 $CHECK_P50 ms; ratio restart/check-config $(awk -v a="$READY_P50" -v b="$CHECK_P50" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')"
echo "RESULT restarts=$RESTARTS busy=$BUSY ready_p50_ms=$READY_P50 ready_max_ms=$READY_MAX serving_p50_ms=$SERVING_P50 serving_max_ms=$SERVING_MAX cpu_p50_ms=$CPU_P50 check_config_p50_ms=$CHECK_P50"
((READY_MAX <= 2000)) || { echo "a restart took longer than 2 s" >&2; exit 1; }
