"""Simulated-counter known answers through the command line: every measured single-thread row has
L1D/L3 misses, the L3 miss rate and its scope; gemm.naive shows far more L1D misses than gemm.avx2
on a shape whose B (64 KiB) exceeds L1D."""
import subprocess
import sys
import tempfile

import pandas as pd

cromwell = sys.argv[1]
with tempfile.TemporaryDirectory() as d:
    out = f"{d}/s.csv"
    subprocess.run([cromwell, "sweep", "gemm.naive", "gemm.avx2", "--shape", "m:128,n:128,k:128",
                    "--set", "mc=144", "--set", "kc=256", "--set", "nc=4096", "--threads", "1",
                    "--counters", "sim", "--repetitions", "2", "--min-time", "0.001", "-o", out], check=True)
    df = pd.read_csv(out)
rows = df[(df.status == "measured") & (df.kernel == "gemm")]
assert len(rows) == 2, rows
for _, r in rows.iterrows():
    for col in ("l1d_misses", "l2_misses", "l3_misses", "l1d_mpki"):
        assert r[col] == r[col], f"{r.key}: {col} is empty"
    # The L3 miss rate divides by the L2 misses: a kernel that stays in L2 (0 or 1 miss per call,
    # depending on where its pages land) has no rate, and says why.
    if r.l2_misses > 0:
        assert r.l3_miss_rate == r.l3_miss_rate, f"{r.key}: l3_miss_rate is empty"
    else:
        assert "no accesses at that level" in r.counters_reason, r.counters_reason
    assert "simulated" in r.counters_scope and "no hardware prefetcher" in r.counters_scope, r.counters_scope
    assert r.counters == "sim:zen3", r.counters
naive = rows[rows.variant == "naive"].l1d_misses.iloc[0]
avx2 = rows[rows.variant == "avx2"].l1d_misses.iloc[0]
assert naive > 10 * avx2, (naive, avx2)
print(f"ok: gemm.naive {naive:.0f} L1D misses per call, gemm.avx2 {avx2:.0f}")
