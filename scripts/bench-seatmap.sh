#!/usr/bin/env bash
# bench-seatmap.sh: seat-map request rate of one hot 1,000-seat schedule against nginx serving
# the same bytes as a static file, measured with wrk in one run.
#
#   scripts/bench-seatmap.sh
#
# What it does: builds admitd, test_auth, arthall and product in a Release tree (BUILD_DIR,
# default build/bench-seatmap; reused), starts the private PostgreSQL/Redis of scripts/lib/
# servers.sh (RUN_DIR, default run/bench-seatmap; stopped again if this script started them),
# creates a fresh database, runs admitd on a free loopback port, creates a hall with a
# 1,000-seat stage and an ON_SALE product through the API with curl, saves the seat map body,
# serves that file with nginx (private config, free loopback port), then runs wrk against
# GET /api/v1/schedules/{id}/seats and against nginx, one after the other.
# The benchmark venue replaces the `ratelimits` policy with one that leaves `general` unlimited
# (so the request rate, not the per-IP limit, is measured); everything else is the real path.
# Environment: DURATION (10s), CONNECTIONS (64), THREADS (2), WARMUP (2s), WORKERS (admitd
# handler threads, 8), NGINX_WORKERS (2).
# Prints req/s and p99 of each, the body size, and admitd/nginx as a ratio (aim: >= 0.50).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${ADMIT_BENCH_BUILD_DIR:-${BUILD_DIR:-$ROOT/build/bench}}"
RUN_DIR="${RUN_DIR:-$ROOT/run/bench-seatmap}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
WARMUP="${WARMUP:-2s}"
WORKERS="${WORKERS:-8}"
NGINX_WORKERS="${NGINX_WORKERS:-2}"

case "${1:-}" in -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0;; esac
for tool in wrk nginx curl psql python3; do
    command -v "$tool" >/dev/null || { echo "bench-seatmap: $tool is not installed" >&2; exit 1; }
done

if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DADMIT_BUILD_TESTS=ON >/dev/null
fi
cmake --build "$BUILD_DIR" --target admitd test_auth arthall product -j "${ADMIT_JOBS:-2}" >/dev/null

WORK="$(mktemp -d /tmp/bench-seatmap.XXXXXX)"
PIDS=()
STARTED_SERVERS=0
DATABASE="bench_seatmap_$$"
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    if [[ -n "${PG_PORT:-}" ]]; then
        psql -q -h 127.0.0.1 -p "$PG_PORT" -U admit -d admit -c "DROP DATABASE IF EXISTS $DATABASE" >/dev/null 2>&1 || true
    fi
    if [[ $STARTED_SERVERS == 1 ]]; then bash "$ROOT/scripts/lib/servers.sh" stop "$RUN_DIR" >/dev/null 2>&1 || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { # wait_http URL: until it answers 200 (20 s at most)
    for _ in $(seq 1 400); do
        [[ "$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)" == 200 ]] && return 0
        sleep 0.05
    done
    echo "bench-seatmap: $1 never answered 200" >&2
    exit 1
}

# --- storage ------------------------------------------------------------------------------------
if ! bash "$ROOT/scripts/lib/servers.sh" status "$RUN_DIR" >/dev/null 2>&1; then STARTED_SERVERS=1; fi
bash "$ROOT/scripts/lib/servers.sh" start "$RUN_DIR" >/dev/null
set -a; source "$RUN_DIR/servers.env"; set +a
PG_PORT="$ADMIT_PG_PORT"
psql -q -h 127.0.0.1 -p "$PG_PORT" -U admit -d admit -c "CREATE DATABASE $DATABASE" >/dev/null

