#!/usr/bin/env bash
# Private PostgreSQL 15 and Redis 7 servers for development and tests.
#
#   servers.sh start RUNDIR [PGPORT] [REDISPORT]   start both (idempotent), write RUNDIR/servers.env
#   servers.sh stop RUNDIR                         stop both
#   servers.sh status RUNDIR                       print the state of both; exit 0 when both run
#   servers.sh pg-start|pg-stop|redis-start|redis-stop RUNDIR
#
# Layout under RUNDIR: pg/data (cluster, owned by the `postgres` user when run as root),
# pg/socket, pg/server.log, redis/redis.conf, redis/redis.pid, redis/server.log, ports.env
# (ports chosen at the first start and reused afterwards, so a restart keeps its address).
#
# Authentication: by default the cluster trusts loopback connections (tests and benchmarks, whose
# databases are thrown away). With ADMIT_PG_AUTH=password (scripts/up; kept for a run directory
# once it has a secret, unless ADMIT_PG_AUTH=trust says otherwise) TCP connections need the
# password of role `admit` (scram-sha-256 in pg_hba.conf): a random secret generated once into
# RUNDIR/secrets/pg-admit.password (mode 0600) and handed on only through servers.env (mode 0600)
# as the password of ADMIT_DATABASE_URL, which admitd reads from the environment. The Unix socket
# (RUNDIR/pg/socket, mode 0700) stays trusted for whoever may enter the run directory anyway: the
# operator's psql and this script.
set -euo pipefail

PG_BIN=${ADMIT_PG_BIN:-/usr/lib/postgresql/15/bin}
REDIS_SERVER=${ADMIT_REDIS_SERVER:-redis-server}
REDIS_CLI=${ADMIT_REDIS_CLI:-redis-cli}
START_DEADLINE_SECONDS=${ADMIT_SERVERS_DEADLINE:-30}
# PostgreSQL's shared_buffers (its own default, 128MB, unless set; a benchmark's kept database
# outgrows it: ADMIT_PG_SHARED_BUFFERS=2GB scripts/bench flash-sale).
PG_SHARED_BUFFERS=${ADMIT_PG_SHARED_BUFFERS:-128MB}
# ADMIT_PG_STATEMENTS=1: the cluster loads pg_stat_statements (planning times included) from this
# start on, for a benchmark that asks where PostgreSQL's time goes (STATEMENTS=1 scripts/bench
# purchase); off by default, as its bookkeeping costs every statement a little.
PG_STATEMENTS=${ADMIT_PG_STATEMENTS:-0}
PG_AUTH=${ADMIT_PG_AUTH:-}  # trust or password; unset: password once RUNDIR has a secret, else trust
[[ -z $PG_AUTH || $PG_AUTH == trust || $PG_AUTH == password ]] || { echo "servers.sh: ADMIT_PG_AUTH must be trust or password" >&2; exit 2; }

die() { echo "servers.sh: $*" >&2; exit 1; }

