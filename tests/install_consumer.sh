#!/usr/bin/env bash
# Installs the build tree to a temporary prefix, builds tests/consumer against it and runs it:
# the package must keep self-registrations (the GEMM variants and the consumer's own kernel).
set -euo pipefail
build=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/tests/consumer" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer" list variants | tee "$work/list.txt"
grep -q "scale.plain" "$work/list.txt"
grep -q "gemm.naive" "$work/list.txt"
"$work/build/consumer" check scale.plain
"$work/prefix/bin/cromwell" list kernels | grep -q gemm
echo "install + consumer: ok"
