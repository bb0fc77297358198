#!/usr/bin/env bash
# Sourced by scripts/fleet (and by scripts/chaos through it): the parts of a fleet and how each
# starts, stops and is checked. Needs ROOT, FLEET_DIR and FLEET_BUILD; `fleet_up` writes
# FLEET_DIR/fleet.env, which every other function reads through fleet_load_env.

# shellcheck source=load_policies.sh
source "$ROOT/scripts/lib/load_policies.sh"

fleet_die() { echo "fleet: $*" >&2; exit 1; }

# True while PID names a live (not zombie) process (PID 1 here reaps slowly).
fleet_pid_alive() {
    local pid=${1:-} stat state
    [[ -n $pid && -r /proc/$pid/stat ]] || return 1
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    state=${stat##*) }
    state=${state%% *}
    [[ $state != Z && $state != X ]]
}

fleet_port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A free loopback port below the ephemeral range (see servers.sh), not in the words of $2.
fleet_free_port() {
    local taken=" ${1:-} " port _
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % 12000))
        [[ $taken == *" $port "* ]] && continue
        fleet_port_in_use "$port" || { echo "$port"; return 0; }
    done
    fleet_die "no free port found"
}

fleet_load_env() {
    [[ -f $FLEET_DIR/fleet.env ]] || fleet_die "no fleet in $FLEET_DIR (scripts/fleet up first)"
    # shellcheck disable=SC1091
    source "$FLEET_DIR/fleet.env"
}

# Polls until URL answers 2xx or SECONDS_MAX pass; false on the deadline.
fleet_wait_http() {
    local url=$1 seconds_max=$2 pid=${3:-}
    local deadline=$((SECONDS + seconds_max))
    until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
        if [[ -n $pid ]] && ! fleet_pid_alive "$pid"; then return 1; fi
        ((SECONDS < deadline)) || return 1
        sleep 0.05
    done
}

fleet_pid_of() { [[ -f $1 ]] && cat "$1" || true; }

# Sends SIGNAL to the process in PIDFILE and, for TERM/KILL, waits until it is gone.
fleet_signal() {
    local pidfile=$1 signal=$2 pid
    pid=$(fleet_pid_of "$pidfile")
    fleet_pid_alive "$pid" || return 0
    kill "-$signal" "$pid" 2>/dev/null || true
    [[ $signal == TERM || $signal == KILL ]] || return 0
    local deadline=$((SECONDS + 20))
    while fleet_pid_alive "$pid"; do
        if ((SECONDS >= deadline)); then
            kill -KILL "$pid" 2>/dev/null || true
            deadline=$((SECONDS + 5))
        fi
        sleep 0.05
    done
}

# ---------------------------------------------------------------------------------------------
# Policies: the production ones, with the per-caller limits lifted where a load generator stands
# for thousands of buyers (rate limits of `auth` and `booking`; tickets and holds per buyer per
# schedule), and optionally a short hold window (the fault campaign's SIGSTOP lasts twice the hold TTL).

fleet_write_policies() {
    local dir=$FLEET_DIR/policies hold=$1
    mkdir -p "$dir"
    lift_rate_limits "$dir" auth booking || fleet_die "policies/ratelimits.lua has no auth or booking rule to lift"
    lift_buyer_limits "$dir" || fleet_die "policies/limits.lua has no DEFAULT_MAX_PER_USER or DEFAULT_MAX_HOLDS_PER_WINDOW to lift"
    rm -f "$dir/expiry.lua" "$dir/expiry_test.lua"
    if [[ -n $hold ]]; then
        [[ $hold =~ ^[1-9][0-9]*$ ]] || fleet_die "--hold-seconds must be a positive integer"
        sed -e "s/hold = [0-9]*, payment = [0-9]*/hold = $hold, payment = $((hold * 2))/g" \
            -e "s/holdSeconds = [0-9]*, paymentSeconds = [0-9]*/holdSeconds = $hold, paymentSeconds = $((hold * 2))/" \
            "$ROOT/policies/expiry.lua" >"$dir/expiry.lua"
        cat >"$dir/expiry_test.lua" <<LUA
function test_the_fleet_hold_window()
  local d = decide({ category = "concert" })
  assert_eq(d.holdSeconds, $hold)
end
LUA
    fi
}

