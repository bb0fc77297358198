#!/usr/bin/env bash
# Prints evaluations/s per thread of policies/fees.lua and the latency a policy call adds.
#   scripts/bench-policy.sh [SECONDS_PER_RUN]
# Builds bench_policy in a Release tree (ADMIT_BENCH_BUILD_DIR, default build/bench); an already
# configured tree is reused as it is.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${ADMIT_BENCH_BUILD_DIR:-$root/build/bench}
jobs=${ADMIT_JOBS:-2}

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DADMIT_BUILD_TESTS=ON \
    -DADMIT_BUILD_BENCH=ON >/dev/null
fi
cmake --build "$build" --target bench_policy -j "$jobs" >/dev/null
"$build/tests/policy/bench/bench_policy" "$root/policies" "${1:-2}"
