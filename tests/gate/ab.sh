#!/usr/bin/env bash
# gate --ab end to end: a binary against itself passes (exit 0), the same binary doing 20 % more
# work per call (the test-only gemm.test_extra, through a wrapper that sets CROMWELL_TEST_EXTRA_PCT
# for the new side only) fails with exit 1 and a summary that says regressed, and a binary that is
# not there is refused with exit 2. The injected change is four times τ, so that a noisy host
# makes the answer slower, not different; the 5 % figures are in docs/PERFORMANCE.md.
set -euo pipefail
cromwell=$1
plugins=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CROMWELL_PLUGINS=$plugins
printf '#!/bin/sh\nCROMWELL_TEST_EXTRA_PCT=20 exec %s "$@"\n' "$cromwell" >"$work/slower"
chmod +x "$work/slower"
select=(gemm.test_extra --shape m:100,n:64,k:64 --budget 6)
fail=0

status=0
"$cromwell" gate --ab "$cromwell" "$cromwell" "${select[@]}" >"$work/same.out" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  echo "FAIL: a binary against itself exited $status:"; cat "$work/same.out"; fail=1
fi

status=0
"$cromwell" gate --ab "$cromwell" "$work/slower" "${select[@]}" --summary "$work/summary.md" >"$work/slow.out" 2>&1 ||
  status=$?
if [ "$status" -ne 1 ] || ! grep -q '\*\*regressed\*\*' "$work/summary.md"; then
  echo "FAIL: a binary 20 % slower exited $status:"; cat "$work/slow.out"; fail=1
fi

status=0
"$cromwell" gate --ab "$cromwell" "$work/missing" "${select[@]}" >"$work/missing.out" 2>&1 || status=$?
if [ "$status" -ne 2 ] || ! grep -q "no such file" "$work/missing.out"; then
  echo "FAIL: a missing binary exited $status:"; cat "$work/missing.out"; fail=1
fi
grep -h "gemm.test_extra.* time " "$work/same.out" "$work/slow.out" || true
exit $fail
