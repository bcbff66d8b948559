#!/usr/bin/env bash
# The project's own CI gate: the AVX2 paths of our kernels, on tiny shapes, swept under the cache
# simulator (results/baselines/sim-avx2.toml) and gated on their instruction counts and simulated
# misses against the committed baseline — a kernel made heavier fails CI. Valgrind hides AVX-512
# from CPUID, so those paths are not covered. Skipped (77) without valgrind, and when the
# baseline was recorded with another compiler, flags or valgrind (the gate names the field):
# record a baseline for that toolchain with --update-baseline.
set -euo pipefail
cromwell=$1
src=$2
command -v valgrind >/dev/null || { echo "skipped: valgrind is not installed (scripts/bootstrap installs it)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! "$cromwell" sweep "$src/results/baselines/sim-avx2.toml" -o "$work/now.csv" >"$work/sweep.log" 2>&1; then
  cat "$work/sweep.log"
  exit 1
fi
status=0
"$cromwell" gate --baseline "$src/results/baselines/sim-avx2.csv" --candidate "$work/now.csv" --metric counts \
  --summary "$work/summary.md" >"$work/gate.log" 2>&1 || status=$?
cat "$work/gate.log"
if [ "$status" -eq 2 ] && grep -q "fingerprint differs" "$work/gate.log"; then
  echo "skipped: the baseline's toolchain is not this one (above)"
  exit 77
fi
exit "$status"
