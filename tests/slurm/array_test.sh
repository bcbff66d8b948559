#!/bin/bash
# A sharded sweep on a real, single-node Slurm cluster: starts munged, slurmctld and slurmd on
# localhost with this test's own slurm.conf, submits a 4-task array of a small sweep (measured,
# rejected and pruned configs) through scripts/slurm/submit, and checks that the merge job
# completed and that the merged file holds every config of the sweep exactly once, with every
# shard's calibration rows and the Slurm ids in the context. Then it makes one shard incomplete,
# checks that `cromwell merge` names it (exit 1), resubmits that index alone and checks that the
# task continued its file and the merge completed.
#
#   array_test.sh CROMWELL SOURCE_DIR WORK_DIR
#
# Skips (exit 77) when not root or when Slurm is not installed. Refuses to run (exit 1) when Slurm
# daemons are running already or /etc/slurm/slurm.conf is not one this test wrote: it never
# touches a real cluster. Stops the daemons it started, by PID, on every exit.
set -euo pipefail

cromwell=$(realpath "${1:?usage: array_test.sh CROMWELL SOURCE_DIR WORK_DIR}")
src=$(realpath "${2:?source dir}")
work=$(realpath -m "${3:?work dir}")
export PATH=$PATH:/usr/sbin:/sbin
marker="# written by cromwell tests/slurm (replaced and removed by that test; never a real cluster's file)"
conf=/etc/slurm/slurm.conf
ctld_pidfile=/run/slurmctld.pid slurmd_pidfile=/run/slurmd.pid munge_pidfile=/run/munge/munged.pid
node=$(hostname -s)
t0=$(date +%s)
deadline=$((t0 + 150))  # ctest's TIMEOUT is 180 s

log() { printf '[%s +%ss] %s\n' "$(date +%T)" $(($(date +%s) - t0)) "$*" >&2; }
skip() {
  echo "SKIPPED: $*"
  exit 77
}
die() {
  log "FAILED: $*"
  exit 1
}

[ "$(id -u)" = 0 ] || skip "needs root to start munged, slurmctld and slurmd (CI runs the tests as root)"
for b in munged munge unmunge slurmctld slurmd sbatch squeue scontrol sinfo scancel; do
  command -v "$b" >/dev/null ||
    skip "$b not found: Slurm is not installed (scripts/bootstrap installs slurm-wlm and munge)"
done

# One run at a time on this machine; and never next to a cluster that is not ours.
exec 9>/run/cromwell-slurm-test.lock
flock -n 9 || die "refusing to start: another run of this test holds /run/cromwell-slurm-test.lock"
for d in slurmctld slurmd slurmstepd; do
  if pids=$(pgrep -x "$d"); then
    die "refusing to start: $d is already running (pid $(echo $pids)): this test starts its own cluster"
  fi
done
if [ -e "$conf" ] && ! grep -qxF "$marker" "$conf"; then
  die "refusing to start: $conf exists and this test did not write it (no line '$marker'): it belongs to a real cluster"
fi

# wait_for SECONDS CMD...: polls CMD every 0.2 s until it succeeds (never past the deadline).
wait_for() {
  local until=$(($(date +%s) + $1))
  shift
  [ "$until" -le "$deadline" ] || until=$deadline
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$until" ] || return 1
    sleep 0.2
  done
}
munge_ok() { munge -n | unmunge; }
ctld_ok() { scontrol ping | grep -q 'is UP'; }
node_ok() { sinfo -h -n "$node" -o %T | grep -Eq '^(idle|mixed|allocated)'; }
jobs_gone() { ! squeue -h -j "$1" 2>/dev/null | grep -q .; }

