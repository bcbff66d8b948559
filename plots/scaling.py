"""GFLOP/s against the number of threads, one line per variant and pin policy of one kernel: how far
from linear each variant scales, and which pinning helps it.

Each point is the variant's best configuration at that thread count and pin policy. A variant is
drawn at one shape: the one measured at the most thread counts (the largest of those). Two panels:
the rate itself (from 0, so that a line twice as high is twice as fast; logarithmic when the
variants' rates span more than 20×, as a naive variant's next to a vectorized one's do), and the
speed-up over the variant's best one-thread configuration, against the dotted line of linear
scaling, where variants of very different speeds can be compared.
"""
import pandas as pd

from . import style
from .results import PlotDataError, best, kernel_dims, note, one_kernel, rate_column, select, shape_of


def plot(results, out, variant=None):
    rows = results.rows_for("scaling", ["time_ns", "threads", "pin"])
    rows = select(results, rows, variant)
    kernel = one_kernel(results, rows, "scaling")
    rate, unit = rate_column(rows)
    rows = rows[rows[rate].notna()]
    dims = kernel_dims(rows, results.dims)
    rows = rows.assign(shape=[shape_of(r, dims) for _, r in rows.iterrows()],
                       work=rows[dims].astype(float).prod(axis=1))

    chosen = []
    for name, group in rows.groupby("id", sort=True):
        spread = group.groupby("shape").agg(threads=("threads", "nunique"), work=("work", "first"))
        spread = spread.sort_values(["threads", "work"], ascending=False)
        if spread["threads"].iloc[0] < 2:
            note(f"scaling: {name} left out: measured at one thread count only")
            continue
        chosen.append(group[group["shape"] == spread.index[0]])
    if not chosen:
        counts = ", ".join(str(t) for t in sorted(set(rows["threads"].dropna())))
        raise PlotDataError(f"{results.path}: the scaling plot needs a variant measured at two or more thread "
                            f"counts at one shape; no variant of {kernel} is (threads in the file: {counts})")

    fig, (rates, speedups) = style.new_figure(ncols=2)
    pins = sorted(set().union(*(set(c["pin"]) for c in chosen)))
    thread_counts = sorted(set().union(*(set(int(t) for t in c["threads"]) for c in chosen)))
    shapes = set()
    drawn = []
    for group in chosen:
        name = group["id"].iloc[0]
        shapes.add(group["shape"].iloc[0])
        points = best(group, ["pin", "threads"], rate)
        drawn.append(points[rate])
        one = points.loc[points["threads"] == 1, rate]
        if one.empty:
            note(f"scaling: {name} has no one-thread row: left out of the speed-up panel")
        for pin, line in points.groupby("pin", sort=True):
            line = line.sort_values("threads")
            look = dict(style.look(results, name), linewidth=1.8, markersize=6,
                        linestyle=style.LINESTYLES[pins.index(pin) % len(style.LINESTYLES)])
            rates.plot(line["threads"], line[rate], **look)
            if not one.empty:
                speedups.plot(line["threads"], line[rate] / one.max(), label=f"{name} · pin {pin}", **look)
    speedups.plot([1, thread_counts[-1]], [1, thread_counts[-1]], color="#888888", linestyle=":", linewidth=1.5,
                  label="linear", zorder=1)
    for ax in (rates, speedups):
        ax.set_xticks(thread_counts)
        ax.set_xlabel("threads")
        ax.grid(True, alpha=0.3)
    style.rate_axis(rates, pd.concat(drawn), unit)
    speedups.set_ylim(bottom=0)
    speedups.set_ylabel("speed-up (× the best one-thread rate)")
    rates.set_title(f"{unit}, best configuration at each point", fontsize=10)
    speedups.set_title("speed-up (dotted: linear)", fontsize=10)
    style.legend_outside(speedups, title="variant · pin policy")
    what = "GFLOP/s" if rate == "gflops" else "GB/s"
    shape = shapes.pop() if len(shapes) == 1 else "each variant at the shape measured at the most thread counts"
    style.titles(rates, f"{kernel}: {what} and speed-up by threads and pinning", results, shape)
    return style.save(fig, out)
