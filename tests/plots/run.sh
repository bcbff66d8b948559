#!/usr/bin/env bash
# ctest `plots`: every plot renders from the fixtures, and files without the needed columns are
# refused (tests/plots/test_plots.py). Runs with the python scripts/plot would use; exits 77
# (skipped, with the reason) where no python has pandas and matplotlib.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if ! python=$("$root/scripts/plot" --python 2>&1); then
  echo "skipped: $python"
  exit 77
fi
export MPLBACKEND=Agg
exec "$python" "$root/tests/plots/test_plots.py" -v
