#!/usr/bin/env bash
# bench-notify.sh: how fast the log and notification plugins follow a burst of events, on one
# admitd (auth, log, notification and the test publisher log_test_hooks) with a private PostgreSQL
# and Redis, the harness's SMTP server (tests/support/smtp_sink.py, aiosmtpd) and a webhook
# receiver (a Python HTTP server answering 200), all on this machine.
#
#   scripts/bench notify
#
# 1. One buyer account (the auth plugin gives the e-mail address) and one webhook for ticket.*.
# 2. EVENTS ticket.issued events for that buyer, published in transactions of BATCH events.
# 3. Measures, from the first publish: audit entries written/s (log.entries), in-app, e-mail and
#    webhook deliveries/s (notification.messages sent), each until the last one is done; and each
#    one's own rate from the rows' times (first to last entry recorded / message sent), which leaves
#    out the wait before the first one.
# 4. Reference of the same run: single-row INSERTs/s into PostgreSQL with 1 client (pgbench), the
#    shape of one audit append (the chain lock makes appends one at a time).
#
# Environment: BUILD_DIR (default build/bench), EVENTS (5000), BATCH (250), SKIP_BUILD (0),
# BACKGROUND_NICE (10).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${ADMIT_BENCH_BUILD_DIR:-${BUILD_DIR:-$ROOT/build/bench}}"
EVENTS="${EVENTS:-5000}"
BATCH="${BATCH:-250}"
# The nice value of admitd's relay and delivery threads: 10 as in production (they yield the cores
# to requests, and on a shared machine to every other process); 0 measures what the delivery path
# itself sustains when other processes load the cores.
BACKGROUND_NICE="${BACKGROUND_NICE:-10}"
RUNDIR="$BUILD_DIR/run/notify"
DB="notify_bench_$(date +%s)"

die() { echo "bench-notify: $*" >&2; exit 1; }
for tool in psql pgbench curl python3 openssl; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
[[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || die "python3-aiosmtpd is not installed"

if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DADMIT_BUILD_TESTS=ON -DADMIT_BUILD_BENCH=ON >/dev/null
fi
# SKIP_BUILD=1: use the binaries as they are (another build runs in BUILD_DIR, or an A/B run swapped
# a plugin in by hand).
[[ ${SKIP_BUILD:-0} == 1 ]] ||
    cmake --build "$BUILD_DIR" --target admitd auth log notification log_test_hooks -j "${ADMIT_JOBS:-2}" >/dev/null
ADMITD="$BUILD_DIR/host/runtime/admitd"

mkdir -p "$RUNDIR"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    bash "$ROOT/scripts/lib/servers.sh" stop "$RUNDIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT

bash "$ROOT/scripts/lib/servers.sh" start "$RUNDIR" >/dev/null
# shellcheck disable=SC1091
source "$RUNDIR/ports.env"
PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -X -q -t -A)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB" >/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The SMTP server (STARTTLS with a self-signed certificate) and the webhook receiver.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$RUNDIR/key.pem" -out "$RUNDIR/cert.pem" >/dev/null 2>&1
rm -rf "$RUNDIR/mail"
/usr/bin/python3 "$ROOT/tests/support/smtp_sink.py" --dir "$RUNDIR/mail" --cert "$RUNDIR/cert.pem" \
    --key "$RUNDIR/key.pem" --auth mailer:bench-pw >"$RUNDIR/smtp.log" 2>&1 &
PIDS+=($!)
HOOK_PORT="$(free_port)"
python3 - "$HOOK_PORT" >"$RUNDIR/receiver.log" 2>&1 <<'PY' &
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()
PY
PIDS+=($!)
for _ in $(seq 100); do [[ -f "$RUNDIR/mail/port" ]] && break; sleep 0.1; done
[[ -f "$RUNDIR/mail/port" ]] || die "the SMTP server did not start ($RUNDIR/smtp.log)"
SMTP_PORT="$(cat "$RUNDIR/mail/port")"

ADMIT_PORT="$(free_port)"
VENUE="$RUNDIR/venue.toml"
cat >"$VENUE" <<TOML
[venue]
id = "notify-bench"
name = "Notify bench"
currency = "KRW"
[server]
port = $ADMIT_PORT
[log]
level = "warn"
[access]
roles = ["customer", "seller", "admin", "staff"]
rate_categories = ["general", "auth", "queue", "booking"]
[plugins]
dir = "$BUILD_DIR/plugins"
load = ["auth", "log", "notification", "log_test_hooks"]
[policies]
dir = "$ROOT/policies"
[database]
url = "postgresql://postgres@127.0.0.1:$PG_PORT/$DB"
pool_size = 16
[redis]
host = "127.0.0.1"
port = $REDIS_PORT
[plugin.auth]
development_keys = true   # signing keys generated and kept in this run's database
[events]
background_nice = $BACKGROUND_NICE
[plugin.notification]
templates_dir = "$ROOT/config/venues/demo/notifications"
delivery_interval_ms = 20
batch = 1000
in_app_per_second = 1000000
email_per_second = 1000000
webhook_per_second = 1000000
smtp_url = "smtp://127.0.0.1:$SMTP_PORT"
smtp_ca_file = "$RUNDIR/cert.pem"
email_from = "tickets@bench.admit.test"
TOML
ADMIT_SMTP_USER=mailer ADMIT_SMTP_PASSWORD=bench-pw "$ADMITD" --config "$VENUE" >"$RUNDIR/admitd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$ADMIT_PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$ADMIT_PORT/readyz" >/dev/null || die "admitd is not ready (see $RUNDIR/admitd.log)"
A="http://127.0.0.1:$ADMIT_PORT/api/v1"
J='Content-Type: application/json'

curl -fs "$A/auth/signup" -H "$J" -d '{"email":"buyer@bench.admit.test","password":"long-enough-pw","name":"Bench"}' >"$RUNDIR/buyer.json"
USER_ID="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$RUNDIR/buyer.json")"
TOKEN="$(curl -fs "$A/auth/login" -H "$J" -d '{"email":"buyer@bench.admit.test","password":"long-enough-pw"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')"
ADMIN_PASSWORD=bench-admin-pw "$ADMITD" --config "$VENUE" admin create --email admin@bench.admit.test \
    --password-env ADMIN_PASSWORD >/dev/null 2>&1 || true
