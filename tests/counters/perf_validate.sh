#!/usr/bin/env bash
# Hardware counters against known answers, where the machine has them; elsewhere (VMs without a
# PMU, paranoid settings that refuse user counting) the test is skipped with the reason.
set -uo pipefail
cromwell=$1
probe=$("$cromwell" counters)
if ! grep -q "this machine counts hardware events" <<<"$probe"; then
  echo "skipped: no hardware counters here:"
  grep "no hardware counters here" <<<"$probe" || echo "$probe" | tail -3
  exit 77
fi
exec "$cromwell" counters --validate --counters perf