# ---------------------------------------------------------------------------------------------
# Venues

fleet_plugins_of() { # INSTANCE ROLES: the plugins instance K loads
    local plugins
    if [[ $2 == split && $1 != 1 ]]; then
        plugins='"auth", "arthall", "product", "queue", "reservation"'
    else
        plugins='"auth", "arthall", "product", "queue", "reservation", "toss", "payment", "ticket"'
    fi
    # FLEET_AUDIT=1 (scripts/fleet --audit): the log plugin everywhere, with its defaults (every
    # event audited); it needs no section and no provider.
    [[ ${FLEET_AUDIT:-0} == 1 ]] && plugins+=', "log"'
    echo "$plugins"
}

fleet_write_venue() { # K PORT
    local k=$1 port=$2 dir=$FLEET_DIR/instance-$1
    mkdir -p "$dir"
    local overrides="ratelimits = \"$FLEET_DIR/policies/ratelimits.lua\"
limits = \"$FLEET_DIR/policies/limits.lua\""
    [[ -f $FLEET_DIR/policies/expiry.lua ]] && overrides+="
expiry = \"$FLEET_DIR/policies/expiry.lua\""
    local events="[events]
backend = \"$FLEET_EVENTS\"
background_nice = ${FLEET_BACKGROUND_NICE:-10}"
    if [[ $FLEET_EVENTS == kafka ]]; then
        events+="
[events.kafka]
brokers = \"$KAFKA_BROKERS\"
[events.kafka.properties]
\"session.timeout.ms\" = \"6000\"
\"heartbeat.interval.ms\" = \"500\""
    fi
    # Sections only for the plugins this instance loads (a section of another is an error).
    local plugins sections=""
    plugins=$(fleet_plugins_of "$k" "$FLEET_ROLES")
    if [[ $plugins == *'"auth"'* ]]; then
        # Signing keys generated and shared through the fleet's database (development only).
        sections="[plugin.auth]
development_keys = true
"
    fi
    if [[ $plugins == *'"arthall"'* ]]; then
        # The load's seller adds a hall for every run (fault campaign, benchmarks).
        sections+="[plugin.arthall]
max_halls_per_seller = 1000000
"
    fi
    if [[ $plugins == *'"payment"'* ]]; then
        sections+="[plugin.toss]
base_url = \"http://127.0.0.1:$SIM_PORT\"
read_timeout_ms = 5000
[plugin.payment]
provider = \"toss\"
success_url = \"$FLEET_URL/payments/success\"
fail_url = \"$FLEET_URL/payments/fail\"
reconcile_interval_ms = $FLEET_RECONCILE_MS
in_progress_timeout_ms = 15000
refund_retry_ms = 5000
[plugin.ticket]
doors_open_seconds = 259200   # the load's schedules start in two days: gates open now (check-ins)
void_grace_ms = 5000          # a campaign run settles within seconds (production: 30 s)
void_check_ms = 1000"
    fi
    cat >"$dir/venue.toml" <<TOML
# Written by scripts/fleet up; instance $k of $FLEET_INSTANCES ($FLEET_ROLES roles, $FLEET_EVENTS events).
defaults = "$ROOT/config/admitd.toml"
[venue]
id = "fleet"
name = "Fleet"
currency = "KRW"
[server]
port = $port
workers = $FLEET_WORKERS
queue_limit = 10000
trusted_proxies = ["127.0.0.1/32"]
[log]
level = "${FLEET_LOG_LEVEL:-warn}"
[access]
roles = ["customer", "seller", "admin", "staff"]
rate_categories = ["general", "auth", "queue", "booking"]
[plugins]
dir = "$FLEET_BUILD/plugins"
load = [$plugins]
[plugins.requires]   # whose services each plugin calls: a provider missing here refuses the start
payment = ["reservation", "toss"]
reservation = ["product", "queue"]
queue = ["product"]
ticket = ["product", "reservation"]
arthall = ["product"]
product = ["arthall"]
[policies]
dir = "$ROOT/policies"
[policies.overrides]
$overrides
[database]
url = "postgresql://postgres@127.0.0.1:${NET_PG_PORT:-$PG_PORT}/$FLEET_DB"
pool_size = 16
[redis]
host = "127.0.0.1"
port = ${NET_REDIS_PORT:-$REDIS_PORT}
pool_size = 2
$events
$sections
TOML
}

