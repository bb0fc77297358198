#!/usr/bin/env bash
# Builds bench_ticket (Release, ADMIT_BUILD_BENCH=ON) and measures offline code verifications per
# second on one core (rotating and static codes) against bare Ed25519 verifications in the same
# run. Usage: scripts/bench ticket [seconds per measurement, default 3]
set -euo pipefail
root=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
build=${ADMIT_BENCH_BUILD_DIR:-$root/build/bench}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DADMIT_BUILD_BENCH=ON -DADMIT_BUILD_TESTS=ON >/dev/null
cmake --build "$build" --target bench_ticket -j 2
"$build/tests/plugins/ticket/bench/bench_ticket" "${1:-3}"