# --- policies: the repository's, with unlimited `general` requests -------------------------------
mkdir -p "$WORK/policies" "$WORK/www" "$WORK/nginx"
cp "$ROOT"/policies/*.lua "$WORK/policies/"
cat >"$WORK/policies/ratelimits.lua" <<'LUA'
-- Benchmark only: `general` requests are not limited (limit 0), the rest as usual.
fallback = { category = "general", limit = 0, windowSeconds = 60, keyBy = "ip", fallback = true }
function decide(input)
  local category = input.category or "general"
  if category == "auth" then return { category = "auth", limit = 10, windowSeconds = 60, keyBy = "ip" } end
  return { category = category, limit = 0, windowSeconds = 60, keyBy = "ip" }
end
LUA
cat >"$WORK/policies/ratelimits_test.lua" <<'LUA'
function test_general_is_unlimited()
  assert_eq(decide({ category = "general" }).limit, 0)
end
LUA

# --- admitd -------------------------------------------------------------------------------------
ADMIT_PORT="$(free_port)"
cat >"$WORK/venue.toml" <<TOML
[venue]
id = "bench"
name = "Seat map bench"
[server]
port = $ADMIT_PORT
workers = $WORKERS
[log]
level = "warn"
[access]
roles = ["customer", "seller", "admin", "staff"]
rate_categories = ["general", "auth", "queue", "booking"]
[plugins]
dir = "$BUILD_DIR/plugins"
load = ["test_auth", "arthall", "product"]
[policies]
dir = "$WORK/policies"
[database]
url = "postgresql://admit@127.0.0.1:$PG_PORT/$DATABASE"
[redis]
host = "127.0.0.1"
port = $ADMIT_REDIS_PORT
[jobs]
poll_ms = 100
TOML
"$BUILD_DIR/host/runtime/admitd" --config "$WORK/venue.toml" >"$WORK/admitd.log" 2>&1 &
PIDS+=($!)
ADMITD_PID=$!
wait_http "http://127.0.0.1:$ADMIT_PORT/readyz"

API="http://127.0.0.1:$ADMIT_PORT/api/v1"
# shellcheck source=lib/bench_sale.sh
source "$ROOT/scripts/lib/bench_sale.sh"
bench_sale test:seller:usr_bench test:admin:usr_admin 1 "$WORK/product.json"
SCHEDULE="$(json_field '["schedules"][0]["scheduleId"]' <"$WORK/product.json")"
TARGET="$API/schedules/$SCHEDULE/seats"
sleep 1.2 # let the facts cache pick up ON_SALE, so the body below is the one wrk will get
curl -sS --fail "$TARGET" -o "$WORK/www/seatmap.json"
# The gzip variant as admitd sends it (raw bytes: curl does not decode without --compressed).
curl -sS --fail -H 'Accept-Encoding: gzip' "$TARGET" -o "$WORK/www/seatmap.json.gz"
cmp -s <(gzip -dc "$WORK/www/seatmap.json.gz") "$WORK/www/seatmap.json" ||
    { echo "bench-seatmap: the gzip variant does not decode to the plain map" >&2; exit 1; }
SEATS="$(json_field '["seats"].__len__()' <"$WORK/www/seatmap.json")"
[[ "$SEATS" == 1000 ]] || { echo "bench-seatmap: the seat map has $SEATS seats, not 1000" >&2; exit 1; }
chmod -R a+rX "$WORK"

# --- nginx with the same bytes ------------------------------------------------------------------
NGINX_PORT="$(free_port)"
cat >"$WORK/nginx/nginx.conf" <<NGINX
worker_processes $NGINX_WORKERS;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path $WORK/nginx/tmp;
    proxy_temp_path $WORK/nginx/tmp;
    fastcgi_temp_path $WORK/nginx/tmp;
    uwsgi_temp_path $WORK/nginx/tmp;
    scgi_temp_path $WORK/nginx/tmp;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WORK/www;
        location / { default_type application/json; }
        location = /seatmap.json.gz {
            default_type application/json;
            add_header Content-Encoding gzip;
        }
    }
}
NGINX
mkdir -p "$WORK/nginx/tmp"
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
PIDS+=($!)
wait_http "http://127.0.0.1:$NGINX_PORT/seatmap.json"
cmp -s <(curl -sS "http://127.0.0.1:$NGINX_PORT/seatmap.json") "$WORK/www/seatmap.json" ||
    { echo "bench-seatmap: nginx serves different bytes" >&2; exit 1; }

# --- wrk ----------------------------------------------------------------------------------------
# run_wrk NAME URL [wrk options]: prints "NAME req/s p99" and stores REQS.
run_wrk() {
    local name="$1" url="$2"
    shift 2
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$@" "$url" >/dev/null
    local out p99 non2xx
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url")"
    REQS="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
    non2xx="$(awk '/Non-2xx or 3xx responses/ {print $NF}' <<<"$out")"
    printf '%-12s %12s req/s   p99 %9s%s\n' "$name" "$REQS" "$p99" "${non2xx:+   (non-2xx: $non2xx)}"
    [[ -z "$non2xx" ]] || { echo "bench-seatmap: $name answered errors" >&2; exit 1; }
}

PLAIN_BYTES="$(wc -c <"$WORK/www/seatmap.json")"
GZIP_BYTES="$(wc -c <"$WORK/www/seatmap.json.gz")"
echo "seat map of one 1,000-seat schedule: $PLAIN_BYTES bytes of JSON, $GZIP_BYTES gzipped"
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION (after a $WARMUP warm-up; same machine, one after the other)"
run_wrk admitd "$TARGET"
ADMIT_REQS="$REQS"
run_wrk nginx "http://127.0.0.1:$NGINX_PORT/seatmap.json"
NGINX_REQS="$REQS"
run_wrk admitd-gzip "$TARGET" -H 'Accept-Encoding: gzip'
ADMIT_GZIP_REQS="$REQS"
run_wrk nginx-gzip "http://127.0.0.1:$NGINX_PORT/seatmap.json.gz" -H 'Accept-Encoding: gzip'
NGINX_GZIP_REQS="$REQS"
awk -v a="$ADMIT_REQS" -v n="$NGINX_REQS" 'BEGIN { printf "ratio admitd/nginx: %.2f (aim >= 0.50)\n", a / n }'
awk -v a="$ADMIT_GZIP_REQS" -v n="$NGINX_GZIP_REQS" \
    'BEGIN { printf "ratio admitd/nginx, gzip: %.2f (aim >= 0.50)\n", a / n }'
echo "RESULT plain_bytes=$PLAIN_BYTES"
echo "RESULT gzip_bytes=$GZIP_BYTES"
echo "RESULT admitd_rps=$ADMIT_REQS"
echo "RESULT nginx_rps=$NGINX_REQS"
echo "RESULT admitd_gzip_rps=$ADMIT_GZIP_REQS"
echo "RESULT nginx_gzip_rps=$NGINX_GZIP_REQS"
kill -0 "$ADMITD_PID" 2>/dev/null || { echo "bench-seatmap: admitd died; log:" >&2; cat "$WORK/admitd.log" >&2; exit 1; }
