#!/usr/bin/env bash
# Builds bench_ticket (Release, ADMIT_BUILD_BENCH=ON) and measures offline code verifications per
# second on one core (rotating and static codes, without and with the venue-signature cache on a
# hot set, and first sights at a gate whose kit vouches for the signed tickets) against bare
# Ed25519 verifications in the same run. Prints bench_ticket's JSON and
# each of its figures as a RESULT line (scripts/bench keeps them in the run's JSON file).
# Usage: scripts/bench ticket [seconds per measurement, default 3]
set -euo pipefail
root=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
build=${ADMIT_BENCH_BUILD_DIR:-$root/build/bench}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DADMIT_BUILD_BENCH=ON -DADMIT_BUILD_TESTS=ON >/dev/null
cmake --build "$build" --target bench_ticket -j 2
report=$("$build/tests/plugins/ticket/bench/bench_ticket" "${1:-3}")
echo "$report"
python3 -c 'import json, sys
for key, value in json.loads(sys.argv[1]).items():
    print(f"RESULT {key}={value}")' "$report"
