#!/usr/bin/env bash
# bench-http.sh: compares an HTTP route against the bare Beast reference server with wrk, in one run.
#
#   scripts/bench-http.sh                # default: admitd (benchmark venue, real PostgreSQL and
#                                        # Redis, all guards on) serving the hello plugin's
#                                        # GET /api/v1/hello through the plugin ABI
#   scripts/bench-http.sh URL            # URL of a route already being served
#   scripts/bench-http.sh [echo [ARGS]]  # start http_echo_server ARGS (e.g. --inline) and bench
#                                        # its /bench route: admit::http::Server with a trivial handler
#
# Builds bare_beast_server and http_echo_server in a Release tree with ADMIT_BUILD_BENCH=ON
# (ADMIT_BENCH_BUILD_DIR or BUILD_DIR, default build/bench; an existing tree is reused as it is).
# Environment: DURATION (10s), CONNECTIONS (100), THREADS (2), BARE_PORT (18080), ECHO_PORT
# (18081), TARGET_PID (pid of the URL's server, to report its CPU cost; set for echo).
# Prints req/s and p99 latency of each, and target/bare as a ratio. Also prints each server's CPU
# time per request (user+system from /proc): steadier than req/s when the machine is shared.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${ADMIT_BENCH_BUILD_DIR:-${BUILD_DIR:-$ROOT/build/bench}}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-100}"
THREADS="${THREADS:-2}"
BARE_PORT="${BARE_PORT:-18080}"
ECHO_PORT="${ECHO_PORT:-18081}"

case "${1:-}" in -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0;; esac
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DADMIT_BUILD_TESTS=ON \
        -DADMIT_BUILD_BENCH=ON >/dev/null
fi
cmake --build "$BUILD_DIR" --target bare_beast_server http_echo_server -j "${ADMIT_JOBS:-2}" >/dev/null
BARE="$BUILD_DIR/tests/load/bare_beast_server"
ECHO="$BUILD_DIR/tests/load/http_echo_server"

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

# wait_port PORT: until something accepts on 127.0.0.1:PORT (5 s at most).
wait_port() {
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    echo "nothing listens on port $1" >&2
    exit 1
}

# cpu_ticks PID: user+system clock ticks the process has used so far (0 when unknown).
cpu_ticks() {
    if [[ -n "${1:-}" && -r "/proc/$1/stat" ]]; then
        awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
    else
        echo 0
    fi
}

# run_wrk NAME URL [PID]: prints "NAME req/s p99 [cpu/request]" and stores REQS / P99_MS.
run_wrk() {
    local out before after
    before="$(cpu_ticks "${3:-}")"
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2")"
    after="$(cpu_ticks "${3:-}")"
    local total
    total="$(awk '/requests in/ {print $1}' <<<"$out")"
    CPU_US=""
    if [[ -n "${3:-}" && "$total" -gt 0 ]]; then
        CPU_US="$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$total" \
            'BEGIN { printf "%.1f", t / hz * 1e6 / n }')"
    fi
    local non2xx
    non2xx="$(awk '/Non-2xx or 3xx responses/ {print $NF}' <<<"$out")"
    REQS="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    local p99
    p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
    P99_MS="$(awk -v v="$p99" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
        else print v }')"
    printf '%-8s %-36s %10s req/s   p99 %7s ms%s%s\n' "$1" "$2" "$REQS" "$P99_MS" \
        "${CPU_US:+   server cpu $CPU_US us/req}" "${non2xx:+   (non-2xx: $non2xx)}"
}

TARGET="${1:-admitd}"
[[ $# -gt 0 ]] && shift
if [[ "$TARGET" == "admitd" ]]; then
    # shellcheck source=lib/bench_stack.sh
    source "$ROOT/scripts/lib/bench_stack.sh"
    ADMIT_BENCH_BUILD_DIR="$BUILD_DIR" bench_stack_start hello
    trap 'cleanup; bench_stack_stop; bash "$ROOT/scripts/lib/servers.sh" stop "$BUILD_DIR/run/bench-servers" >/dev/null 2>&1 || true' EXIT
    TARGET_PID="$ADMIT_PID"
    TARGET="$ADMIT_URL/api/v1/hello"
elif [[ "$TARGET" == "echo" ]]; then
    "$ECHO" --port "$ECHO_PORT" "$@" >/dev/null &
    PIDS+=($!)
    TARGET_PID=$!
    wait_port "$ECHO_PORT"
    TARGET="http://127.0.0.1:$ECHO_PORT/bench"
fi

"$BARE" "$BARE_PORT" 2 >/dev/null &
PIDS+=($!)
BARE_PID=$!
wait_port "$BARE_PORT"

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION (same machine, one after the other)"
run_wrk bare "http://127.0.0.1:$BARE_PORT/" "$BARE_PID"
BARE_REQS="$REQS"
BARE_CPU="$CPU_US"
BARE_P99="$P99_MS"
run_wrk target "$TARGET" "${TARGET_PID:-}"
TARGET_REQS="$REQS"
awk -v t="$TARGET_REQS" -v b="$BARE_REQS" 'BEGIN { printf "ratio target/bare: %.2f req/s\n", t / b }'
if [[ -n "$CPU_US" && -n "$BARE_CPU" ]]; then
    awk -v t="$CPU_US" -v b="$BARE_CPU" 'BEGIN { printf "ratio bare/target: %.2f by server cpu per request\n", b / t }'
fi
# Machine-readable figures: scripts/bench collects every "RESULT key=value" line into the run's JSON.
echo "RESULT target=$TARGET"
echo "RESULT target_rps=$TARGET_REQS"
echo "RESULT target_p99_ms=$P99_MS"
echo "RESULT target_cpu_us_per_req=${CPU_US:-}"
echo "RESULT reference=bare_beast_handler"
echo "RESULT reference_rps=$BARE_REQS"
echo "RESULT reference_p99_ms=$BARE_P99"
echo "RESULT reference_cpu_us_per_req=${BARE_CPU:-}"
awk -v t="$TARGET_REQS" -v b="$BARE_REQS" 'BEGIN { printf "RESULT ratio_rps=%.3f\n", t / b }'
