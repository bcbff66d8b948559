#!/usr/bin/env python3
"""Regenerates linux-6.12-events.tsv from an unpacked Linux source tree (never downloads).

Usage: extract_linux_events.py LINUX_SOURCE_DIR > linux-6.12-events.tsv

LINUX_SOURCE_DIR is the top of the tree of Debian's linux-source-6.12 package (6.12.117-1~deb12u1 for
the committed table): /usr/src/linux-source-6.12.tar.xz, unpacked. The table keeps, for the PMU
directories the group files use, every event whose code is one of CODES (all umask siblings of
those codes, so a mapping can OR several of them), and the four generic hardware events the kernel
maps to fixed codes on Intel (arch/x86/events/intel/core.c, intel_perfmon_event_map), which the
Intel group files use as perf::CYCLES, perf::INSTRUCTIONS and which ICL's JSON lacks
(LONGEST_LAT_CACHE.REFERENCES).
"""
import json
import os
import re
import sys

DIRS = ["amdzen2", "amdzen3", "amdzen4", "amdzen5", "skylake", "icelake"]
CODES = {
    # AMD core PMU: cycles, instructions, LS dispatch, L1D fills by source (demand, any, software and
    # hardware prefetch), L2 requests and their status, L2 prefetcher outcomes, L2 fills by source.
    "amd": {0x76, 0xC0, 0x29, 0x40, 0x43, 0x44, 0x59, 0x5A, 0x60, 0x64, 0x70, 0x71, 0x72, 0x165},
    # AMD L3 PMU (amd_l3): lookups by state, documented in docs/metrics.md.
    "amd_l3": {0x04, 0x06},
    # Intel core PMU: cycles, instructions, L1D replacements, L2 requests, LLC, retired loads by source.
    "intel": {0x3C, 0xC0, 0x51, 0x24, 0x2E, 0xD1, 0xD0},
}
GENERIC = ["PERF_COUNT_HW_CPU_CYCLES", "PERF_COUNT_HW_INSTRUCTIONS", "PERF_COUNT_HW_CACHE_REFERENCES",
           "PERF_COUNT_HW_CACHE_MISSES"]


def number(text):
    return int(text, 16) if text else 0


def main(root):
    base = os.path.join(root, "tools/perf/pmu-events/arch/x86")
    rows = []
    for d in DIRS:
        seen = set()
        for f in sorted(os.listdir(os.path.join(base, d))):
            if not f.endswith(".json") or "metric" in f:
                continue
            for e in json.load(open(os.path.join(base, d, f))):
                if "EventName" not in e or "EventCode" not in e or "," in e["EventCode"]:
                    continue
                unit = e.get("Unit", "")
                code, umask = number(e["EventCode"]), number(e.get("UMask"))
                if d.startswith("amdzen"):
                    family = "amd_l3" if unit == "L3PMC" else ("amd" if not unit else None)
                else:
                    family = "intel" if not unit else None
                if family is None or code not in CODES[family]:
                    continue
                if e["EventName"] in seen:
                    sys.exit(f"{d}: {e['EventName']} twice")
                seen.add(e["EventName"])
                rows.append((d, f"tools/perf/pmu-events/arch/x86/{d}/{f}", e["EventName"], code, umask,
                             "L3PMC" if family == "amd_l3" else "core"))
    core_c = open(os.path.join(root, "arch/x86/events/intel/core.c")).read()
    table = re.search(r"intel_perfmon_event_map\[PERF_COUNT_HW_MAX\][^{]*\{(.*?)\};", core_c, re.S).group(1)
    for name in GENERIC:
        value = int(re.search(r"\[" + name + r"\]\s*=\s*(0x[0-9a-fA-F]+)", table).group(1), 16)
        rows.append(("intel-generic", "arch/x86/events/intel/core.c", name, value & 0xFF, (value >> 8) & 0xFF, "core"))
    print("# Linux 6.12 perf event encodings, from Debian's linux-source-6.12 6.12.117-1~deb12u1")
    print("# (tools/perf/pmu-events/arch/x86/<dir>/*.json; intel-generic rows: intel_perfmon_event_map in")
    print("# arch/x86/events/intel/core.c, the codes the kernel gives perf's generic events on Intel).")
    print("# Regenerate with tests/counters/data/extract_linux_events.py from the unpacked package; never")
    print("# downloaded by the build or the tests. Columns: dir, file, event name, event code, umask, unit")
    print("# (core = the core PMU; L3PMC = the amd_l3 uncore PMU).")
    print("dir\tfile\tname\tevent\tumask\tunit")
    for d, f, n, c, u, unit in rows:
        print(f"{d}\t{f}\t{n}\t0x{c:02x}\t0x{u:02x}\t{unit}")


if __name__ == "__main__":
    main(sys.argv[1])
