#!/usr/bin/env bash
# Builds bench_auth (Release, ADMIT_BUILD_BENCH=ON) and measures logins/s (argon2id-bound) and
# access-token verifications/s per core in one run. Meant to live at scripts/bench-auth.sh.
# Usage: bench-auth.sh [seconds per measurement, default 3]
set -euo pipefail
root=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
build=${ADMIT_BENCH_BUILD_DIR:-$root/build/bench}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DADMIT_BUILD_BENCH=ON -DADMIT_BUILD_TESTS=ON >/dev/null
cmake --build "$build" --target bench_auth -j 2
"$(find "$build" -name bench_auth -type f -perm -u+x | head -1)" "${1:-3}"
