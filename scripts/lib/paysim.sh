#!/usr/bin/env bash
# The payment-service simulator (admit-pay-sim) for development: scripts/up runs it beside
# PostgreSQL and Redis, and the demo venue's toss plugin pays through it.
#
#   paysim.sh start RUNDIR BINARY PORT WEBHOOK_URL   start it on 127.0.0.1:PORT (idempotent)
#   paysim.sh stop RUNDIR                            stop it
#   paysim.sh status RUNDIR                          exit 0 while it runs
#
# Layout under RUNDIR/paysim: secrets.env (generated once, mode 600: the simulator's API secret
# key and webhook secret, which admitd's toss plugin needs too; never committed, run/ is ignored),
# paysim.toml (written at each start), journal.jsonl (the ledger, kept across restarts), sim.log,
# sim.pid. Delete journal.jsonl to start with an empty ledger.
set -euo pipefail

die() { echo "paysim.sh: $*" >&2; exit 1; }

usage() {
    sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# True while PID names a live (not zombie) process (PID 1 here reaps slowly).
pid_alive() {
    local pid=$1 stat state
    [[ -n $pid && -r /proc/$pid/stat ]] || return 1
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    state=${stat##*) }
    state=${state%% *}
    [[ $state != Z && $state != X ]]
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

sim_pid() { [[ -f $1/sim.pid ]] && cat "$1/sim.pid" || true; }

# Writes secrets.env once: random secrets for this machine's simulator and admitd.
ensure_secrets() {
    local dir=$1
    [[ -s $dir/secrets.env ]] && return 0
    local key hook
    key=test_sk_$(openssl rand -hex 16) || die "openssl is needed to generate dev secrets"
    hook=whsec_$(openssl rand -hex 24)
    (umask 077; cat >"$dir/secrets.env.tmp" <<EOF_SECRETS
ADMIT_PAYSIM_SECRET_KEY=$key
ADMIT_PAYSIM_WEBHOOK_SECRET=$hook
EOF_SECRETS
    )
    mv "$dir/secrets.env.tmp" "$dir/secrets.env"
}

start() {
    local dir=$1 binary=$2 port=$3 webhook_url=$4
    [[ -x $binary ]] || die "no simulator binary at $binary"
    ensure_secrets "$dir"
    local pid
    pid=$(sim_pid "$dir")
    if pid_alive "$pid"; then
        echo "admit-pay-sim already running on 127.0.0.1:$port (pid $pid)"
        return 0
    fi
    port_in_use "$port" && die "127.0.0.1:$port is taken by another process; free it or stop it"
    cat >"$dir/paysim.toml" <<EOF_CONFIG
# Written by scripts/lib/paysim.sh at each start; edit the script, not this file.
[server]
listen = "127.0.0.1"
port = $port
journal = "$dir/journal.jsonl"

[webhooks]
url = "$webhook_url"
EOF_CONFIG
    : >"$dir/sim.log"
    (
        set -a
        # shellcheck disable=SC1091
        source "$dir/secrets.env"
        set +a
        exec setsid "$binary" --config "$dir/paysim.toml" >>"$dir/sim.log" 2>&1 </dev/null
    ) &
    pid=$!
    echo "$pid" >"$dir/sim.pid"
    local deadline=$((SECONDS + 15))
    until grep -q "listening on http://" "$dir/sim.log"; do
        pid_alive "$pid" || die "admit-pay-sim exited at start; see $dir/sim.log:
$(tail -5 "$dir/sim.log")"
        ((SECONDS < deadline)) || die "admit-pay-sim not listening after 15 s; see $dir/sim.log"
        sleep 0.05
    done
    echo "admit-pay-sim on 127.0.0.1:$port (ledger $dir/journal.jsonl)"
}

stop() {
    local dir=$1 pid
    pid=$(sim_pid "$dir")
    if ! pid_alive "$pid"; then
        rm -f "$dir/sim.pid"
        return 0
    fi
    kill -TERM "$pid"
    local deadline=$((SECONDS + 10))
    while pid_alive "$pid"; do
        ((SECONDS < deadline)) || die "admit-pay-sim (pid $pid) still running after 10 s"
        sleep 0.05
    done
    rm -f "$dir/sim.pid"
    echo "admit-pay-sim stopped"
}

main() {
    [[ $# -ge 2 ]] || usage
    local command=$1 dir
    mkdir -p "$2/paysim"
    dir=$(cd "$2/paysim" && pwd)
    case $command in
        start)
            [[ $# -eq 5 ]] || usage
            start "$dir" "$3" "$4" "$5"
            ;;
        stop) stop "$dir" ;;
        status)
            local pid
            pid=$(sim_pid "$dir")
            if pid_alive "$pid"; then echo "admit-pay-sim: running (pid $pid)"; else echo "admit-pay-sim: stopped"; return 1; fi
            ;;
        *) usage ;;
    esac
}

main "$@"
