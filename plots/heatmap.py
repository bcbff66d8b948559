"""Heatmap of two parameters of one variant: which pair of, say, `kc` (k-iterations per packed
panel) and `pf_dist` (prefetch distance) is fastest, or misses L3 least.

Each cell is the best configuration with those two values: the highest GFLOP/s or the lowest L3
miss rate over the variant's other parameters; the colour bar names the ones that varied. The
cells compare equal work at equal settings: one shape and one setting of threads, pin, cache and
align, the combination with the most measured rows (said on stderr when the file has others).
Cells without a measured configuration are grey; the best cell is outlined.
"""
import matplotlib
import numpy as np
from matplotlib.patches import Rectangle

from . import style
from .results import PlotDataError, best, note, shape_of, sorted_values

DEFAULT_VARIANT = "gemm.avx2_prefetch"
DEFAULT_X, DEFAULT_Y = "kc", "pf_dist"
METRICS = ("gflops", "l3_miss_rate")
# Up to this many cells carry their value as text; beyond it the numbers would not fit.
ANNOTATE_MAX_CELLS = 144
_AXES = ["threads", "pin", "cache", "align"]


def varied_params(results, variant):
    """The parameters of a variant with two or more measured values, most values first."""
    rows = results.rows[(results.rows["id"] == variant) & (results.rows["status"] == "measured")]
    counts = {p: rows[p].nunique() for p in results.params if rows[p].notna().any()}
    return sorted((p for p, n in counts.items() if n > 1), key=lambda p: -counts[p])


def choose(results, variant=None, x=None, y=None):
    """The variant and the two parameters to draw when the command line does not name them:
    kc × pf_dist of gemm.avx2_prefetch where the file has them, else the variant with the most
    measured rows among those with two varied parameters, and its two most varied ones."""
    if variant is None:
        if DEFAULT_VARIANT in set(results.rows["id"]) and (x or y or len(varied_params(results, DEFAULT_VARIANT)) >= 2):
            variant = DEFAULT_VARIANT
        else:
            measured = results.rows[results.rows["status"] == "measured"]
            candidates = [v for v in measured["id"].value_counts().index if len(varied_params(results, v)) >= 2]
            if not candidates:
                raise PlotDataError(f"{results.path}: the heatmap plot needs a variant with two parameters that "
                                    "each take two or more values; no variant in this file has them")
            variant = candidates[0]
    if variant not in set(results.rows["id"]):
        raise PlotDataError(f"{results.path}: no variant {variant} in this file "
                            f"(it has {', '.join(sorted(set(results.rows['id'])))})")
    if x is None or y is None:
        own = [p for p in (DEFAULT_X, DEFAULT_Y) if p in varied_params(results, variant)]
        pick = own if len(own) == 2 else varied_params(results, variant)
        pick = [p for p in pick if p not in (x, y)]
        x = x or (pick.pop(0) if pick else None)
        y = y or (pick.pop(0) if pick else None)
        if x is None or y is None:
            raise PlotDataError(f"{results.path}: {variant} has fewer than two parameters with two or more "
                                "values: name them with --x and --y")
    return variant, x, y


