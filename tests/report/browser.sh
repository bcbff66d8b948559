#!/usr/bin/env bash
# ctest `browser`: `cromwell report --format html` pages from the fixtures, opened in headless
# Chromium. Each page must fetch nothing (no http:// or https:// in it), every plot must decode
# (the page's own script sets <body data-status="ok">), there must be as many images as the plot
# script draws from the fixture, and the browser's console must stay free of errors. A page with a
# corrupted image must say "broken", or the check above would prove nothing.
# Exits 77 (skipped, with the reason) without Chromium or without a python that can plot.
# Usage: tests/report/browser.sh CROMWELL_BINARY SOURCE_DIR
set -uo pipefail
cromwell="$1"
root="$2"
data="$root/tests/plots/data"

browser=""
for b in chromium chromium-browser; do
  if command -v "$b" >/dev/null; then browser="$(command -v "$b")"; break; fi
done
if [ -z "$browser" ]; then
  echo "skipped: no chromium or chromium-browser on PATH (scripts/bootstrap installs Debian's chromium)"
  exit 77
fi
if ! why=$("$root/scripts/plot" --python 2>&1); then
  echo "skipped: the page would have no plots: $why"
  exit 77
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# Loads a page and prints its DOM after the load event; the browser's log goes to $2.
dump_dom() {
  timeout 40 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 --dump-dom "file://$1" 2>"$2"
}

# page NAME MIN_IMAGES REPORT_ARGS...
page() {
  local name="$1" min="$2"
  shift 2
  local html="$tmp/$name.html" dom="$tmp/$name.dom" log="$tmp/$name.log"
  if ! "$cromwell" report "$@" --format html -o "$html" >"$tmp/$name.out" 2>&1; then
    fail "$name: cromwell report failed:"; cat "$tmp/$name.out"; return
  fi
  grep -q "plot(s) of" "$tmp/$name.out" || { fail "$name: no plots:"; cat "$tmp/$name.out"; }
  if grep -n -o -E "https?://[^\"' )]*" "$html" | head -5 | grep .; then
    fail "$name: the page names a URL to fetch"
  fi
  dump_dom "$html" "$log" >"$dom" || { fail "$name: $browser failed:"; tail -20 "$log"; return; }
  local status images
  status=$(grep -o -m1 'data-status="[^"]*"' "$dom")
  images=$(grep -o '<img ' "$dom" | wc -l)
  [ "$status" = 'data-status="ok"' ] || fail "$name: $status (want data-status=\"ok\")"
  [ "$images" -ge "$min" ] || fail "$name: $images images (want at least $min)"
  # Chromium logs every console message as ":CONSOLE:LINE]" whatever its level; the page logs
  # nothing, so any is an error (an exception, a refused or failed load).
  if grep -E ':CONSOLE[:(]|Uncaught' "$log"; then
    fail "$name: the browser's console has messages (above)"
  fi
  echo "$name: $status, $images images, $(wc -c <"$html") bytes"
}

# gemm-sim: heatmap of GFLOP/s and of L3 misses, size, roofline (with ceilings), scaling, l3.
page gemm-sim 6 "$data/gemm-sim.csv" --profile "$data/profile.json"
# mixed-sw: size and scaling of three kernels, roofline without ceilings; heatmaps and l3 skipped.
page mixed-sw 7 "$data/mixed-sw.csv"
grep -q "Not drawn" "$tmp/mixed-sw.html" || fail "mixed-sw: the skipped plots are not listed"

# The status script notices an image that does not decode.
if [ -f "$tmp/gemm-sim.html" ]; then
  sed '0,/base64,[A-Za-z0-9+\/=]*/s//base64,AAAA/' "$tmp/gemm-sim.html" >"$tmp/broken.html"
  dump_dom "$tmp/broken.html" "$tmp/broken.log" >"$tmp/broken.dom"
  status=$(grep -o -m1 'data-status="[^"]*"' "$tmp/broken.dom")
  case "$status" in
    'data-status="broken: '*) echo "broken image noticed: $status" ;;
    *) fail "a page with a corrupt image says $status" ;;
  esac
fi

[ "$failed" -eq 0 ] && echo "browser: pages render in $("$browser" --version 2>/dev/null)"
exit "$failed"