# ---------------------------------------------------------------------------------------------
# Instances

fleet_instance_pidfile() { echo "$FLEET_DIR/instance-$1/admitd.pid"; }

fleet_instance_port() { # K
    local ports=($INSTANCE_PORTS)
    echo "${ports[$(($1 - 1))]}"
}

# Starts instance K in the background (its own session, so a terminal's signals miss it).
fleet_start_instance() {
    local k=$1 dir=$FLEET_DIR/instance-$1 pid
    pid=$(fleet_pid_of "$(fleet_instance_pidfile "$k")")
    fleet_pid_alive "$pid" && return 0
    fleet_stop_strays "$k"  # an admitd of this instance the pid file lost would hold its port
    (
        set -a
        # shellcheck disable=SC1091
        source "$FLEET_DIR/paysim/secrets.env"
        set +a
        export ADMIT_TOSS_SECRET_KEY=$ADMIT_PAYSIM_SECRET_KEY ADMIT_TOSS_WEBHOOK_SECRET=$ADMIT_PAYSIM_WEBHOOK_SECRET
        unset ADMIT_PAYSIM_SECRET_KEY ADMIT_PAYSIM_WEBHOOK_SECRET
        exec setsid "$FLEET_BUILD/host/runtime/admitd" --config "$dir/venue.toml" >>"$dir/admitd.log" 2>&1 </dev/null
    ) &
    echo $! >"$(fleet_instance_pidfile "$k")"
}

fleet_wait_instance() { # K SECONDS
    local k=$1 port
    port=$(fleet_instance_port "$k")
    fleet_wait_http "http://127.0.0.1:$port/readyz" "$2" "$(fleet_pid_of "$(fleet_instance_pidfile "$k")")" ||
        fleet_die "instance $k (port $port) not ready; last lines of $FLEET_DIR/instance-$k/admitd.log:
$(tail -n 15 "$FLEET_DIR/instance-$k/admitd.log" 2>/dev/null)"
}

fleet_instance() { # ACTION K
    local action=$1 k=$2
    [[ $k =~ ^[0-9]+$ ]] && ((k >= 1 && k <= FLEET_INSTANCES)) || fleet_die "no instance $k (1..$FLEET_INSTANCES)"
    local pidfile
    pidfile=$(fleet_instance_pidfile "$k")
    case $action in
        start) fleet_start_instance "$k"; fleet_wait_instance "$k" 60 ;;
        spawn) fleet_start_instance "$k" ;;  # no wait (a supervisor's restart)
        stop) fleet_signal "$pidfile" CONT; fleet_signal "$pidfile" TERM ;;
        kill) fleet_signal "$pidfile" KILL ;;
        pause) fleet_signal "$pidfile" STOP ;;
        resume) fleet_signal "$pidfile" CONT ;;
        *) fleet_die "instance action is start, spawn, stop, kill, pause or resume" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# The Kafka mock cluster (its own process; an empty cluster at every start)

FLEET_KAFKA_TOPICS="reservation.held reservation.released reservation.confirmed reservation.cancelled
payment.prepared payment.approved payment.failed payment.unknown payment.refunded payment.reconciliation_mismatch
ticket.issued ticket.reissued ticket.cancelled ticket.expired ticket.checked_in ticket.checked_out ticket.checkin_conflict
product.created product.updated product.submitted product.approved product.rejected product.scheduled
product.on_sale product.closed product.completed product.cancelled
queue.joined queue.admitted queue.left queue.expired queue.sold_out queue.paused queue.shuffled queue.cleared
queue.rate_changed auth.user_signed_up auth.login_succeeded auth.login_failed auth.user_changed
auth.token_reused auth.logged_out arthall.hall_created arthall.hall_updated arthall.hall_deleted
arthall.stage_created arthall.stage_deleted"