ADMIN="$(curl -fs "$A/auth/login" -H "$J" -d '{"email":"admin@bench.admit.test","password":"bench-admin-pw"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')"
curl -fs "$A/admin/webhooks" -H "$J" -H "Authorization: Bearer $ADMIN" \
    -d "{\"url\":\"http://127.0.0.1:$HOOK_PORT/hook\",\"eventTypes\":[\"ticket.*\"],\"secret\":\"bench-secret-0123456789\"}" >/dev/null

# The burst: EVENTS ticket.issued events in transactions of BATCH, from a Python client.
echo "bench-notify: publishing $EVENTS events in batches of $BATCH"
START_US="$(python3 -c 'import time; print(int(time.time()*1e6))')"
python3 - "$A/test/publish" "$TOKEN" "$USER_ID" "$EVENTS" "$BATCH" <<'PY'
import json, sys, urllib.request
url, token, user, events, batch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
for start in range(0, events, batch):
    body = {"events": [{"topic": "ticket.issued", "key": "sch_bench_%d" % (i % 16),
                        "payload": {"ticketId": "tkt_bench_%d" % i, "reservationId": "rsv_bench_%d" % i,
                                    "userId": user}} for i in range(start, min(events, start + batch))]}
    request = urllib.request.Request(url, json.dumps(body).encode(), {
        "Content-Type": "application/json", "Authorization": "Bearer " + token})
    urllib.request.urlopen(request).read()
PY
PUBLISHED_US="$(python3 -c 'import time; print(int(time.time()*1e6))')"

