"""The roofline: each variant's best configurations placed by arithmetic intensity and GFLOP/s
under the machine's measured ceilings, so that a reader sees whether a kernel is limited by
memory bandwidth or by compute, and how far below its roof it is.

A point is one variant at one shape: its best row (highest GFLOP/s) at the thread count drawn.
Its arithmetic intensity is gflops / gbps, the flops per byte of the kernel's work model (each
input read once, each output written once). Kernels without flops (copy, read) are not on it.

Ceilings come from a machine profile (`--ceilings PROFILE.json`, the format `cromwell roofline` is to write):

    {
      "host": "ws1",                                   # optional: compared with the results' host
      "cpu": "AMD Ryzen 9 5900X 12-Core Processor",    # optional
      "date": "2026-12-01T09:30:00Z",                  # optional
      "peaks_gflops":   {"avx2": {"1": 96.0, "12": 1100.0}, "scalar": {"1": 12.0}},
      "bandwidth_gbps": {"L1": {"1": 180.0}, "L2": {"1": 85.0}, "L3": {"1": 42.0}, "DRAM": {"1": 16.0, "12": 48.0}}
    }

Each ceiling maps a thread count (a decimal string) to its value in GFLOP/s or GB/s; the plot uses
the values at the thread count it draws. Every bandwidth is a diagonal (GFLOP/s = GB/s × intensity)
up to the highest peak; every peak a horizontal line from where it meets the highest bandwidth.
Without a profile, or without values at that thread count, only the points are drawn and the title
says that the ceilings are missing.
"""
import json
from pathlib import Path

import numpy as np

from . import style
from .results import PlotDataError, at_threads, best, kernel_dims, note, select, shape_of

_BANDWIDTH_ORDER = ["L1", "L2", "L3", "DRAM"]
_CEILING_GREYS = ["#222222", "#555555", "#888888", "#aaaaaa"]


