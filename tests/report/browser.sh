#!/usr/bin/env bash
# ctest `browser`: `cromwell report --format html` pages from the fixtures, opened in headless
# Chromium. Each page must fetch nothing (no http:// or https:// in it), every plot must decode
# (the page's own script sets <body data-status="ok">), there must be as many images as the plot
# script draws from the fixture, and the browser's console must stay free of messages. A page with
# a corrupted image must say "broken", or the check above would prove nothing.
# Exits 77 (skipped, with the reason) without Chromium or without a python that can plot.
# The reports run side by side, then the browsers: Chromium's start-up is seconds even for an
# empty page, and the test has a minute.
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

# report NAME ARGS...: $tmp/NAME.html, what cromwell said in $tmp/NAME.out, its status in $tmp/NAME.rc
report() {
  local name="$1"
  shift
  "$cromwell" report "$@" --format html -o "$tmp/$name.html" >"$tmp/$name.out" 2>&1
  echo $? >"$tmp/$name.rc"
}

# dump NAME: loads $tmp/NAME.html and writes its DOM after the load event to $tmp/NAME.dom, the
# browser's log to $tmp/NAME.log; each browser with a profile of its own.
dump() {
  timeout 45 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --user-data-dir="$tmp/profile-$1" --enable-logging=stderr --v=0 --dump-dom "file://$tmp/$1.html" \
    >"$tmp/$1.dom" 2>"$tmp/$1.log"
  echo $? >"$tmp/$1.dom.rc"
}

status_of() { grep -o -m1 'data-status="[^"]*"' "$tmp/$1.dom"; }

# gemm-sim: heatmaps of GFLOP/s and of L3 misses, size, roofline (with ceilings), scaling, l3.
report gemm-sim "$data/gemm-sim.csv" --profile "$data/profile.json" &
# mixed-sw: size and scaling of three kernels, roofline without ceilings; heatmaps and l3 skipped.
report mixed-sw "$data/mixed-sw.csv" &
wait

pages=()
for name in gemm-sim mixed-sw; do
  if [ "$(cat "$tmp/$name.rc")" != 0 ]; then
    fail "$name: cromwell report failed:"; cat "$tmp/$name.out"; continue
  fi
  grep -q "plot(s) of" "$tmp/$name.out" || { fail "$name: no plots:"; cat "$tmp/$name.out"; }
  if grep -n -o -E "https?://[^\"' )]*" "$tmp/$name.html" | head -5 | grep .; then
    fail "$name: the page names a URL to fetch"
  fi
  pages+=("$name")
done
grep -q "Not drawn" "$tmp/mixed-sw.html" 2>/dev/null || fail "mixed-sw: the skipped plots are not listed"
# The status script must notice an image that does not decode: the first one, corrupted.
if [ -f "$tmp/gemm-sim.html" ]; then
  sed '0,/base64,[A-Za-z0-9+\/=]*/s//base64,AAAA/' "$tmp/gemm-sim.html" >"$tmp/broken.html"
  pages+=(broken)
fi

for name in "${pages[@]}"; do dump "$name" & done
wait

declare -A want_images=([gemm-sim]=6 [mixed-sw]=7)
for name in "${pages[@]}"; do
  if [ "$(cat "$tmp/$name.dom.rc")" != 0 ]; then
    fail "$name: $browser exited with status $(cat "$tmp/$name.dom.rc"):"; tail -20 "$tmp/$name.log"; continue
  fi
  status=$(status_of "$name")
  if [ "$name" = broken ]; then
    case "$status" in
      'data-status="broken: '*) echo "a corrupted image is noticed: $status" ;;
      *) fail "a page with a corrupted image says $status" ;;
    esac
    continue
  fi
  images=$(grep -o '<img ' "$tmp/$name.dom" | wc -l)
  [ "$status" = 'data-status="ok"' ] || fail "$name: $status (want data-status=\"ok\")"
  [ "$images" -ge "${want_images[$name]}" ] || fail "$name: $images images (want at least ${want_images[$name]})"
  # Chromium logs every console message as ":CONSOLE:LINE]" whatever its level; the page logs
  # nothing, so any is an error (an exception, a refused or failed load).
  if grep -E ':CONSOLE[:(]|Uncaught' "$tmp/$name.log"; then
    fail "$name: the browser's console has messages (above)"
  fi
  echo "$name: $status, $images images, $(wc -c <"$tmp/$name.html") bytes"
done

[ "$failed" -eq 0 ] && echo "browser: pages render in $("$browser" --version 2>/dev/null)"
exit "$failed"