# Waits until `sql` reaches EVENTS (or 600 s); prints the moment it did.
await_count() {
    local sql=$1 deadline n
    deadline=$(($(date +%s) + 600))
    while (($(date +%s) < deadline)); do
        n="$("${PSQL[@]}" -d "$DB" -c "$sql")"
        if ((n >= EVENTS)); then python3 -c 'import time; print(int(time.time()*1e6))'; return; fi
        sleep 0.2
    done
    die "timed out waiting for: $sql (at $n of $EVENTS)"
}
AUDIT_DONE="$(await_count "SELECT count(*) FROM log.entries WHERE action = 'ticket.issued'")"
INAPP_DONE="$(await_count "SELECT count(*) FROM notification.messages WHERE channel = 'in_app' AND status = 'sent'")"
HOOK_DONE="$(await_count "SELECT count(*) FROM notification.messages WHERE channel = 'webhook' AND status = 'sent'")"
MAIL_DONE="$(await_count "SELECT count(*) FROM notification.messages WHERE channel = 'email' AND status = 'sent'")"
MAILS="$(find "$RUNDIR/mail" -name 'msg-*.json' | wc -l)"
# Delivery rates from the rows' own times (first to last sent), which excludes the queueing
# before the first delivery.
rate_of() {
    "${PSQL[@]}" -d "$DB" -c "SELECT round(count(*) / greatest((max(sent_us) - min(sent_us)) / 1e6, 0.001)) FROM notification.messages WHERE channel = '$1' AND status = 'sent'"
}

AUDIT_OWN="$("${PSQL[@]}" -d "$DB" -c "SELECT round(count(*) / greatest((max(recorded_us) - min(recorded_us)) / 1e6, 0.001)) FROM log.entries WHERE action = 'ticket.issued'")"
AUDIT_TXS="$("${PSQL[@]}" -d "$DB" -c "SELECT count(DISTINCT xmin::text) FROM log.entries WHERE action = 'ticket.issued'")"

# Reference: single-row INSERTs with one client, the same run.
"${PSQL[@]}" -d "$DB" -c "CREATE TABLE IF NOT EXISTS bench_ref (id bigserial PRIMARY KEY, v text)" >/dev/null
echo "INSERT INTO bench_ref (v) VALUES ('x');" >"$RUNDIR/insert.sql"
REF_TPS="$(pgbench -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -c 1 -T 5 -f "$RUNDIR/insert.sql" "$DB" 2>/dev/null |
    sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)"

python3 - "$EVENTS" "$START_US" "$PUBLISHED_US" "$AUDIT_DONE" "$INAPP_DONE" "$HOOK_DONE" "$MAIL_DONE" \
    "$(rate_of in_app)" "$(rate_of webhook)" "$(rate_of email)" "$REF_TPS" "$MAILS" "$AUDIT_OWN" "$AUDIT_TXS" "$BACKGROUND_NICE" <<'PY'
import sys
events, start, published, audit, inapp, hook, mail = (int(x) for x in sys.argv[1:8])
inapp_rate, hook_rate, mail_rate, ref, mails = float(sys.argv[8]), float(sys.argv[9]), float(sys.argv[10]), float(sys.argv[11]), int(sys.argv[12])
audit_own, audit_txs = float(sys.argv[13]), int(sys.argv[14])
def per_s(done): return events / max((done - start) / 1e6, 1e-6)
print("RESULT events=%d" % events)
print("RESULT background_nice=%s" % sys.argv[15])
print("RESULT publish_events_per_s=%.0f" % per_s(published))
print("RESULT audit_entries_per_s=%.0f" % per_s(audit))
print("RESULT audit_lag_after_publish_s=%.2f" % ((audit - published) / 1e6))
print("RESULT audit_entries_own_rate_per_s=%.0f" % audit_own)
print("RESULT audit_transactions=%d" % audit_txs)
print("RESULT audit_entries_per_transaction=%.1f" % (events / audit_txs if audit_txs else 0))
print("RESULT in_app_end_to_end_per_s=%.0f" % per_s(inapp))
print("RESULT in_app_deliveries_per_s=%.0f" % inapp_rate)
print("RESULT webhook_deliveries_per_s=%.0f" % hook_rate)
print("RESULT webhook_end_to_end_per_s=%.0f" % per_s(hook))
print("RESULT email_deliveries_per_s=%.0f" % mail_rate)
print("RESULT email_end_to_end_per_s=%.0f" % per_s(mail))
print("RESULT emails_received=%d" % mails)
print("RESULT reference_single_insert_tps=%.0f" % ref)
print("RESULT ratio_audit_to_single_insert=%.2f" % (per_s(audit) / ref if ref else 0))
print("RESULT ratio_audit_own_rate_to_single_insert=%.2f" % (audit_own / ref if ref else 0))
PY
