"""`scripts/plot all RUN.csv -o DIR`: every plot the data supports, each as PNG and SVG, with the
reason for every plot it could not draw (a file of `sw` counters has no L3 miss rate; a sweep at one
thread count has no scaling)."""
from pathlib import Path

from . import heatmap, l3, roofline, scaling, size
from .results import PlotDataError, note
from .style import FORMATS


def jobs(results, ceilings=None):
    """(name, draw) for every plot worth trying on this file; draw(outs) writes the files."""
    kernels = sorted(set(results.rows.loc[(results.rows["status"] == "measured")
                                          & (results.rows["kernel"] != "noop"), "kernel"]))
    found = [("heatmap-gflops", lambda out: heatmap.plot(results, out, metric="gflops")),
             ("heatmap-l3", lambda out: heatmap.plot(results, out, metric="l3_miss_rate"))]
    found += [(f"size-{k}", lambda out, k=k: size.plot(results, out, variant=k)) for k in kernels]
    found.append(("roofline", lambda out: roofline.plot(results, out, ceilings=ceilings)))
    found += [(f"scaling-{k}", lambda out, k=k: scaling.plot(results, out, variant=k)) for k in kernels]
    found.append(("l3", lambda out: l3.plot(results, out)))
    return found


def write_all(results, directory, ceilings=None):
    """Returns (the files written, [(plot name, why it was skipped)])."""
    directory = Path(directory)
    written, skipped = [], []
    for name, draw in jobs(results, ceilings):
        note(f"-- {name}")
        try:
            written += draw([directory / f"{name}{suffix}" for suffix in FORMATS])
        except PlotDataError as e:
            skipped.append((name, str(e)))
    return written, skipped
