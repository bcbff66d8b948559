"""scripts/plot KIND RUN.csv [options] -o OUT.png|OUT.svg, or scripts/plot all RUN.csv -o DIR.

Exit status: 0 when the plot (or, for `all`, at least one plot) was written; 1 when the data
cannot make it (the message names the file, what is missing and why); 2 for a usage error.
"""
import argparse
import importlib
import sys


def _need(*modules):
    """Stops with the Debian package to install when a module is missing: another python3 may come
    first on PATH (pyenv, a venv) without Debian's pandas and matplotlib."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError:
            sys.exit(f"missing python module {module}: install Debian package python3-{module} (scripts/bootstrap)")


_need("pandas", "matplotlib", "numpy")

from . import heatmap, l3, roofline, scaling, size  # noqa: E402  (after the check above)
from .all import write_all  # noqa: E402
from .results import PlotDataError, load  # noqa: E402
from .style import check_output  # noqa: E402

KINDS = ("heatmap", "size", "roofline", "scaling", "l3")


def _parser():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("csv", metavar="RUN.csv", help="results of a sweep; its context RUN.json is read too")
    p = argparse.ArgumentParser(prog="scripts/plot", description="Plots of a cromwell results file (docs/plots.md).")
    sub = p.add_subparsers(dest="kind", required=True, metavar="KIND")

    def kind(name, help_, variant_help="kernel.variant glob, or a kernel name"):
        k = sub.add_parser(name, parents=[common], help=help_, description=help_)
        k.add_argument("-o", "--output", required=True, metavar="OUT.png|OUT.svg")
        k.add_argument("--variant", metavar="V", help=variant_help)
        return k

    h = kind("heatmap", "two parameters of one variant, coloured by GFLOP/s or L3 miss rate",
             f"the variant, e.g. {heatmap.DEFAULT_VARIANT} (the default when the file has it)")
    h.add_argument("--x", metavar="P", help=f"parameter across (default {heatmap.DEFAULT_X})")
    h.add_argument("--y", metavar="P", help=f"parameter up (default {heatmap.DEFAULT_Y})")
    h.add_argument("--metric", choices=heatmap.METRICS, default="gflops")
    s = kind("size", "GFLOP/s against problem size, per variant of one kernel")
    s.add_argument("--threads", type=int, help="thread count to draw (default: the highest)")
    r = kind("roofline", "best configurations on the machine's roofline")
    r.add_argument("--ceilings", metavar="PROFILE.json", help="machine profile with the measured ceilings")
    r.add_argument("--threads", type=int, help="thread count to draw (default: the highest)")
    kind("scaling", "GFLOP/s against threads, per variant and pin policy, of one kernel")
    kind("l3", "L3 miss rate against time per call, every measured configuration")
    a = sub.add_parser("all", parents=[common], help="every plot the data supports, PNG and SVG",
                       description="Every plot the data supports, as DIR/NAME.png and DIR/NAME.svg; says which "
                                   "it skipped and why.")
    a.add_argument("-o", "--output", required=True, metavar="DIR")
    a.add_argument("--ceilings", metavar="PROFILE.json", help="machine profile for the roofline")
    return p


def draw(kind, results, out, args):
    if kind == "heatmap":
        return heatmap.plot(results, out, args.variant, args.x, args.y, args.metric)
    if kind == "size":
        return size.plot(results, out, args.variant, args.threads)
    if kind == "roofline":
        return roofline.plot(results, out, args.variant, args.ceilings, args.threads)
    if kind == "scaling":
        return scaling.plot(results, out, args.variant)
    return l3.plot(results, out, args.variant)


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    if args.kind != "all":
        try:
            check_output(args.output)
        except ValueError as e:
            parser.error(str(e))
    try:
        results = load(args.csv)
        if args.kind == "all":
            written, skipped = write_all(results, args.output, args.ceilings)
            for name, why in skipped:
                print(f"skipped {name}: {why}", file=sys.stderr)
        else:
            written = draw(args.kind, results, args.output, args)
    except PlotDataError as e:
        print(f"plot: error: {e}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