def plot(results, out, variant=None, x=None, y=None, metric="gflops"):
    if metric not in METRICS:
        raise PlotDataError(f"heatmap: --metric must be one of {', '.join(METRICS)}, not {metric}")
    results.require("heatmap", [metric])
    variant, x, y = choose(results, variant, x, y)
    if x == y:
        raise PlotDataError(f"heatmap: --x and --y are both {x}")
    rows = results.rows_for("heatmap", [x, y], [metric])
    rows = rows[rows["id"] == variant]
    for p in (x, y):
        if p in results.params and rows[p].isna().all():
            have = [q for q in results.params if rows[q].notna().any()]
            raise PlotDataError(f"{results.path}: {variant} has no parameter {p} (its parameters: "
                                f"{', '.join(have) or 'none'})")
    if rows.empty:
        raise PlotDataError(f"{results.path}: no measured row of {variant} has {metric}")

    kernel = rows["kernel"].iloc[0]
    rows, where = _one_point_of_work(results, rows, variant)

    lowest = metric == "l3_miss_rate"
    cells = best(rows, [y, x], metric, lowest=lowest)
    xs, ys = sorted_values(rows[x]), sorted_values(rows[y])
    grid = np.full((len(ys), len(xs)), np.nan)
    for _, r in cells.iterrows():
        grid[ys.index(r[y]), xs.index(r[x])] = r[metric]
    if lowest:
        grid = grid * 100  # a miss rate reads better as a percentage

    fig, ax = style.new_figure()
    cmap = _cmap(metric)
    masked = np.ma.masked_invalid(grid)
    image = ax.imshow(masked, cmap=cmap, aspect="auto", origin="lower", interpolation="nearest")
    ax.set_xticks(range(len(xs)), labels=xs)
    ax.set_yticks(range(len(ys)), labels=ys)
    ax.set_xlabel(style.param_label(kernel, x))
    ax.set_ylabel(style.param_label(kernel, y))
    # A grid line between cells, not through their centres.
    ax.set_xticks(np.arange(-0.5, len(xs)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(ys)), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)

    over = [p for p in results.params if p not in (x, y) and rows[p].nunique() > 1]
    word = "lowest" if lowest else "best"
    label = style.METRIC_LABELS[metric]
    bar = ax.figure.colorbar(image, ax=ax, pad=0.02)
    bar.set_label(f"{label}, {word} over {', '.join(over)}" if over else label)

    if masked.count():
        iy, ix = np.unravel_index(np.nanargmin(grid) if lowest else np.nanargmax(grid), grid.shape)
        _outline(ax, ix, iy)
    if grid.size <= ANNOTATE_MAX_CELLS:
        _annotate(ax, image, grid)

    what = "L3 miss rate" if lowest else "GFLOP/s"
    details = [where, f"each cell: the {word} configuration with that {x} and {y}; outlined: the {word} cell"
               + ("; grey: none measured" if np.isnan(grid).any() else "")]
    if lowest:
        details.append(style.counters_detail(results.counters_sources(rows)))
    style.titles(ax, f"{variant}: {what} by {x} × {y}", results, "\n".join(d for d in details if d))
    return style.save(fig, out)


def _one_point_of_work(results, rows, variant):
    """The rows of one shape and one setting of the axes (threads, pin, cache, align): the
    combination with the most rows. A cell that took its best over thread counts or shapes would
    compare different work, not different parameters. Returns the rows and their description."""
    dims = [d for d in results.dims if rows[d].notna().any()]
    rows = rows.assign(shape=[shape_of(r, dims) for _, r in rows.iterrows()])
    groups = rows.groupby(["shape"] + _AXES, sort=False).size().sort_values(ascending=False, kind="stable")
    shape, threads, pin, cache, align = groups.index[0]
    if len(groups) > 1:
        note(f"heatmap: {variant} has rows at {len(groups)} combinations of shape and axes; drawing {shape}, threads={threads}, "
             f"pin {pin}, cache {cache}, align {align} ({groups.iloc[0]} rows)")
    chosen = rows[(rows["shape"] == shape) & (rows["threads"] == threads) & (rows["pin"] == pin)
                  & (rows["cache"] == cache) & (rows["align"] == align)]
    where = f"{shape}, threads={threads}, pin {pin}"
    if cache != "hot":
        where += f", {cache} cache"
    if align:
        where += f", align {align}"
    return chosen, where


def _cmap(metric):
    cmap = matplotlib.colormaps[style.HEATMAP_CMAPS[metric]].copy()
    cmap.set_bad("#d9d9d9")
    return cmap


def _outline(ax, ix, iy):
    """White under black: visible on the lightest and the darkest colour of the map."""
    for colour, width in (("white", 6), ("black", 3)):
        ax.add_patch(Rectangle((ix - 0.5, iy - 0.5), 1, 1, fill=False, edgecolor=colour, linewidth=width))


def _annotate(ax, image, grid):
    """Each cell's value, in black on light cells and white on dark ones."""
    for (iy, ix), value in np.ndenumerate(grid):
        if np.isnan(value):
            ax.text(ix, iy, "–", ha="center", va="center", color="#555555", fontsize=9)
            continue
        r, g, b, _ = image.cmap(image.norm(value))
        light = 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5
        ax.text(ix, iy, f"{value:.3g}", ha="center", va="center", fontsize=9,
                color="black" if light else "white")
