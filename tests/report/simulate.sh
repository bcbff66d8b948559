#!/usr/bin/env bash
# report --simulate: a sweep with software counters only, then the report that simulates the caches
# of each variant's best configuration — its best table gains L1d/L2/L3 miss rates said to be
# simulated, the L3 report ranks those configurations, and a two-thread row is left out with the
# reason. Also --html beside the terminal report. (valgrind: label sim, never under a sanitizer.)
set -euo pipefail
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin" sweep gemm.naive gemm.blocked gemm.avx2 --shape m:256,n:256,k:256 --threads 1,2 --counters sw \
  --repetitions 2 --min-time 0.001 -o "$dir/x.csv" >/dev/null
"$bin" report "$dir/x.csv" --simulate --html "$dir/x.html" >"$dir/out.txt" 2>"$dir/err.txt" || {
  cat "$dir/out.txt" "$dir/err.txt"
  exit 1
}
fail() {
  echo "FAIL: $1"
  cat "$dir/out.txt" "$dir/err.txt"
  exit 1
}
grep -q "L3 miss" "$dir/out.txt" || fail "no L3 miss column"
grep -q "miss rates: simulated (sim:" "$dir/out.txt" || fail "the miss rates are not said to be simulated"
grep -q "configurations by L3 miss rate" "$dir/out.txt" || fail "no L3 ranking"
grep -q "simulated the caches of 3 best configuration(s)" "$dir/err.txt" || fail "not 3 configs simulated"
grep -q "not simulated: .*threads:2.*one thread" "$dir/err.txt" || fail "a two-thread row without its reason"
grep -q "wrote $dir/x.html" "$dir/out.txt" || fail "no HTML page"
grep -q "L3 miss" "$dir/x.html" || fail "the HTML page lacks the simulated miss rates"
echo "ok"
