"""L3 miss rate against time per call, every measured configuration of a sweep, one colour and
marker per variant: whether the configurations that miss L3 less are the fast ones.

The miss rate is `l3_miss_rate` (L3 misses / L3 accesses, docs/metrics.md), as a percentage; time
is the median time per call on a logarithmic axis. When the counters were simulated (`sim:` in the
`counters` column) the title says so: the simulator has no hardware prefetcher and ignores
software prefetch, so a prefetch distance cannot change its misses.
"""
from . import style
from .results import select


def plot(results, out, variant=None):
    rows = results.rows_for("l3", ["time_ns"], ["l3_miss_rate", "time_ns"])
    rows = select(results, rows, variant)

    fig, ax = style.new_figure()
    for name, group in rows.groupby("id", sort=True):
        look = style.look(results, name)
        ax.scatter(group["l3_miss_rate"] * 100, group["time_ns"], label=f"{name} ({len(group)})",
                   color=look["color"], marker=look["marker"], s=36, alpha=0.8, edgecolors="none")
    ax.set_yscale("log")
    style.time_axis(ax.yaxis)
    ax.set_xlabel(style.METRIC_LABELS["l3_miss_rate"] + ": L3 misses / L3 accesses")
    ax.set_ylabel("time per call (median, log scale)")
    ax.set_xlim(left=0)
    ax.grid(True, which="major", alpha=0.3)
    style.legend_outside(ax, title="variant (configurations)")

    detail = style.counters_detail(results.counters_sources(rows))
    style.titles(ax, "L3 miss rate and time per call, every measured configuration", results, detail)
    return style.save(fig, out)
