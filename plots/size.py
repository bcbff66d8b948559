"""GFLOP/s against problem size, one line per variant of one kernel: where a variant falls out of a
cache, where the blocked ones overtake the naive one.

Each point is the best configuration of the variant at that shape and thread count. The size is
the dimension that varies when one does (`n` of a copy) or the common value of those that vary
together (m = n = k), else the product of the dimensions (n·k of a GEMV); the x axis is
logarithmic, and so is the y axis when the rates span more than 20×. Kernels without floating-point work (copy, read) are
drawn in GB/s.
"""
from . import style
from .results import PlotDataError, at_threads, best, kernel_dims, one_kernel, rate_column, select, shape_of


def problem_size(results, rows, plot):
    """The x values of the rows, the axis label and the dims that stay fixed. Raises when every row
    has the same shape."""
    dims = kernel_dims(rows, results.dims)
    varying = [d for d in dims if rows[d].nunique() > 1]
    if not varying:
        raise PlotDataError(f"{results.path}: the {plot} plot needs two or more problem sizes; every measured "
                            f"row of {rows['kernel'].iloc[0]} has {shape_of(rows.iloc[0], dims)}")
    fixed = shape_of(rows.iloc[0], [d for d in dims if d not in varying])
    # A dimension that varies alone, or several that vary together (m = n = k): their value.
    if all((rows[d] == rows[varying[0]]).all() for d in varying):
        return rows[varying[0]].astype(float), f"{' = '.join(varying)} (elements)", fixed
    size = rows[dims[0]].astype(float)
    for d in dims[1:]:
        size = size * rows[d].astype(float)
    return size, f"{'·'.join(dims)} (elements)", ""


def plot(results, out, variant=None, threads=None):
    rows = results.rows_for("size", ["time_ns"])
    rows = select(results, rows, variant)
    kernel = one_kernel(results, rows, "size")
    rate, unit = rate_column(rows)
    rows = rows[rows[rate].notna()]
    rows, threads = at_threads(results, rows, "size", threads)
    x, xlabel, fixed = problem_size(results, rows, "size")
    dims = kernel_dims(rows, results.dims)
    rows = rows.assign(size=x, shape=[shape_of(r, dims) for _, r in rows.iterrows()])

    fig, ax = style.new_figure()
    points = best(rows, ["id", "shape"], rate)
    for name, line in points.groupby("id", sort=True):
        line = line.sort_values(["size", "shape"])
        ax.plot(line["size"], line[rate], label=name, linewidth=1.8, markersize=6, **style.look(results, name))
    ax.set_xscale("log")
    sizes = sorted(set(points["size"]))
    if len(sizes) <= 12:
        ax.set_xticks(sizes)
    style.count_axis(ax.xaxis)
    style.rate_axis(ax, points[rate], unit)
    ax.set_xlabel(xlabel)
    ax.grid(True, which="major", alpha=0.3)
    style.legend_outside(ax, title="variant")
    what = "GFLOP/s" if rate == "gflops" else "GB/s (no floating-point work)"
    detail = f"threads={threads}; each point: the best configuration at that shape"
    if fixed:
        detail += f"; {fixed}"
    style.titles(ax, f"{kernel}: {what} by problem size", results, detail)
    return style.save(fig, out)
