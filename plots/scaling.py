"""GFLOP/s against the number of threads, one line per variant and pin policy of one kernel: how far
from linear each variant scales, and which pinning helps it.

Each point is the variant's best configuration at that thread count and pin policy. A variant is
drawn at one shape: the one measured at the most thread counts (the largest of those). The y axis
starts at 0, so that a line twice as high is twice as fast (it is logarithmic when the variants'
rates span more than 20×); the dotted line of each variant's colour is linear scaling from its
best one-thread point.
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
                            f"counts; this file's {kernel} rows have threads={counts} only per variant and shape")

    fig, ax = style.new_figure()
    pins = sorted(set().union(*(set(c["pin"]) for c in chosen)))
    thread_counts = set()
    shapes = set()
    drawn = []
    for group in chosen:
        name = group["id"].iloc[0]
        shapes.add(group["shape"].iloc[0])
        points = best(group, ["pin", "threads"], rate)
        drawn.append(points[rate])
        look = style.look(results, name)
        for pin, line in points.groupby("pin", sort=True):
            line = line.sort_values("threads")
            ax.plot(line["threads"], line[rate], label=f"{name} · pin {pin}", color=look["color"],
                    marker=look["marker"], linestyle=style.LINESTYLES[pins.index(pin) % len(style.LINESTYLES)],
                    linewidth=1.8, markersize=6)
            thread_counts.update(int(t) for t in line["threads"])
        one = points[points["threads"] == 1]
        if not one.empty:
            top = max(int(t) for t in points["threads"])
            base = one[rate].max()
            ax.plot([1, top], [base, base * top], color=look["color"], linestyle=":", linewidth=1, alpha=0.6)
            drawn.append(pd.Series([base * top]))
    ax.set_xticks(sorted(thread_counts))
    ax.set_xlabel("threads")
    style.rate_axis(ax, pd.concat(drawn), unit)
    ax.grid(True, alpha=0.3)
    style.legend_outside(ax, title="variant · pin policy")
    what = "GFLOP/s" if rate == "gflops" else "GB/s"
    shape = shapes.pop() if len(shapes) == 1 else "the shape measured at the most thread counts"
    style.titles(fig, ax, f"{kernel}: {what} by threads and pinning", results,
                 f"{shape}; each point: the best configuration; dotted: linear from 1 thread")
    return style.save(fig, out)