started=()  # "name pid" of every daemon this run started, stopped in reverse order
jobs=""
stop_daemons() {
  local rc=$?
  set +e
  if [ -n "$jobs" ] && ctld_ok 2>/dev/null; then
    scancel ${jobs//,/ } 2>/dev/null
    wait_for 20 jobs_gone "$jobs"
  fi
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
    for f in /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log; do
      [ -e "$f" ] && { echo "--- tail of $f"; tail -n 15 "$f"; }
    done >&2
  fi
  local i name pid n
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    read -r name pid <<<"${started[i]}"
    kill -TERM "$pid" 2>/dev/null
  done
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    read -r name pid <<<"${started[i]}"
    n=150
    while kill -0 "$pid" 2>/dev/null; do
      n=$((n - 1))
      if [ "$n" -le 0 ]; then
        log "$name (pid $pid) still running after 15 s: SIGKILL"
        kill -KILL "$pid"
        break
      fi
      sleep 0.1
    done
    log "stopped $name (pid $pid)"
  done
  # A stale slurmctld pid file makes the package's prerm fail; the conf is ours (checked above).
  rm -f "$ctld_pidfile" "$slurmd_pidfile"
  [ -e "$conf" ] && grep -qxF "$marker" "$conf" && rm -f "$conf"
  log "done (exit $rc)"
  exit "$rc"
}
trap stop_daemons EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# The cluster: one node, this machine's CPUs, no cgroups, no accounting (the recipe in
# docs/slurm.md; scheduling without the default 3 s pause between rounds).
mkdir -p /etc/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
chown slurm:slurm /var/lib/slurm/slurmctld /var/log/slurm
cat >"$conf" <<CONF
$marker
ClusterName=cromwelltest
SlurmctldHost=${node}(127.0.0.1)
AuthType=auth/munge
SlurmUser=slurm
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=$ctld_pidfile
SlurmdPidFile=$slurmd_pidfile
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0
DependencyParameters=kill_invalid_depend
MailProg=/bin/true
ReturnToService=2
NodeName=${node} NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

if munge_ok >/dev/null 2>&1; then
  log "munged is running already: using it, leaving it running"
else
  [ -s /etc/munge/munge.key ] || runuser -u munge -- mungekey -c
  install -d -o munge -g munge -m 0755 /run/munge
  rm -f "$munge_pidfile"
  runuser -u munge -- /usr/sbin/munged
  started+=("munged $(cat "$munge_pidfile")")
  wait_for 10 munge_ok || die "munged did not come up"
fi
rm -f "$ctld_pidfile" "$slurmd_pidfile"
/usr/sbin/slurmctld -c  # -c: no job state from an earlier run
wait_for 10 test -s "$ctld_pidfile" || die "slurmctld wrote no pid file"
started+=("slurmctld $(cat "$ctld_pidfile")")
wait_for 30 ctld_ok || die "slurmctld does not answer"
/usr/sbin/slurmd -N "$node"
wait_for 10 test -s "$slurmd_pidfile" || die "slurmd wrote no pid file"
started+=("slurmd $(cat "$slurmd_pidfile")")
wait_for 30 node_ok || die "node $node is not idle: $(sinfo -h -R)"
log "cluster up: ${started[*]}"

# wait_jobs IDS: until squeue lists none of them (finished jobs stay in scontrol for MinJobAge).
wait_jobs() {
  wait_for $((deadline - $(date +%s))) jobs_gone "$1" || {
    squeue >&2
    die "jobs $1 still queued or running at the deadline"
  }
}
job_state() { scontrol show job "$1" | grep -Eo '(JobState|ExitCode)=[^ ]*' | tr '\n' ' '; }

# A small real sweep: GEMM variants at 64³, one thread, 2 quick repetitions; mc=256 is rejected
# (not a multiple of the micro-tile) and kc=512 pruned on the cache sizes given.
sweep=('gemm.*' --shape m:64,n:64,k:64 --threads 1 --repetitions 2 --min-time 0.005 --counters none
  --caches l1d=32K,l2=512K,l3=32M --set tile=16,32 --set mc=168,256 --set kc=256,512 --set nc=4096
  --set pf_dist=0,8)
rm -rf "$work"
mkdir -p "$work"
out=$work/out
read -r array merge < <(CROMWELL=$cromwell "$src/scripts/slurm/submit" --shards 4 --out "$out" --parsable \
  -- "${sweep[@]}")
jobs=$array,$merge
log "submitted array job $array (4 tasks) and merge job $merge"
wait_jobs "$jobs"
log "array: $(job_state "$array"); merge: $(job_state "$merge")"
scontrol show job "$merge" | grep -q 'JobState=COMPLETED' || {
  cat "$out"/merge-*.out "$out"/slurm-*.out >&2 || true
  die "the merge job did not complete with exit 0"
}

# Every config of the sweep exactly once; every shard's calibration rows; the ids of every task
# (and their array job's, when given).
check_merged() {
  /usr/bin/python3 - "$out" "${1:-}" <<'PY'
import collections, csv, json, sys
out, array = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(f"{out}/all.csv", newline="")))
ctx = json.load(open(f"{out}/all.json"))
sweep = ctx["sweep"]
configs = [r for r in rows if r["kernel"] != "noop"]
keys = [r["key"] for r in configs]
twice = [k for k, n in collections.Counter(keys).items() if n > 1]
assert not twice, f"keys with more than one row: {twice[:5]}"
assert sweep["shard"] is None, sweep["shard"]
assert len(keys) == sweep["configs"] == len(sweep["keys"]), (len(keys), sweep["configs"], len(sweep["keys"]))
assert set(keys) == set(sweep["keys"]), "the rows are not the sweep's keys"
status = collections.Counter(r["status"] for r in configs)
assert status["measured"] > 0 and status["rejected"] > 0 and status["pruned"] > 0, status
shards = {f"{k}/4" for k in range(4)}
assert {r["shard"] for r in rows if r["kernel"] == "noop"} == shards, "a shard's calibration rows are missing"
assert {r["shard"] for r in configs} == shards
tasks = {}
for m in ctx["merged_from"]:
    s = m["slurm"]
    assert s is not None, f"{m['file']}: no Slurm ids in its context"
    assert not array or str(s["array_job_id"]) == array, (s, array)
    tasks[m["shard"]] = int(s["array_task_id"])