fleet_start_kafka() {
    local dir=$FLEET_DIR/kafka topics=""
    mkdir -p "$dir"
    for t in $FLEET_KAFKA_TOPICS; do topics+="${topics:+,}admit.$t"; done
    : >"$dir/broker.log"
    setsid "$FLEET_BUILD/bin/kafka_mock_broker" --brokers 3 --partitions 4 --topics "$topics" \
        >>"$dir/broker.log" 2>&1 </dev/null &
    echo $! >"$dir/broker.pid"
    local deadline=$((SECONDS + 15))
    until grep -q "kafka mock listening on" "$dir/broker.log"; do
        fleet_pid_alive "$(cat "$dir/broker.pid")" || fleet_die "kafka_mock_broker exited: $(tail -3 "$dir/broker.log")"
        ((SECONDS < deadline)) || fleet_die "kafka_mock_broker not listening after 15 s"
        sleep 0.05
    done
    KAFKA_BROKERS=$(sed -n 's/^kafka mock listening on //p' "$dir/broker.log" | head -1)
}

# ---------------------------------------------------------------------------------------------
# nginx

fleet_write_nginx() {
    local dir=$FLEET_DIR/nginx k all="" full=""
    mkdir -p "$dir/tmp"
    for ((k = 1; k <= FLEET_INSTANCES; k++)); do
        all+="        server 127.0.0.1:$(fleet_instance_port "$k") max_fails=1 fail_timeout=2s;
"
    done
    full="        server 127.0.0.1:$(fleet_instance_port 1) max_fails=1 fail_timeout=2s;
"
    local split_routes=""
    if [[ $FLEET_ROLES == split ]]; then
        # A buyer's cancel calls ticket.void_reservation (the refund guard), which only instance 1
        # offers: the other instances refuse a cancel with 503 rather than skip the guard.
        split_routes="        # Split roles: these plugins run on instance 1 only.
        location ~ ^/api/v1/(payments|tickets|checkin|halls|stages|notifications|admin|products|schedules/[^/]+/gate-kit|reservations/[^/]+/cancel) {
            proxy_pass http://admit_full;
        }"
    fi
    cat >"$dir/nginx.conf" <<NGINX
# Written by scripts/fleet up.
daemon on;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 16384; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    keepalive_requests 100000;
    upstream admit_all {
$all        keepalive 64;
    }
    upstream admit_full {
$full        keepalive 32;
    }
    server {
        listen 127.0.0.1:$LB_PORT backlog=4096;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host \$host;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_buffering off;            # server-sent events reach the client as they are written
        proxy_connect_timeout 1s;
        proxy_read_timeout 30s;
        # A refused or timed-out upstream connection moves to the next instance; nginx never
        # resends a POST (non_idempotent is not set), so a payment is never sent twice by it.
        proxy_next_upstream error timeout;
$split_routes
        location / {
            proxy_pass http://admit_all;
        }
    }
}
NGINX
}

fleet_start_nginx() {
    fleet_pid_alive "$(fleet_pid_of "$FLEET_DIR/nginx/nginx.pid")" && return 0
    nginx -c "$FLEET_DIR/nginx/nginx.conf" -p "$FLEET_DIR/nginx" -e "$FLEET_DIR/nginx/error.log" ||
        fleet_die "nginx did not start (see $FLEET_DIR/nginx/error.log)"
    fleet_wait_http "$FLEET_URL/readyz" 30 || fleet_die "nothing ready behind nginx at $FLEET_URL"
}

# ---------------------------------------------------------------------------------------------

fleet_save_env() {
    cat >"$FLEET_DIR/fleet.env.tmp" <<EOF
FLEET_DIR=$FLEET_DIR
FLEET_BUILD=$FLEET_BUILD
FLEET_INSTANCES=$FLEET_INSTANCES
FLEET_EVENTS=$FLEET_EVENTS
FLEET_ROLES=$FLEET_ROLES
FLEET_PROXY=$FLEET_PROXY
FLEET_DB=$FLEET_DB
FLEET_WORKERS=$FLEET_WORKERS
FLEET_RECONCILE_MS=$FLEET_RECONCILE_MS
PG_PORT=$PG_PORT
REDIS_PORT=$REDIS_PORT
SIM_PORT=$SIM_PORT
LB_PORT=$LB_PORT
KAFKA_BROKERS=$KAFKA_BROKERS
NET_PG_PORT=$NET_PG_PORT
NET_REDIS_PORT=$NET_REDIS_PORT
NET_CONTROL_PORT=$NET_CONTROL_PORT
INSTANCE_PORTS="$INSTANCE_PORTS"
FLEET_URL=$FLEET_URL
FLEET_ADMIN_EMAIL=admin@fleet.admit.test
EOF
    mv "$FLEET_DIR/fleet.env.tmp" "$FLEET_DIR/fleet.env"
}

