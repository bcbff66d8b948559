#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz_*.cpp) with clang, AddressSanitizer and UBSan, and runs each
# for SECONDS on a copy of its committed corpus (corpus/<name>/), both at once.
#
#   tests/fuzz/run.sh BUILD_DIR SOURCE_DIR [SECONDS]      (ctest runs it as `fuzz`, 20 s)
#
# BUILD_DIR is a release build: the targets link its libcromwell.so for the registry, the variants
# and the machine, and compile the code they exercise (the spec and CSV readers and what they call
# to validate) themselves, instrumented, into BUILD_DIR/fuzz (rebuilt only when a source changed).
# The TOML parser is Debian's libtomlplusplus.so, as in the harness (toml++ compiled header-only
# and without NDEBUG aborts on "[?x]" in an assertion: marzer/tomlplusplus#294; the library
# reports it as a parse error).
# A finding leaves its input in BUILD_DIR/fuzz/<name>-crash-* (or leak-, timeout-, oom-): replay it
# with BUILD_DIR/fuzz/fuzz_<name> FILE, and add its minimized form to the corpus once fixed
# (fuzz_<name> -minimize_crash=1 -runs=10000 FILE).
set -euo pipefail
build=$(realpath "$1")
src=$(realpath "$2")
seconds=${3:-20}
out=$build/fuzz
command -v clang++ >/dev/null || { echo "clang++ is missing: scripts/bootstrap installs clang and libclang-rt-14-dev" >&2; exit 1; }
[ -e "$build/libcromwell.so" ] || { echo "$build/libcromwell.so is missing: build the release preset first" >&2; exit 1; }
mkdir -p "$out"

# What each target compiles itself (instrumented); the rest comes from libcromwell.so.
# (-O0: the build, not the fuzzing, is most of the test's time on two cores.)
spec_sources="tests/fuzz/fuzz_spec.cpp harness/run/spec.cpp harness/core/param.cpp"
results_sources="tests/fuzz/fuzz_results.cpp harness/io/csv.cpp harness/io/schema.cpp"

objects() { for s in $1; do printf '%s ' "obj/${s%.cpp}.o"; done; }
{
  echo "flags = -std=c++20 -gline-tables-only -O0 -march=x86-64-v2 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -DTOML_HEADER_ONLY=0 -DTOML_SHARED_LIB=1 -I$src"
  echo "libs = -L$build -lcromwell -ltomlplusplus -lfmt -Wl,-rpath,$build"
  printf 'rule cc\n  command = clang++ $flags -MD -MF $out.d -c $in -o $out\n  depfile = $out.d\n  deps = gcc\n'
  printf 'rule link\n  command = clang++ $flags -o $out $in $libs\n'
  for s in $(printf '%s\n' $spec_sources $results_sources | sort -u); do echo "build obj/${s%.cpp}.o: cc $src/$s"; done
  echo "build fuzz_spec: link $(objects "$spec_sources")| $build/libcromwell.so"
  echo "build fuzz_results: link $(objects "$results_sources")| $build/libcromwell.so"
} >"$out/build.ninja"
start=$(date +%s)
ninja -C "$out" -j "$(nproc)" >"$out/build.log" || { cat "$out/build.log" >&2; exit 1; }
echo "fuzz: built in $(($(date +%s) - start)) s"

# Both at once, after the findings of an earlier run are cleared. A hang is an input that takes 30 s
# (the slowest known take 0.3 s; a loaded machine stretches them).
rm -f "$out"/spec-* "$out"/results-*
status=0
pids=()
for name in spec results; do
  work=$out/corpus-$name
  rm -rf "$work"
  cp -r "$src/tests/fuzz/corpus/$name" "$work"
  dict=()
  [ -e "$src/tests/fuzz/$name.dict" ] && dict=(-dict="$src/tests/fuzz/$name.dict")
  "$out/fuzz_$name" "$work" "${dict[@]}" -max_total_time="$seconds" -timeout=30 -report_slow_units=30 -rss_limit_mb=2048 -max_len=8192 \
    -artifact_prefix="$out/$name-" -print_final_stats=1 >"$out/$name.log" 2>&1 &
  pids+=($!)
done
for i in 0 1; do
  name=$([ $i -eq 0 ] && echo spec || echo results)
  if wait "${pids[$i]}"; then
    echo "fuzz_$name: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$out/$name.log" | grep -o '[0-9]*$') inputs, no finding"
  else
    status=1
    echo "fuzz_$name: FINDING (log $out/$name.log)" >&2
    grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==|#[0-9]+ ' "$out/$name.log" | grep -v '^#[0-9]* *\(NEW\|REDUCE\|pulse\|INITED\)' | head -40 >&2
  fi
done
exit $status
