#!/usr/bin/env bash
# Purchase throughput of admit-pay-sim (approve + confirm pairs, wrk -t2 -c64 for 15 s, journal
# on), and the simulator's CPU time per purchase from /proc. Needs wrk, jq, curl.
# usage: run.sh BIN [webhook-url]   (PAYSIM_ARGS="--threads 1" adds options)
set -eu
bin=$1; hook=${2:-}
export ADMIT_PAYSIM_SECRET_KEY=test_sk_bench ADMIT_PAYSIM_WEBHOOK_SECRET=whsec_bench
j=$(mktemp -u /tmp/paysim-bench-XXXX.jsonl); log=$(mktemp /tmp/paysim-bench-XXXX.log)
args=(--port 0 --journal "$j" ${PAYSIM_ARGS:-}); [[ -n $hook ]] && args+=(--webhook-url "$hook")
"$bin" "${args[@]}" > "$log" 2>&1 & pid=$!
for i in $(seq 100); do grep -q listening "$log" && break; sleep 0.05; done
port=$(grep -oE 'listening on http://[0-9.]+:[0-9]+' "$log" | sed 's/.*://')
export PAYSIM_AUTH="Basic $(printf '%s:' test_sk_bench | base64)"
t0=$(awk '{print $14+$15}' /proc/$pid/stat)
wrk -t2 -c64 -d15s --latency -s "$(dirname "$0")/paysim_purchase.lua" http://127.0.0.1:$port | grep -E "Requests/sec|50%|99%"
t1=$(awk '{print $14+$15}' /proc/$pid/stat)
sleep 1
stats=$(curl -s 127.0.0.1:$port/sim/stats)
done_=$(echo "$stats" | jq .confirmsDone)
echo "purchases/s: $((done_ / 15))   sim CPU per purchase: $(( (t1 - t0) * 10000 / done_ )) us   webhooks: $(echo "$stats" | jq -c '{w: .webhooks.delivered, pending: .webhookPending}')"
kill -TERM $pid; wait $pid || true; rm -f "$j" "$log"