fleet_psql() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -X -q -t -A "$@"; }

fleet_up() { # INSTANCES EVENTS ROLES PROXY DB FRESH WORKERS HOLD RECONCILE
    FLEET_INSTANCES=$1 FLEET_EVENTS=$2 FLEET_ROLES=$3 FLEET_PROXY=$4 FLEET_DB=$5
    local fresh=$6 hold=$8
    FLEET_WORKERS=$7 FLEET_RECONCILE_MS=${9:-300000}
    for tool in psql curl nginx openssl; do command -v "$tool" >/dev/null || fleet_die "$tool is not installed"; done
    [[ -x $FLEET_BUILD/host/runtime/admitd && -x $FLEET_BUILD/plugins/toss/simulator/admit-pay-sim ]] ||
        fleet_die "$FLEET_BUILD lacks admitd or admit-pay-sim (build them first)"
    if [[ -f $FLEET_DIR/fleet.env ]]; then
        local k running=0
        ( fleet_load_env; for ((k = 1; k <= FLEET_INSTANCES; k++)); do
            fleet_pid_alive "$(fleet_pid_of "$(fleet_instance_pidfile "$k")")" && exit 0; done; exit 1 ) && running=1
        ((running == 0)) || fleet_die "a fleet already runs in $FLEET_DIR (scripts/fleet down first)"
    fi

    bash "$ROOT/scripts/lib/servers.sh" start "$FLEET_DIR" >/dev/null
    # shellcheck disable=SC1091
    source "$FLEET_DIR/ports.env"
    if ((fresh)); then
        fleet_psql -d postgres -c "DROP DATABASE IF EXISTS $FLEET_DB WITH (FORCE)" >/dev/null
        if [[ -n $FLEET_DB_TEMPLATE ]]; then
            fleet_psql -d postgres -c "CREATE DATABASE $FLEET_DB TEMPLATE $FLEET_DB_TEMPLATE" >/dev/null
        fi
        redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
        rm -f "$FLEET_DIR/paysim/journal.jsonl"
    fi
    [[ $(fleet_psql -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$FLEET_DB'") == 1 ]] ||
        fleet_psql -d postgres -c "CREATE DATABASE $FLEET_DB" >/dev/null

    # Ports: chosen once per run directory, so a restarted fleet keeps its addresses.
    local saved=$FLEET_DIR/fleet-ports.env
    SIM_PORT="" LB_PORT="" INSTANCE_PORTS=""
    # shellcheck disable=SC1090
    [[ -f $saved ]] && source "$saved"
    local taken="$PG_PORT $REDIS_PORT" ports=($INSTANCE_PORTS) k
    [[ -n $SIM_PORT ]] || SIM_PORT=$(fleet_free_port "$taken")
    taken+=" $SIM_PORT"
    [[ -n $LB_PORT ]] || LB_PORT=$(fleet_free_port "$taken")
    taken+=" $LB_PORT ${ports[*]}"
    for ((k = ${#ports[@]}; k < FLEET_INSTANCES; k++)); do
        ports+=("$(fleet_free_port "$taken")")
        taken+=" ${ports[k]}"
    done
    INSTANCE_PORTS="${ports[*]}"
    printf 'SIM_PORT=%s\nLB_PORT=%s\nINSTANCE_PORTS="%s"\n' "$SIM_PORT" "$LB_PORT" "$INSTANCE_PORTS" >"$saved"
    INSTANCE_PORTS="${ports[*]:0:FLEET_INSTANCES}"
    if [[ $FLEET_PROXY == nginx ]]; then
        FLEET_URL=http://127.0.0.1:$LB_PORT
    else
        FLEET_URL=http://127.0.0.1:${ports[0]}
    fi

    bash "$ROOT/scripts/lib/paysim.sh" start "$FLEET_DIR" "$FLEET_BUILD/plugins/toss/simulator/admit-pay-sim" \
        "$SIM_PORT" "$FLEET_URL/api/v1/payments/webhooks/toss" >/dev/null
    KAFKA_BROKERS=""
    [[ $FLEET_EVENTS == kafka ]] && fleet_start_kafka
    NET_PG_PORT="" NET_REDIS_PORT="" NET_CONTROL_PORT=""
    ((FLEET_NETFAULTS)) && fleet_start_fault_proxy "$taken"
    fleet_write_policies "$hold"
    for ((k = 1; k <= FLEET_INSTANCES; k++)); do fleet_write_venue "$k" "$(fleet_instance_port "$k")"; done
    fleet_save_env

    # The admin account (migrations run here too, once, before the instances race for them).
    [[ -f $FLEET_DIR/passwords.env ]] || python3 -c 'import secrets
for n in ("ADMIN", "SELLER", "BUYER", "STAFF"): print(f"FLEET_{n}_PASSWORD={secrets.token_urlsafe(18)}")' >"$FLEET_DIR/passwords.env"
    (
        set -a
        # shellcheck disable=SC1091
        source "$FLEET_DIR/passwords.env"
        source "$FLEET_DIR/paysim/secrets.env"
        set +a
        export ADMIT_TOSS_SECRET_KEY=$ADMIT_PAYSIM_SECRET_KEY ADMIT_TOSS_WEBHOOK_SECRET=$ADMIT_PAYSIM_WEBHOOK_SECRET
        "$FLEET_BUILD/host/runtime/admitd" --config "$FLEET_DIR/instance-1/venue.toml" admin create \
            --email admin@fleet.admit.test --password-env FLEET_ADMIN_PASSWORD >"$FLEET_DIR/admin-create.log" 2>&1 ||
            grep -qi "exists\|taken" "$FLEET_DIR/admin-create.log" ||
            fleet_die "admin create failed: $(tail -5 "$FLEET_DIR/admin-create.log")"
    )

    fleet_start_instance 1
    fleet_wait_instance 1 120
    for ((k = 2; k <= FLEET_INSTANCES; k++)); do fleet_start_instance "$k"; done
    for ((k = 2; k <= FLEET_INSTANCES; k++)); do fleet_wait_instance "$k" 120; done
    if [[ $FLEET_PROXY == nginx ]]; then
        fleet_write_nginx
        fleet_start_nginx
    fi
    echo "fleet up: $FLEET_INSTANCES admitd ($FLEET_ROLES roles, $FLEET_EVENTS events) on ports $INSTANCE_PORTS"
    echo "  clients:    $FLEET_URL$([[ $FLEET_PROXY == nginx ]] && echo " (nginx, round robin)")"
    echo "  simulator:  http://127.0.0.1:$SIM_PORT (ledger /sim/ledger)"
    echo "  postgresql: 127.0.0.1:$PG_PORT database $FLEET_DB; redis: 127.0.0.1:$REDIS_PORT"
    [[ -n $KAFKA_BROKERS ]] && echo "  kafka mock: $KAFKA_BROKERS"
    echo "  logs:       $FLEET_DIR/instance-K/admitd.log; state: $FLEET_DIR/fleet.env"
}

# The fault proxy between the instances and PostgreSQL / Redis (--net-faults): ports chosen
# outside TAKEN, NET_PG_PORT, NET_REDIS_PORT and NET_CONTROL_PORT set, returns once it listens.
fleet_start_fault_proxy() { # TAKEN
    local taken=$1 dir=$FLEET_DIR/netproxy
    mkdir -p "$dir"
    [[ -f $dir/proxy.pid ]] && fleet_signal "$dir/proxy.pid" TERM
    NET_PG_PORT=$(fleet_free_port "$taken")
    NET_REDIS_PORT=$(fleet_free_port "$taken $NET_PG_PORT")
    NET_CONTROL_PORT=$(fleet_free_port "$taken $NET_PG_PORT $NET_REDIS_PORT")
    rm -f "$dir/proxy.pid"
    setsid python3 "$ROOT/scripts/lib/fault_proxy.py" --control "$NET_CONTROL_PORT" \
        --route "pg:$NET_PG_PORT:$PG_PORT" --route "redis:$NET_REDIS_PORT:$REDIS_PORT" \
        --pidfile "$dir/proxy.pid" >>"$dir/proxy.log" 2>&1 </dev/null &
    fleet_wait_http "http://127.0.0.1:$NET_CONTROL_PORT/faults" 15 ||
        fleet_die "the fault proxy did not start: $(tail -5 "$dir/proxy.log" 2>/dev/null)"
}

# Any other admitd still running this fleet's instance K: one whose pid file entry was lost (a
# fault campaign's second start of a live instance overwrote it; seen after kill-all then
# pg-restart) would keep its port and fail every later start with "Address already in use".
# Matched by its exact venue file, so nothing outside this fleet directory is touched.
fleet_stop_strays() { # K
    local venue=$FLEET_DIR/instance-$1/venue.toml pid
    for pid in $(pgrep -f -x -- ".*/admitd --config $venue" || true); do
        kill -CONT "$pid" 2>/dev/null || true
        kill -KILL "$pid" 2>/dev/null || true
    done
}

fleet_down() { # KEEP_SERVERS
    local keep_servers=${1:-0}
    if [[ -f $FLEET_DIR/fleet.env ]]; then
        fleet_load_env
        local k
        [[ -f $FLEET_DIR/nginx/nginx.pid ]] && fleet_signal "$FLEET_DIR/nginx/nginx.pid" TERM
        for ((k = 1; k <= FLEET_INSTANCES; k++)); do
            fleet_signal "$(fleet_instance_pidfile "$k")" CONT
            fleet_signal "$(fleet_instance_pidfile "$k")" TERM
            fleet_stop_strays "$k"
        done
        [[ -f $FLEET_DIR/kafka/broker.pid ]] && fleet_signal "$FLEET_DIR/kafka/broker.pid" TERM
        [[ -f $FLEET_DIR/netproxy/proxy.pid ]] && fleet_signal "$FLEET_DIR/netproxy/proxy.pid" TERM
    fi
    bash "$ROOT/scripts/lib/paysim.sh" stop "$FLEET_DIR" >/dev/null 2>&1 || true
    if [[ $keep_servers == 0 && -f $FLEET_DIR/ports.env ]]; then
        bash "$ROOT/scripts/lib/servers.sh" stop "$FLEET_DIR" >/dev/null 2>&1 || true
    fi
    echo "fleet down ($FLEET_DIR)"
}

fleet_status() {
    fleet_load_env
    local rc=0 k port pid
    bash "$ROOT/scripts/lib/servers.sh" status "$FLEET_DIR" || rc=1
    bash "$ROOT/scripts/lib/paysim.sh" status "$FLEET_DIR" || rc=1
    if [[ $FLEET_EVENTS == kafka ]]; then
        if fleet_pid_alive "$(fleet_pid_of "$FLEET_DIR/kafka/broker.pid")"; then echo "kafka mock: running ($KAFKA_BROKERS)"; else echo "kafka mock: stopped"; rc=1; fi
    fi
    for ((k = 1; k <= FLEET_INSTANCES; k++)); do
        port=$(fleet_instance_port "$k")
        pid=$(fleet_pid_of "$(fleet_instance_pidfile "$k")")
        if ! fleet_pid_alive "$pid"; then
            echo "instance $k: stopped (port $port)"; rc=1
        elif curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/readyz" 2>/dev/null; then
            echo "instance $k: ready (port $port, pid $pid, plugins $(fleet_plugins_of "$k" "$FLEET_ROLES" | tr -d '"'))"
        else
            echo "instance $k: running, not ready (port $port, pid $pid)"; rc=1
        fi
    done
    if [[ $FLEET_PROXY == nginx ]]; then
        if curl -fsS -o /dev/null --max-time 1 "$FLEET_URL/readyz" 2>/dev/null; then echo "nginx: ready ($FLEET_URL)"; else echo "nginx: not ready ($FLEET_URL)"; rc=1; fi
    fi
    return $rc
}