assert tasks == {f"{k}/4": k for k in range(4)}, tasks
print(f"all.csv: {len(keys)} configs once each ({dict(status)}), calibrations of shards {sorted(shards)}")
PY
}
check_merged "$array" >&2 || die "the merged file is not the whole sweep once"

# A task that stopped early: shard 1 loses its last two rows; merge names index 1; resubmitted
# alone, the task continues its file (--resume) and the merge completes.
shard1=$out/shard-1-of-4.csv
head -n -2 "$shard1" >"$work/cut.csv" && mv "$work/cut.csv" "$shard1"
set +e
"$cromwell" merge "$out"/shard-*-of-4.csv -o "$work/partial.csv" >"$work/partial.log" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || die "merge of an incomplete shard exited $rc, not 1: $(cat "$work/partial.log")"
grep -q -- "--only 1 " "$work/partial.log" || die "merge did not name index 1: $(cat "$work/partial.log")"
read -r array merge < <(CROMWELL=$cromwell "$src/scripts/slurm/submit" --shards 4 --only 1 --out "$out" \
  --parsable -- "${sweep[@]}")
jobs=$array,$merge
log "resubmitted index 1: array job $array, merge job $merge"
wait_jobs "$jobs"
log "array: $(job_state "$array"); merge: $(job_state "$merge")"
scontrol show job "$merge" | grep -q 'JobState=COMPLETED' || {
  cat "$out"/merge-"$merge".out "$out"/slurm-"$array"_1.out >&2 || true
  die "the merge after the resubmission did not complete with exit 0"
}
grep -q -- "--resume" "$out/slurm-${array}_1.out" || die "the resubmitted task did not continue its file"
check_merged >&2 || die "the merged file after the resubmission is not the whole sweep once"
log "end to end in $(($(date +%s) - t0)) s"