usage() {
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# Runs a command as the PostgreSQL user (root may not run PostgreSQL).
as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# True while PID names a live (not zombie) process. PID 1 here reaps slowly, so kill -0 is not
# enough: a stopped daemon lingers as a zombie.
pid_alive() {
    local pid=$1 stat state
    [[ -n $pid && -r /proc/$pid/stat ]] || return 1
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    state=${stat##*) }
    state=${state%% *}
    [[ $state != Z && $state != X ]]
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Ports come from below the kernel's ephemeral range (32768 up on Linux): a port the kernel may
# hand to an outgoing connection can be held by its TIME_WAIT when the server starts again.
pick_free_port() {
    local port _
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % 12000))
        if ! port_in_use "$port"; then
            echo "$port"
            return 0
        fi
    done
    die "no free port found"
}

# Polls CONDITION (a command) until it succeeds or the deadline passes.
wait_until() {
    local what=$1; shift
    local deadline=$((SECONDS + START_DEADLINE_SECONDS))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            die "$what not ready after ${START_DEADLINE_SECONDS}s"
        fi
        sleep 0.05
    done
}

# ---------------------------------------------------------------------------------------------
# Ports

load_ports() {
    local rundir=$1 want_pg=${2:-} want_redis=${3:-}
    PG_PORT="" REDIS_PORT=""
    if [[ -f $rundir/ports.env ]]; then
        # shellcheck disable=SC1091
        source "$rundir/ports.env"
        # Servers already running keep their ports: a different request cannot apply.
        if pg_running "$rundir" && [[ -n $want_pg && $want_pg != "$PG_PORT" ]]; then
            echo "servers.sh: PostgreSQL already runs on $PG_PORT; ignoring port $want_pg" >&2
            want_pg=""
        fi
        if redis_running "$rundir" && [[ -n $want_redis && $want_redis != "$REDIS_PORT" ]]; then
            echo "servers.sh: Redis already runs on $REDIS_PORT; ignoring port $want_redis" >&2
            want_redis=""
        fi
    fi
    # A port saved before ports avoided the ephemeral range is moved while its server is down.
    if [[ -n $PG_PORT && -z $want_pg ]] && ((PG_PORT >= 32768)) && ! pg_running "$rundir"; then PG_PORT=""; fi
    if [[ -n $REDIS_PORT && -z $want_redis ]] && ((REDIS_PORT >= 32768)) && ! redis_running "$rundir"; then
        REDIS_PORT=""
    fi
    [[ -n $want_pg ]] && PG_PORT=$want_pg
    [[ -n $want_redis ]] && REDIS_PORT=$want_redis
    [[ -n $PG_PORT ]] || PG_PORT=$(pick_free_port)
    if [[ -z $REDIS_PORT ]]; then
        REDIS_PORT=$(pick_free_port)
        while [[ $REDIS_PORT == "$PG_PORT" ]]; do REDIS_PORT=$(pick_free_port); done
    fi
    mkdir -p "$rundir"
    printf 'PG_PORT=%s\nREDIS_PORT=%s\n' "$PG_PORT" "$REDIS_PORT" >"$rundir/ports.env"
}

require_ports() {
    local rundir=$1
    [[ -f $rundir/ports.env ]] || die "$rundir has no servers (run: servers.sh start $rundir)"
    # shellcheck disable=SC1091
    source "$rundir/ports.env"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

pg_running() {
    local data=$1/pg/data pid
    [[ -f $data/postmaster.pid ]] || return 1
    pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null) || return 1
    pid_alive "$pid"
}

pg_ready() {
    local rundir=$1
    "$PG_BIN/pg_isready" -q -h "$rundir/pg/socket" -p "$PG_PORT" -d postgres -U postgres
}

pg_init() {
    local rundir=$1 pgdir=$1/pg
    mkdir -p "$pgdir/socket"
    chmod 700 "$pgdir/socket"  # who may use the trusted socket: the run directory's owner
    if [[ $(id -u) -eq 0 ]]; then chown -R postgres: "$pgdir"; fi
    if [[ ! -f $pgdir/data/PG_VERSION ]]; then
        as_pg "$PG_BIN/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
            >"$pgdir/initdb.log" 2>&1 || { cat "$pgdir/initdb.log" >&2; die "initdb failed"; }
        echo "include_if_exists = 'admit.conf'" | as_pg tee -a "$pgdir/data/postgresql.conf" >/dev/null
    fi
    as_pg tee "$pgdir/data/admit.conf" >/dev/null <<EOF
# Written by scripts/lib/servers.sh at each start.
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$pgdir/socket'
fsync = on
synchronous_commit = on
max_connections = 300
shared_buffers = $PG_SHARED_BUFFERS
$([[ $PG_STATEMENTS == 1 ]] && printf '%s\n' "shared_preload_libraries = 'pg_stat_statements'" \
    "pg_stat_statements.track = all" "pg_stat_statements.track_planning = on")
EOF
}

pg_create_role_and_database() {
    local rundir=$1
    local psql=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$rundir/pg/socket" -p "$PG_PORT" -U postgres -d postgres -tA)
    if [[ -z $("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'admit'") ]]; then
        "${psql[@]}" -c "CREATE ROLE admit LOGIN" >/dev/null
    fi
    # CREATEDB: end-to-end tests give each admitd under test a database of its own.
    "${psql[@]}" -c "ALTER ROLE admit CREATEDB" >/dev/null
    # The log plugin writes audit entries under this role (INSERT and SELECT only; its grants come
    # from the plugin at start): creating a role needs CREATEROLE, which admitd's user lacks.
    if [[ -z $("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'admit_log_writer'") ]]; then
        "${psql[@]}" -c "CREATE ROLE admit_log_writer NOLOGIN" >/dev/null
    fi
    "${psql[@]}" -c "GRANT admit_log_writer TO admit" >/dev/null
    if [[ -z $("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'admit'") ]]; then
        "${psql[@]}" -c "CREATE DATABASE admit OWNER admit" >/dev/null
    fi
}

# The secret of role `admit` (ADMIT_PG_AUTH=password), generated once: hex, so it needs no
# escaping in a URL or in SQL.
pg_secret() {
    local dir=$1/secrets
    (umask 077; mkdir -p "$dir")
    chmod 700 "$dir"
    if [[ ! -s $dir/pg-admit.password ]]; then
        (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/pg-admit.password.tmp")
        mv "$dir/pg-admit.password.tmp" "$dir/pg-admit.password"
    fi
    chmod 600 "$dir/pg-admit.password"
    cat "$dir/pg-admit.password"
}

# pg_hba.conf for the chosen mode; prints "changed" when it wrote a different file.
pg_write_hba() {
    local rundir=$1 hba=$1/pg/data/pg_hba.conf wanted
    if [[ $PG_AUTH == password ]]; then
        wanted="# Written by scripts/lib/servers.sh (ADMIT_PG_AUTH=password).
# The socket directory is private to the run directory's owner; TCP needs a password.
local   all   all                  trust
host    all   all   127.0.0.1/32   scram-sha-256
host    all   all   ::1/128        scram-sha-256"
    else
        wanted="# Written by scripts/lib/servers.sh (ADMIT_PG_AUTH=trust): development and tests only.
local   all   all                  trust
host    all   all   127.0.0.1/32   trust
host    all   all   ::1/128        trust"
    fi
    if [[ "$(as_pg cat "$hba" 2>/dev/null)" != "$wanted" ]]; then
        printf '%s\n' "$wanted" | as_pg tee "$hba" >/dev/null
        echo changed
    fi
}

# Sets role admit's password (ADMIT_PG_AUTH=password) over the trusted socket. The statement goes
# through stdin, never the command line, and is not logged (log_statement is off).
pg_set_password() {
    local rundir=$1 secret
    secret=$(pg_secret "$rundir")
    printf "SET password_encryption = 'scram-sha-256';\nALTER ROLE admit PASSWORD '%s';\n" "$secret" |
        "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$rundir/pg/socket" -p "$PG_PORT" -U postgres -d postgres >/dev/null
}

pg_start() {
    local rundir=$1
    if ! pg_running "$rundir"; then
        pg_init "$rundir"
        pg_write_hba "$rundir" >/dev/null
        # -w polls until the server accepts connections (deadline -t) and notices an early exit.
        if ! as_pg "$PG_BIN/pg_ctl" -D "$rundir/pg/data" -l "$rundir/pg/server.log" \
            -w -t "$START_DEADLINE_SECONDS" start >/dev/null; then
            tail -n 20 "$rundir/pg/server.log" >&2 || true
            die "PostgreSQL did not start on port $PG_PORT (log: $rundir/pg/server.log)"
        fi
    fi
    wait_until "PostgreSQL on port $PG_PORT" pg_ready "$rundir"
    pg_create_role_and_database "$rundir"
    [[ $PG_AUTH == password ]] && pg_set_password "$rundir"
    # A server that was already running (started in the other mode) takes the new rules now.
    if [[ $(pg_write_hba "$rundir") == changed ]]; then
        as_pg "$PG_BIN/pg_ctl" -D "$rundir/pg/data" reload >/dev/null
    fi
}

pg_stop() {
    local rundir=$1
    if pg_running "$rundir"; then
        as_pg "$PG_BIN/pg_ctl" -D "$rundir/pg/data" -m fast -W stop >/dev/null
        wait_until_stopped "PostgreSQL" pg_running "$rundir"
    fi
}

# ---------------------------------------------------------------------------------------------
# Redis

redis_pid() {
    local pidfile=$1/redis/redis.pid
    [[ -f $pidfile ]] && cat "$pidfile"
}

redis_running() {
    local pid
    pid=$(redis_pid "$1") || return 1
    pid_alive "$pid"
}

redis_ready() {
    [[ $("$REDIS_CLI" -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

redis_start() {
    local rundir=$1 dir=$1/redis
    if ! redis_running "$rundir"; then
        mkdir -p "$dir"
        rm -f "$dir/redis.pid"
        cat >"$dir/redis.conf" <<EOF
# Written by scripts/lib/servers.sh at each start.
bind 127.0.0.1
port $REDIS_PORT
dir $dir
daemonize yes
pidfile $dir/redis.pid
logfile $dir/server.log
save ""
appendonly no
EOF
        "$REDIS_SERVER" "$dir/redis.conf"
    fi
    wait_until "Redis on port $REDIS_PORT" redis_ready
}

redis_stop() {
    local rundir=$1
    if redis_running "$rundir"; then
        "$REDIS_CLI" -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
        wait_until_stopped "Redis" redis_running "$rundir"
    fi
}

# Polls until CHECK (a "still running" command) fails or the deadline passes.
wait_until_stopped() {
    local what=$1; shift
    local deadline=$((SECONDS + START_DEADLINE_SECONDS))
    while "$@"; do
        ((SECONDS < deadline)) || die "$what still running after ${START_DEADLINE_SECONDS}s"
        sleep 0.05
    done
}

# ---------------------------------------------------------------------------------------------

write_env() {
    local rundir=$1 credentials=admit
    [[ $PG_AUTH == password ]] && credentials="admit:$(pg_secret "$rundir")"
    (umask 077; : >"$rundir/servers.env.tmp")
    cat >"$rundir/servers.env.tmp" <<EOF
ADMIT_DATABASE_URL=postgresql://$credentials@127.0.0.1:$PG_PORT/admit
ADMIT_PG_PORT=$PG_PORT
ADMIT_REDIS_HOST=127.0.0.1
ADMIT_REDIS_PORT=$REDIS_PORT
EOF
    mv "$rundir/servers.env.tmp" "$rundir/servers.env"
}

main() {
    [[ $# -ge 2 ]] || usage
    local command=$1 rundir
    mkdir -p "$2"
    rundir=$(cd "$2" && pwd)
    if [[ -z $PG_AUTH ]]; then
        # A cluster that once took passwords keeps them.
        if [[ -s $rundir/secrets/pg-admit.password ]]; then PG_AUTH=password; else PG_AUTH=trust; fi
    fi
    case $command in
        start)
            load_ports "$rundir" "${3:-}" "${4:-}"
            pg_start "$rundir"
            redis_start "$rundir"
            write_env "$rundir"
            echo "PostgreSQL on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT ($rundir/servers.env)"
            ;;
        stop)
            require_ports "$rundir"
            redis_stop "$rundir"
            pg_stop "$rundir"
            ;;
        status)
            require_ports "$rundir"
            local rc=0
            if pg_running "$rundir"; then echo "postgresql: running on $PG_PORT"; else echo "postgresql: stopped"; rc=1; fi
            if redis_running "$rundir"; then echo "redis: running on $REDIS_PORT"; else echo "redis: stopped"; rc=1; fi
            return $rc
            ;;
        pg-start) require_ports "$rundir"; pg_start "$rundir" ;;
        pg-stop) require_ports "$rundir"; pg_stop "$rundir" ;;
        redis-start) require_ports "$rundir"; redis_start "$rundir" ;;
        redis-stop) require_ports "$rundir"; redis_stop "$rundir" ;;
        *) usage ;;
    esac
}

main "$@"
