"""Every plot renders from the fixtures as PNG and SVG: the PNG has the figure's pixel size and is not
blank (many colours, data drawn in colour); a file without the columns a plot needs is refused
with a message naming the file, the plot and the columns; scripts/plot finds the python with the
packages and names the package when none has them.

Run: tests/plots/run.sh, or /usr/bin/python3 tests/plots/test_plots.py (regenerate the fixtures
with tests/plots/data/make_fixtures.py).
"""
import contextlib
import csv
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["MPLBACKEND"] = "Agg"

import numpy as np  # noqa: E402
from matplotlib import image as mpimg  # noqa: E402

from plots import heatmap, l3, roofline, scaling, size, style  # noqa: E402
from plots.all import write_all  # noqa: E402
from plots.results import PlotDataError, load  # noqa: E402

DATA = ROOT / "tests" / "plots" / "data"
GEMM = DATA / "gemm-sim.csv"
MIXED = DATA / "mixed-sw.csv"
PROFILE = DATA / "profile.json"
# A real sweep (gemm.avx2_prefetch at 256³, software counters) kept for the sweep tests.
REAL = ROOT / "tests" / "run" / "data" / "gemm_avx2_prefetch_256.csv"
PLOT = ROOT / "scripts" / "plot"


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def quietly(fn, *args, **kwargs):
    """Runs fn with stderr captured; returns (result, what it said)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        result = fn(*args, **kwargs)
    return result, err.getvalue()


class PlotTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="cromwell-plots-"))
        self.addCleanup(shutil.rmtree, self.dir)

    def load(self, path):
        return quietly(load, path)[0]

    def assert_drawn(self, path):
        self.assertEqual(png_size(path), style.PIXELS, path)
        pixels = mpimg.imread(path)[..., :3]
        rgb = (pixels * 255).round().astype(np.uint32)
        colours = len(np.unique(rgb[..., 0] << 16 | rgb[..., 1] << 8 | rgb[..., 2]))
        self.assertGreater(colours, 64, f"{path}: {colours} colours: blank?")
        self.assertGreater(pixels.std(), 0.05, f"{path}: almost uniform")
        # Text, axes and grid are grey; the data is drawn in palette or colour-map colours.
        coloured = (pixels.max(axis=2) - pixels.min(axis=2) > 0.25).sum()
        self.assertGreater(coloured, 400, f"{path}: {coloured} coloured pixels: no data drawn?")

    def assert_svg(self, path):
        root = ET.parse(path).getroot()
        self.assertTrue(root.tag.endswith("svg"), path)
        self.assertGreater(len(list(root.iter())), 100, f"{path}: nearly empty")

    def render(self, fn, results, name, **kwargs):
        """Renders one plot as PNG and SVG and checks both; returns what it said on stderr."""
        outs = [self.dir / f"{name}.png", self.dir / f"{name}.svg"]
        written, said = quietly(fn, results, outs, **kwargs)
        self.assertEqual(written, outs)
        self.assert_drawn(outs[0])
        self.assert_svg(outs[1])
        return said


class EachPlotRenders(PlotTest):
    def test_heatmap_gflops_of_the_default_variant_and_params(self):
        said = self.render(heatmap.plot, self.load(GEMM), "heatmap")
        self.assertIn("threads=1, pin none", said)  # the 2-thread rows are not mixed into the cells

    def test_heatmap_l3_miss_rate(self):
        self.render(heatmap.plot, self.load(GEMM), "heatmap-l3", metric="l3_miss_rate")

    def test_heatmap_of_named_params(self):
        self.render(heatmap.plot, self.load(GEMM), "heatmap-mc", variant="gemm.avx2_prefetch", x="mc", y="kc")

    def test_heatmap_of_a_real_sweep(self):
        self.render(heatmap.plot, self.load(REAL), "heatmap-real")
        self.render(heatmap.plot, self.load(REAL), "heatmap-real-mc", x="mc", y="nc")

    def test_size(self):
        self.render(size.plot, self.load(GEMM), "size")
        self.render(size.plot, self.load(GEMM), "size-1", threads=1)

    def test_size_in_gbps_for_a_kernel_without_flops(self):
        self.render(size.plot, self.load(MIXED), "size-copy", variant="copy")
        self.render(size.plot, self.load(MIXED), "size-gemv", variant="gemv.*")

    def test_roofline_with_ceilings(self):
        self.render(roofline.plot, self.load(GEMM), "roofline", ceilings=PROFILE)
        self.render(roofline.plot, self.load(GEMM), "roofline-2", ceilings=PROFILE, threads=2)

    def test_roofline_without_ceilings(self):
        self.render(roofline.plot, self.load(MIXED), "roofline-none")

    def test_roofline_with_ceilings_of_other_thread_counts(self):
        profile = json.loads(PROFILE.read_text())
        for section in ("peaks_gflops", "bandwidth_gbps"):
            profile[section] = {k: {"12": v["1"]} for k, v in profile[section].items()}
        other = self.dir / "profile-12.json"
        other.write_text(json.dumps(profile))
        said = self.render(roofline.plot, self.load(GEMM), "roofline-12", ceilings=other, threads=1)
        self.assertIn("no ceilings at threads=1", said)

    def test_scaling(self):
        said = self.render(scaling.plot, self.load(GEMM), "scaling")
        self.assertIn("gemm.blocked left out: measured at one thread count only", said)
        self.render(scaling.plot, self.load(MIXED), "scaling-softmax", variant="softmax")

    def test_l3(self):
        said = self.render(l3.plot, self.load(GEMM), "l3")
        self.assertIn("without l3_miss_rate (simulation is single-threaded (threads=2))", said)

    def test_all_writes_every_plot_the_data_supports(self):
        written, skipped = quietly(write_all, self.load(GEMM), self.dir / "gemm", PROFILE)[0]
        names = sorted(p.name for p in written)
        kinds = ["heatmap-gflops", "heatmap-l3", "l3", "roofline", "scaling-gemm", "size-gemm"]
        self.assertEqual(names, sorted(f"{k}{s}" for k in kinds for s in (".png", ".svg")))
        self.assertEqual(skipped, [])
        for p in written:
            if p.suffix == ".png":
                self.assert_drawn(p)

    def test_all_says_what_it_skipped_and_why(self):
        written, skipped = quietly(write_all, self.load(MIXED), self.dir / "mixed")[0]
        self.assertIn(self.dir / "mixed" / "size-copy.png", written)
        self.assertIn(self.dir / "mixed" / "scaling-gemv.svg", written)
        why = dict(skipped)
        self.assertEqual(sorted(why), ["heatmap-gflops", "heatmap-l3", "l3"])
        self.assertIn("two parameters", why["heatmap-gflops"])
        self.assertIn("l3_miss_rate", why["l3"])


class WhatIsPlotted(PlotTest):
    def test_only_measured_kernel_rows_and_says_what_it_left_out(self):
        rows, said = quietly(self.load(GEMM).rows_for, "size", ["time_ns"])
        self.assertEqual(set(rows["status"]), {"measured"})
        self.assertNotIn("noop", set(rows["kernel"]))
        for what in ("calibration (noop)", "1 failed", "1 rejected", "1 error", "pruned", "unsupported"):
            self.assertIn(what, said)

    def test_columns_get_the_schemas_types(self):
        results = self.load(GEMM)
        self.assertEqual(results.dims, ["m", "n", "k"])
        self.assertEqual(results.params, ["mc", "kc", "nc", "pf_dist", "pf_hint", "pf_c", "tile"])
        self.assertEqual(str(results.rows["pf_hint"].dtype), "string")
        self.assertEqual(str(results.rows["m"].dtype), "Int64")
        self.assertEqual(str(results.rows["unstable"].dtype), "boolean")
        # Empty is unavailable, not 0: the 2-thread rows have no simulated counters.
        two = results.rows[(results.rows["threads"] == 2) & (results.rows["kernel"] == "gemm")]
        self.assertTrue(two["l3_miss_rate"].isna().all())

    def test_titles_name_the_machine_and_the_date(self):
        results = self.load(GEMM)
        self.assertEqual(results.machine(), "fixture-ws — Fixture CPU (2 cores, AVX2, 32 MiB L3)")
        self.assertEqual(results.date(), "2026-12-01 10:00 UTC")

    def test_a_file_without_its_context_still_plots(self):
        shutil.copy(GEMM, self.dir / "alone.csv")
        results, said = quietly(load, self.dir / "alone.csv")
        self.assertIn("no context file alone.json", said)
        self.assertEqual(results.schema_version, 0)
        self.assertIn("machine unknown", results.machine())
        self.render(size.plot, results, "alone")


class Refusals(PlotTest):
    def refused(self, fn, *args, **kwargs):
        with self.assertRaises(PlotDataError) as e:
            quietly(fn, *args, **kwargs)
        return str(e.exception)

    def without(self, source, column):
        """A copy of a fixture (and its context) without one column."""
        out = self.dir / f"no-{column}.csv"
        with open(source, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        drop = rows[0].index(column)
        with open(out, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows([r[:drop] + r[drop + 1:] for r in rows])
        shutil.copy(source.with_suffix(".json"), out.with_suffix(".json"))
        return out

    def test_a_missing_counter_column_is_named_with_the_plot_and_the_file(self):
        for fn, kwargs in ((l3.plot, {}), (heatmap.plot, {"metric": "l3_miss_rate"})):
            message = self.refused(fn, self.load(MIXED), self.dir / "x.png", **kwargs)
            self.assertIn(str(MIXED), message)
            self.assertIn("l3_miss_rate", message)
            self.assertIn("--counters sim", message)
        self.assertIn("the l3 plot needs column(s) l3_miss_rate", self.refused(l3.plot, self.load(MIXED), "x.png"))
        self.assertFalse((self.dir / "x.png").exists())

    def test_a_missing_fixed_column_is_named(self):
        path = self.without(GEMM, "gflops")
        message = self.refused(roofline.plot, self.load(path), self.dir / "x.png")
        self.assertIn(f"{path}: the roofline plot needs column(s) gflops, which this file lacks", message)
        path = self.without(GEMM, "pin")
        self.assertIn("the scaling plot needs column(s) pin", self.refused(scaling.plot, self.load(path), "x.png"))

    def test_a_param_the_variant_lacks(self):
        message = self.refused(heatmap.plot, self.load(GEMM), "x.png", variant="gemm.avx2", x="kc", y="pf_dist")
        self.assertIn("gemm.avx2 has no parameter pf_dist (its parameters: mc, kc, nc)", message)
        message = self.refused(heatmap.plot, self.load(GEMM), "x.png", variant="gemm.nope")
        self.assertIn("no variant gemm.nope", message)

    def test_a_counter_no_measured_row_has(self):
        results = self.load(GEMM)
        results.rows.loc[results.rows["threads"] == 1, "l3_miss_rate"] = np.nan
        self.assertIn("needs l3_miss_rate, which no measured row has", self.refused(l3.plot, results, "x.png"))

    def test_data_a_plot_cannot_use(self):
        self.assertIn("two or more thread counts",
                      self.refused(scaling.plot, self.load(GEMM), "x.png", variant="gemm.blocked"))
        self.assertIn("one kernel at a time and this file has copy, gemv, softmax: choose one with --variant KERNEL",
                      self.refused(size.plot, self.load(MIXED), "x.png"))
        self.assertIn("no measured variant matches gemm.nope*",
                      self.refused(l3.plot, self.load(GEMM), "x.png", variant="gemm.nope*"))
        self.assertIn("no measured row for the size plot at threads=8",
                      self.refused(size.plot, self.load(GEMM), "x.png", threads=8))

    def test_a_newer_schema_version(self):
        shutil.copy(GEMM, self.dir / "new.csv")
        context = json.loads(GEMM.with_suffix(".json").read_text())
        context["schema_version"] = 99
        (self.dir / "new.json").write_text(json.dumps(context))
        message = self.refused(load, self.dir / "new.csv")
        self.assertIn("schema_version 99 is newer", message)

    def test_a_bad_machine_profile(self):
        bad = self.dir / "bad.json"
        bad.write_text(json.dumps({"peaks_gflops": {"avx2": {"1": -3}}}))
        message = self.refused(roofline.plot, self.load(GEMM), "x.png", ceilings=bad)
        self.assertIn("peaks_gflops.avx2.1", message)


class CommandLine(PlotTest):
    def run_plot(self, *args, env=None):
        # The user's own CROMWELL_PYTHON would bypass the choice these tests are about.
        base = {k: v for k, v in os.environ.items() if k != "CROMWELL_PYTHON"}
        return subprocess.run([str(PLOT), *map(str, args)], capture_output=True, text=True, timeout=120,
                              env={**base, **(env or {})})

    def test_runs_with_debians_python_when_another_comes_first_on_path(self):
        # A python3 first on PATH that lacks pandas and matplotlib, as pyenv's does.
        bin_dir = self.dir / "bin"
        bin_dir.mkdir()
        fake = bin_dir / "python3"
        fake.write_text(f"#!/bin/sh\nexec {sys.executable} -S \"$@\"\n")
        fake.chmod(0o755)
        r = self.run_plot("l3", GEMM, "-o", self.dir / "l3.png", env={"PATH": f"{bin_dir}:{os.environ['PATH']}"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("wrote", r.stdout)
        self.assert_drawn(self.dir / "l3.png")

    def test_names_the_missing_module_and_its_package(self):
        fake = self.dir / "python-without"
        fake.write_text(f"#!/bin/sh\nexec {sys.executable} -S \"$@\"\n")
        fake.chmod(0o755)
        r = self.run_plot("l3", GEMM, "-o", self.dir / "l3.png", env={"CROMWELL_PYTHON": str(fake)})
        self.assertEqual(r.returncode, 1)
        self.assertIn("missing python module pandas: install Debian package python3-pandas (scripts/bootstrap)",
                      r.stderr)

    def test_refuses_a_file_without_the_columns_with_exit_1(self):
        r = self.run_plot("l3", MIXED, "-o", self.dir / "l3.png")
        self.assertEqual(r.returncode, 1)
        self.assertIn("plot: error:", r.stderr)
        self.assertIn("the l3 plot needs column(s) l3_miss_rate", r.stderr)

    def test_all(self):
        r = self.run_plot("all", MIXED, "-o", self.dir / "all")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("skipped l3:", r.stderr)
        self.assertIn(f"wrote {self.dir / 'all' / 'size-copy.png'}", r.stdout)

    def test_an_output_that_is_neither_png_nor_svg(self):
        r = self.run_plot("size", GEMM, "-o", self.dir / "x.pdf")
        self.assertEqual(r.returncode, 2)
        self.assertIn("must end in .png or .svg", r.stderr)


if __name__ == "__main__":
    unittest.main()
