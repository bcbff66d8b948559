#!/usr/bin/env bash
# The instruction-count gate catches a 1 % heavier kernel, and passes the same kernel unchanged:
# gemm.test_extra (tests/plugins) at m = 100 does one more row of its GEMM per call when
# CROMWELL_TEST_EXTRA_PCT=1 — the same config key, as a new build of the same code would be.
# Skipped (77) without valgrind.
set -euo pipefail
cromwell=$1
plugins=$2
command -v valgrind >/dev/null || { echo "skipped: valgrind is not installed (scripts/bootstrap installs it)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CROMWELL_PLUGINS=$plugins
sweep() {  # sweep NAME EXTRA_PCT
  CROMWELL_TEST_EXTRA_PCT=$2 "$cromwell" sweep gemm.test_extra --shape m:100,n:16,k:16 --counters sim \
    --repetitions 2 --min-time 0.001 -o "$work/$1.csv" >"$work/$1.log" 2>&1 || { cat "$work/$1.log"; exit 1; }
}
sweep base 0
sweep same 0
sweep heavier 1
fail=0
"$cromwell" gate --baseline "$work/base.csv" --candidate "$work/same.csv" --metric instructions >"$work/same.out" 2>&1 ||
  { echo "FAIL: the same kernel did not pass:"; cat "$work/same.out"; fail=1; }
status=0
"$cromwell" gate --baseline "$work/base.csv" --candidate "$work/heavier.csv" --metric instructions \
  >"$work/heavier.out" 2>&1 || status=$?
if [ "$status" -ne 1 ] || ! grep -q "regressed" "$work/heavier.out"; then
  echo "FAIL: a 1 % heavier kernel was not caught (exit $status):"
  cat "$work/heavier.out"
  fail=1
fi
grep "gemm.test_extra" "$work/heavier.out" || true
exit $fail
