#!/usr/bin/env bash
# Installs the build tree to a temporary prefix, builds examples/ against it and runs it: the
# package must keep self-registrations (Cromwell's kernels and the example's own) and give the
# example the whole command line.
set -euo pipefail
build=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/examples" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
bench="$work/build/axpy-bench"
"$bench" list variants | tee "$work/list.txt"
grep -q "axpy.plain" "$work/list.txt"
grep -q "axpy.unrolled" "$work/list.txt"
grep -q "gemm.naive" "$work/list.txt"
"$bench" check 'axpy.*'
"$bench" sweep 'axpy.*' --set unroll=3,4 --shape n:4099 --repetitions 2 --min-time 0.001 --counters none -o "$work/x.csv"
grep -q "unroll=3 must be a power of two" "$work/x.csv"
grep -q "^\"axpy.unrolled/n:4099/unroll:4/" "$work/x.csv"
"$work/prefix/bin/cromwell" list kernels | grep -q gemm
"$work/prefix/bin/cromwell" counters | grep -q "event tables"   # installed group files are found
echo "install + example: ok"