def read_ceilings(path):
    """The profile as {"peaks_gflops": {name: {threads: value}}, "bandwidth_gbps": {...}, ...},
    checked: every value a positive number keyed by a thread count."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as f:
            profile = json.load(f)
    except (OSError, ValueError) as e:
        raise PlotDataError(f"{path}: cannot read the machine profile: {e}") from e
    if not isinstance(profile, dict) or not ({"peaks_gflops", "bandwidth_gbps"} & set(profile)):
        raise PlotDataError(f"{path}: a machine profile is an object with peaks_gflops and/or bandwidth_gbps")
    for section in ("peaks_gflops", "bandwidth_gbps"):
        entries = profile.setdefault(section, {})
        if not isinstance(entries, dict):
            raise PlotDataError(f"{path}: {section} must map names to {{threads: value}}")
        for name, by_threads in entries.items():
            if not isinstance(by_threads, dict):
                raise PlotDataError(f"{path}: {section}.{name} must map thread counts to values")
            for threads, value in by_threads.items():
                if not str(threads).isdigit() or isinstance(value, bool) or not isinstance(value, (int, float)) \
                        or value <= 0:
                    raise PlotDataError(f"{path}: {section}.{name}.{threads}: expected a thread count and a "
                                        f"positive number, found {threads!r}: {value!r}")
    return profile


def _at(profile, section, threads):
    return {name: float(v[str(threads)]) for name, v in profile[section].items() if str(threads) in v}


def plot(results, out, variant=None, ceilings=None, threads=None):
    rows = results.rows_for("roofline", [], ["gflops", "gbps"])
    rows = select(results, rows, variant)
    rows = rows[(rows["gflops"] > 0) & (rows["gbps"] > 0)]
    rows, threads = at_threads(results, rows, "roofline", threads)
    rows = rows.assign(intensity=rows["gflops"] / rows["gbps"],
                       shape=[shape_of(r, kernel_dims(rows[rows["kernel"] == r["kernel"]], results.dims))
                              for _, r in rows.iterrows()])
    points = best(rows, ["id", "shape"], "gflops")

    fig, ax = style.new_figure()
    ax.set_xscale("log")
    ax.set_yscale("log")
    handles = []
    for name, group in points.groupby("id", sort=True):
        look = style.look(results, name)
        handles.append(ax.scatter(group["intensity"], group["gflops"], label=name, color=look["color"],
                                  marker=look["marker"], s=60, edgecolors="black", linewidths=0.5, zorder=3))

    x_lo, x_hi = points["intensity"].min() / 4, points["intensity"].max() * 4
    y_lo, y_hi = points["gflops"].min() / 4, points["gflops"].max() * 2
    missing = "no ceilings: pass --ceilings PROFILE.json (a machine profile)"
    lines = []
    if ceilings:
        profile = read_ceilings(ceilings)
        _compare_machine(results, profile, ceilings)
        peaks = _at(profile, "peaks_gflops", threads)
        bandwidths = _at(profile, "bandwidth_gbps", threads)
        if peaks or bandwidths:
            missing = ""
            lines, (x_lo, x_hi, y_lo, y_hi) = _draw_ceilings(ax, peaks, bandwidths, (x_lo, x_hi, y_lo, y_hi))
        else:
            missing = f"no ceilings at threads={threads} in {Path(ceilings).name}"
            note(f"roofline: {missing}")
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    style.plain_axis(ax.xaxis)
    style.plain_axis(ax.yaxis)
    ax.set_xlabel("arithmetic intensity (FLOP/byte of compulsory traffic)")
    ax.set_ylabel("GFLOP/s")
    ax.grid(True, which="major", alpha=0.3)

    first = style.legend_outside(ax, title="variant (best per shape)", handles=handles)
    if lines:
        ax.add_artist(first)
        ax.legend(handles=lines, title=f"ceilings, {threads} thread{'s' if threads > 1 else ''}",
                  loc="lower left", bbox_to_anchor=(1.01, 0.0), borderaxespad=0.0, fontsize=9, title_fontsize=9,
                  frameon=False)
    detail = f"threads={threads}; each point: a variant's best configuration at one shape"
    if missing:
        detail += f"; {missing}"
    style.titles(ax, "Roofline: best configurations against the machine's ceilings"
                 if not missing else "Roofline: best configurations (ceilings missing)", results, detail)
    return style.save(fig, out)


def _draw_ceilings(ax, peaks, bandwidths, limits):
    """Bandwidth diagonals up to the highest peak, peaks from the highest bandwidth on; returns the
    legend handles and limits that show every ceiling's corner."""
    x_lo, x_hi, y_lo, y_hi = limits
    top = max(peaks.values()) if peaks else None
    fastest = max(bandwidths.values()) if bandwidths else None
    order = sorted(bandwidths, key=lambda n: (_BANDWIDTH_ORDER.index(n) if n in _BANDWIDTH_ORDER else 99, n))
    # Every ridge point (where a bandwidth meets the top peak) inside the x range, with room.
    if top:
        for bw in bandwidths.values():
            x_lo, x_hi = min(x_lo, top / bw / 2), max(x_hi, top / bw * 2)
        y_hi = max(y_hi, top * 1.6)
    else:
        y_hi = max(y_hi, fastest * x_hi)
    handles = []
    xs = np.geomspace(x_lo, x_hi, 200)
    for i, name in enumerate(order):
        bw = bandwidths[name]
        ys = bw * xs if top is None else np.minimum(bw * xs, top)
        handles += ax.plot(xs, ys, color=_CEILING_GREYS[i % len(_CEILING_GREYS)],
                           linestyle=style.LINESTYLES[i % len(style.LINESTYLES)], linewidth=1.5,
                           label=f"{name} {bw:.0f} GB/s", zorder=2)
    for i, (name, peak) in enumerate(sorted(peaks.items(), key=lambda kv: -kv[1])):
        start = peak / fastest if fastest else x_lo
        handles += ax.plot([start, x_hi], [peak, peak], color="#000000", linewidth=2.2 - 0.6 * min(i, 2),
                           linestyle="-" if i == 0 else "--", label=f"{name} peak {peak:.0f} GFLOP/s", zorder=2)
        y_lo = min(y_lo, peak / 4)
    if bandwidths:
        y_lo = min(y_lo, min(bandwidths.values()) * x_lo)
    return handles, (x_lo, x_hi, y_lo, y_hi)


def _compare_machine(results, profile, path):
    """A profile of another machine draws the wrong roof: say so, and go on (a reader may mean it)."""
    theirs = profile.get("host"), profile.get("cpu")
    ours = results.context.get("host"), (results.context.get("cpu") or {}).get("name")
    for what, a, b in zip(("host", "CPU"), theirs, ours):
        if a and b and a != b:
            note(f"roofline: the ceilings of {path} were measured on {what} {a}, the results on {b}")
