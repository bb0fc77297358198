#!/usr/bin/env bash
# CPU of server processes for the benchmarks (sourced): scripts/bench-flash-sale.sh and
# scripts/bench-purchase.sh snapshot it before and after a measured run.

PROCESS_CPU_TCK="$(getconf CLK_TCK)"

# process_cpu_seconds PID...: CPU seconds (user + system) used so far by these processes, each
# with the children it waited for (a PostgreSQL backend that exited is in its postmaster's) and
# its live children (PostgreSQL's backends, nginx's workers). A process that is gone, or an empty
# pid, counts 0. Do not list a process beside its parent: it would count twice.
process_cpu_seconds() {
    local files=() pid child
    for pid in "$@"; do
        [[ -n $pid ]] || continue
        files+=("/proc/$pid/stat")
        for child in $(pgrep -P "$pid" || true); do files+=("/proc/$child/stat"); done
    done
    { ((${#files[@]} == 0)) || cat "${files[@]}" 2>/dev/null || true; } |
        awk -v hz="$PROCESS_CPU_TCK" '{ t += $14 + $15 + $16 + $17 } END { printf "%.3f\n", t / hz }'
}

# pid_in FILE: the first line of a pid file; nothing when the file is missing.
pid_in() { if [[ -f $1 ]]; then head -1 "$1"; fi; }
