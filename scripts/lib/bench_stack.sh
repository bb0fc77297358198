#!/usr/bin/env bash
# Sourced by benchmark scripts: runs private PostgreSQL/Redis and an admitd with the benchmark
# venue (config/venues/bench.toml) in the background.
#   bench_stack_start [PLUGIN...]   builds admitd + plugins, starts everything; sets ADMIT_URL,
#                                   ADMIT_PID, ADMIT_DATABASE_URL, ADMIT_REDIS_PORT
#   bench_stack_stop                stops admitd (servers are stopped by the EXIT trap)
# Needs ADMIT_BENCH_BUILD_DIR (a Release tree with ADMIT_BUILD_BENCH=ON) and ROOT.

bench_stack_start() {
    local plugins=("$@")
    ((${#plugins[@]})) || plugins=(hello)
    local build=$ADMIT_BENCH_BUILD_DIR
    cmake --build "$build" --target admitd "${plugins[@]}" -j "${ADMIT_JOBS:-2}" >/dev/null
    local rundir=$build/run/bench-servers
    bash "$ROOT/scripts/lib/servers.sh" start "$rundir" >/dev/null
    trap 'bench_stack_stop; bash "$ROOT/scripts/lib/servers.sh" stop "'"$rundir"'" >/dev/null 2>&1 || true' EXIT
    set -a; source "$rundir/servers.env"; set +a
    local venue=$build/run/bench-venue.toml
    local load
    load=$(printf '"%s", ' "${plugins[@]}")
    sed -e "s#^dir = .*#dir = \"$build/plugins\"#" -e "s#^load = .*#load = [${load%, }]#" \
        -e "s#^defaults = .*#defaults = \"$ROOT/config/admitd.toml\"#" \
        -e "s#^ratelimits = .*#ratelimits = \"$ROOT/config/venues/bench-policies/ratelimits.lua\"#" \
        "$ROOT/config/venues/bench.toml" >"$venue"
    echo "[policies]" >>"$venue"
    echo "dir = \"$ROOT/policies\"" >>"$venue"
    "$build/host/runtime/admitd" --config "$venue" >"$build/run/admitd.log" 2>&1 &
    ADMIT_PID=$!
    local port
    port=$(sed -n 's/^port = \([0-9]*\)/\1/p' "$venue" | head -1)
    ADMIT_URL="http://127.0.0.1:$port"
    for _ in $(seq 1 300); do
        if curl -fsS "$ADMIT_URL/readyz" >/dev/null 2>&1; then return 0; fi
        if ! kill -0 "$ADMIT_PID" 2>/dev/null; then break; fi
        sleep 0.1
    done
    echo "admitd did not become ready; log:" >&2
    cat "$build/run/admitd.log" >&2
    return 1
}

bench_stack_stop() {
    if [[ -n "${ADMIT_PID:-}" ]]; then
        kill -TERM "$ADMIT_PID" 2>/dev/null || true
        wait "$ADMIT_PID" 2>/dev/null || true
        ADMIT_PID=
    fi
}
