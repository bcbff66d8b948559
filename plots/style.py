"""How every plot looks: one figure size, one colour-blind-safe palette, titles that name the
machine and the date, number formats people read, and saving to PNG or SVG.

Colours are the Okabe–Ito set (distinguishable with every common colour-vision deficiency), each
paired with its own marker so that a series is also told apart in grey print; yellow comes last,
being faint on white. Heatmaps use viridis (GFLOP/s) and cividis (miss rates): both perceptually
uniform and readable by colour-blind readers. Figures are laid out by matplotlib's constrained
layout, which moves titles, labels, colour bars and legends apart instead of letting them overlap;
legends sit outside the axes so that they never cover data.
"""
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

# Okabe & Ito, "Color Universal Design" (2008): blue, orange, bluish green, vermillion,
# reddish purple, sky blue, black, yellow.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", "-.", ":"]
HEATMAP_CMAPS = {"gflops": "viridis", "l3_miss_rate": "cividis"}

# Every figure: 10 × 6 inches at 100 dpi, a PNG of 1000 × 600 pixels.
FIGSIZE = (10.0, 6.0)
DPI = 100
PIXELS = (int(FIGSIZE[0] * DPI), int(FIGSIZE[1] * DPI))

FORMATS = (".png", ".svg")

# Units of the parameters, as `cromwell list params` gives them: "kernel.param" first, then "param".
# A parameter missing here is labelled by its name alone.
PARAM_UNITS = {
    "gemm.mc": "rows of A",
    "gemm.kc": "k-iterations",
    "gemm.nc": "columns of B",
    "gemm.pf_dist": "k-iterations",
    "gemm.pf_c": "k-iterations",
    "gemm.tile": "elements",
    "attn_scores.tile": "keys",
    "pf_dist": "cache lines",
}

METRIC_LABELS = {
    "gflops": "GFLOP/s",
    "gbps": "GB/s",
    "l3_miss_rate": "L3 miss rate (%)",
    "time_ns": "time per call",
}


def look(results, variant_id):
    """Colour and marker of a variant: by its place among every variant of the file, so that a
    variant looks the same in each plot of one results file."""
    index = results.variant_ids().index(variant_id)
    return {"color": PALETTE[index % len(PALETTE)], "marker": MARKERS[index % len(MARKERS)]}


def param_label(kernel, param):
    unit = PARAM_UNITS.get(f"{kernel}.{param}") or PARAM_UNITS.get(param)
    return f"{param} ({unit})" if unit else param


def new_figure(ncols=1):
    """The figure and its axes (one, or a row of `ncols`). The axes sit in a subfigure whose own
    title carries the subtitle: constrained layout then keeps title, subtitle, panels and legends
    apart however many panels there are."""
    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    axes = fig.subfigures(1, 1).subplots(1, ncols)
    return fig, axes


def titles(ax, subject, results, detail=""):
    """The subject on top; under it the machine, the date and what the reader must know about the
    data (simulated counters, the rows chosen, a build whose timings are not trustworthy)."""
    panel = ax.figure
    panel.figure.suptitle(subject, fontsize=13, fontweight="bold")
    first = f"{results.machine()} · {results.date()}"
    caveat = results.caveat()
    if caveat:
        first += f" · {caveat}"
    panel.suptitle("\n".join([first] + ([detail] if detail else [])), fontsize=9, color="#333333")


def counters_detail(sources):
    """Where L3 values come from. A simulated L3 has no prefetcher at all: a reader comparing
    prefetch distances must know that they cannot change its misses."""
    if any(s.startswith("sim:") for s in sources):
        return f"simulated L3 ({', '.join(sources)}): no hardware prefetcher, software prefetch ignored, one thread"
    return f"L3 counters: {', '.join(sources)}" if sources else ""


def legend_outside(ax, title=None, **kwargs):
    """A legend to the right of the axes: constrained layout makes room for it, and it covers no data."""
    return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize=9,
                     title=title, title_fontsize=9, frameon=False, **kwargs)


def _count(value):
    """Tick labels people read without counting zeros: 1500 → '1.5k', 2e6 → '2M', and powers of
    two as sizes are spoken: 65536 → '64Ki', 2^24 → '16Mi'."""
    if value >= 1024 and float(value).is_integer() and int(value) & (int(value) - 1) == 0:
        for shift, prefix in ((30, "Gi"), (20, "Mi"), (10, "Ki")):
            if value >= 1 << shift:
                return f"{value / (1 << shift):g}{prefix}"
    for factor, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.3g}{prefix}"
    return f"{value:.3g}"


def _time(ns):
    for factor, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
        if ns >= factor:
            return f"{ns / factor:g} {unit}"
    return f"{ns:g} ns"


def count_axis(axis):
    """Counts (elements) on a log axis: 1k, 1M or 64Ki instead of 10^3, 10^6, 6.5×10^4."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: _count(v)))
    axis.set_minor_formatter(NullFormatter())


def plain_axis(axis):
    """Rates on a log axis, labelled at 1, 2, 5, 10, 20 … as plain numbers (not 10^1): a reader can
    tell 60 from 70 GFLOP/s without counting minor ticks."""
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def rate_axis(ax, values, label):
    """GFLOP/s or GB/s on y: logarithmic when the values span more than 20× (a naive variant next
    to a vectorized one), else linear from 0, so that twice as high is twice as fast."""
    if values.max() > 20 * values.min():
        ax.set_yscale("log")
        plain_axis(ax.yaxis)
    else:
        ax.set_ylim(bottom=0, top=values.max() * 1.08)
    ax.set_ylabel(label)


def time_axis(axis):
    """Nanoseconds on a log axis, written as 10 µs, 1 ms."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: _time(v)))
    axis.set_minor_formatter(NullFormatter())


def save(fig, outs):
    """Writes the figure to each path (one, or a list), PNG or SVG by the suffix; returns the paths.
    The SVG carries no date, so that the same data makes the same file."""
    outs = [Path(o) for o in ([outs] if isinstance(outs, (str, Path)) else outs)]
    for out in outs:
        check_output(out)
    for out in outs:
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=DPI, metadata={"Date": None} if out.suffix.lower() == ".svg" else {})
    return outs


def check_output(out):
    if Path(out).suffix.lower() not in FORMATS:
        raise ValueError(f"{out}: the output must end in .png or .svg")
