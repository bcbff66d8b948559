"""A results file read for plotting: the CSV of a sweep and its context (docs/results-format.md).

Every column gets the type the schema gives it, whatever pandas would guess: dims and integers as
nullable integers, parameters and texts as strings (a parameter such as `pf_hint` is text, and a
numeric-looking one stays the text it was written as until a plot asks for numbers), metrics as
reals. An empty cell is a missing value (NaN or <NA>), never 0.

A plot states the columns it needs; `Results.rows_for` checks them, keeps the measured rows of the
kernels (not the `noop` calibration rows) and says on stderr how many rows it left out and why.
"""
import fnmatch
import json
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

# The newest schema_version these readers know (docs/results-format.md, "Versions and reading back").
KNOWN_SCHEMA_VERSION = 4

_TEXT = ["key", "kernel", "variant", "status", "reason", "note", "shard", "pin", "cache", "samples_ns",
         "counters", "counters_scope", "counters_reason", "bound"]
_INTEGER = ["threads", "align", "repetitions"]
_REAL = ["time_ns", "time_ns_min", "err_pct", "gflops", "gbps", "steal_pct", "spin_ns", "pct_peak", "pct_machine"]
_BOOLEAN = ["unstable"]
# Metric columns that only some counter backends write (docs/metrics.md): a file without them
# needs another --counters, which the error says.
_COUNTER_PREFIXES = ("cycles", "instructions", "ipc", "l1d_", "l2_", "l3_", "dram_")
# The rows of one kernel's work: never the calibration rows (kernel `noop`).
_CALIBRATION_KERNEL = "noop"


class PlotDataError(Exception):
    """The data cannot make the plot asked for; the message says which file, what is missing and why."""


def note(message):
    """What a reader of the plot should know about its data (rows left out, a choice made for them)."""
    print(f"plot: {message}", file=sys.stderr)


def _read_context(csv_path):
    path = csv_path.with_suffix(".json")
    if not path.exists():
        note(f"{csv_path}: no context file {path.name}: schema version 0, the titles name no machine or date")
        return {}, path
    try:
        with open(path, encoding="utf-8") as f:
            context = json.load(f)
    except (OSError, ValueError) as e:
        raise PlotDataError(f"{path}: cannot read the context: {e}") from e
    if not isinstance(context, dict):
        raise PlotDataError(f"{path}: the context is not a JSON object")
    return context, path


def _dims_from_keys(path, keys):
    """Shape dimensions are the names in the shape part of the keys (`id/shape/params/axes`): the
    header alone does not tell a dimension from a parameter, both sit between `shard` and `threads`."""
    dims = []
    for line, key in enumerate(keys, start=2):
        parts = key.split("/")
        if len(parts) != 4:
            raise PlotDataError(f"{path}:{line}: key {key!r} is not id/shape/params/axes")
        for pair in filter(None, parts[1].split(",")):
            name = pair.split(":", 1)[0]
            if name not in dims:
                dims.append(name)
    return dims


class Results:
    """One results file: `rows` (every row, typed), `context` (dict, empty without a context file)."""

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.exists():
            raise PlotDataError(f"{self.path}: no such file")
        self.context, context_path = _read_context(self.path)
        version = self.context.get("schema_version", 0)
        if not isinstance(version, int) or version > KNOWN_SCHEMA_VERSION:
            raise PlotDataError(f"{context_path}: schema_version {version!r} is newer than these plots know "
                                f"({KNOWN_SCHEMA_VERSION}): it was written by a newer cromwell")
        self.schema_version = version
        try:
            header = list(pd.read_csv(self.path, nrows=0).columns)
            keys = pd.read_csv(self.path, usecols=["key"], dtype="string", keep_default_na=False)["key"]
        except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
            raise PlotDataError(f"{self.path}: not a results CSV: {e}") from e
        self.dims = _dims_from_keys(self.path, keys)
        if "threads" not in header or "counters_reason" not in header:
            raise PlotDataError(f"{self.path}: not a results CSV: no column threads or counters_reason")
        lead_end = header.index("shard") + 1 if "shard" in header else header.index("note") + 1
        between = header[lead_end:header.index("threads")]
        self.params = [c for c in between if c not in self.dims]
        self.metrics = header[header.index("counters_reason") + 1:]
        dtypes = {c: "string" for c in header if c in _TEXT or c in self.params}
        dtypes.update({c: "Int64" for c in header if c in _INTEGER or c in self.dims})
        dtypes.update({c: "float64" for c in header if c in _REAL or c in self.metrics})
        dtypes.update({c: "boolean" for c in header if c in _BOOLEAN})
        try:
            self.rows = pd.read_csv(self.path, dtype=dtypes, keep_default_na=False, na_values=[""])
        except (ValueError, pd.errors.ParserError) as e:
            raise PlotDataError(f"{self.path}: a cell is not of its column's type: {e}") from e
        self.rows["id"] = self.rows["kernel"] + "." + self.rows["variant"]

    # -- what the titles say --------------------------------------------------------------------
    def machine(self):
        host = self.context.get("host")
        cpu = (self.context.get("cpu") or {}).get("name")
        if not host and not cpu:
            return "machine unknown (no context file)"
        return " — ".join(x for x in (host, cpu) if x)

    def date(self):
        date = self.context.get("date")
        if not date:
            return "date unknown"
        # The context's date is UTC in ISO 8601 ("2026-12-02T06:43:03Z"): minutes are enough here.
        return date.replace("T", " ")[:16] + " UTC"

    def caveat(self):
        """Why the timings may not be worth reading (a Debug or sanitizer build), or ''."""
        if self.context.get("timings_trustworthy") is False:
            return self.context.get("timings_caveat") or f"timings of a {self.context.get('build_type')} build"
        return ""

    # -- the rows a plot draws ------------------------------------------------------------------
    def require(self, plot, columns):
        missing = [c for c in columns if c not in self.rows.columns]
        if missing:
            have = self.context.get("counters_backend") or ", ".join(
                sorted(set(self.rows["counters"].dropna())) or ["none"])
            hint = ""
            if any(c.startswith(_COUNTER_PREFIXES) for c in missing):
                hint = (f"; its counters come from the {have} backend, which does not write them: "
                        "sweep with --counters sim (single-threaded rows) or --counters perf")
            raise PlotDataError(f"{self.path}: the {plot} plot needs column(s) {', '.join(missing)}, "
                                f"which this file lacks{hint}")

    def rows_for(self, plot, columns, values=()):
        """The measured kernel rows that have every column in `values`, after checking that the file
        has every column in `columns` and `values`. Says on stderr what it left out; raises when
        nothing is left."""
        self.require(plot, list(columns) + list(values))
        rows = self.rows
        left_out = Counter()
        calibration = rows["kernel"] == _CALIBRATION_KERNEL
        left_out["calibration (noop)"] = int(calibration.sum())
        rows = rows[~calibration]
        for status, n in rows.loc[rows["status"] != "measured", "status"].value_counts().items():
            left_out[str(status)] = int(n)
        measured = rows[rows["status"] == "measured"]
        kept = measured
        for column in values:
            empty = kept[column].isna()
            if empty.any():
                if empty.all():
                    raise PlotDataError(f"{self.path}: the {plot} plot needs {column}, which no measured row "
                                        f"has{self._why_empty(kept, column)}")
                left_out[f"without {column}{self._why_empty(kept[empty], column)}"] += int(empty.sum())
            kept = kept[~empty]
        if kept.empty:
            raise PlotDataError(f"{self.path}: no measured row for the {plot} plot "
                                f"({self._describe(left_out) or 'the file has no rows'})")
        skipped = self._describe(left_out)
        note(f"{plot}: {len(kept)} of {len(self.rows)} rows of {self.path.name}"
             + (f"; left out: {skipped}" if skipped else ""))
        return kept.copy()

    def _why_empty(self, rows, column):
        """' (why)' for rows without a value of `column`: the reason the counters give most often for
        a metric, the kernels for any other column (a copy has no flops, hence no gflops)."""
        if column in self.metrics:
            reasons = rows["counters_reason"].dropna()
            return f" ({reasons.mode()[0]})" if len(reasons) else ""
        return f" ({', '.join(sorted(set(rows['kernel'])))})"

    @staticmethod
    def _describe(counts):
        return ", ".join(f"{n} {what}" for what, n in counts.items() if n)

    def variant_ids(self):
        """Every `kernel.variant` of the file's measured kernel rows, sorted."""
        kernel_rows = (self.rows["kernel"] != _CALIBRATION_KERNEL) & (self.rows["status"] == "measured")
        return sorted(set(self.rows.loc[kernel_rows, "id"]))

    def counters_sources(self, rows):
        return sorted(set(rows["counters"].dropna()))


def load(path):
    return Results(path)


def is_numeric(series):
    """Whether every value of a text column (a parameter) reads as a number."""
    return pd.to_numeric(series.dropna(), errors="coerce").notna().all()


def sorted_values(series):
    """The distinct values of a column, in numeric order when they are all numbers."""
    values = list(series.dropna().unique())
    if is_numeric(series):
        return sorted(values, key=float)
    return sorted(values)


def shape_of(row, dims):
    """`m=512 n=512 k=512`: a row's shape, its own kernel's dims only (the others are empty)."""
    return " ".join(f"{d}={row[d]}" for d in dims if pd.notna(row[d]))


def kernel_dims(rows, dims):
    """The dims a set of rows has values for, in the file's order."""
    return [d for d in dims if rows[d].notna().any()]


def rate_column(rows):
    """GFLOP/s where the kernel does floating-point work, else GB/s (a copy has no flops)."""
    if "gflops" in rows.columns and rows["gflops"].notna().any():
        return "gflops", "GFLOP/s"
    return "gbps", "GB/s"


def best(rows, by, metric, lowest=False):
    """The best row of each group: the highest `metric`, or the lowest when `lowest`."""
    order = rows.sort_values(metric, ascending=lowest, kind="stable")
    return order.groupby(by, sort=True, dropna=False).head(1)


def select(results, rows, pattern):
    """The rows of the variants a filter names, as cromwell's filters do: a `kernel.variant` glob
    (`gemm.avx2*`) or a bare kernel name (`gemm`, meaning `gemm.*`); None keeps every row."""
    if not pattern:
        return rows
    if "." not in pattern and not any(c in pattern for c in "*?["):
        pattern += ".*"
    chosen = rows[[fnmatch.fnmatchcase(v, pattern) for v in rows["id"]]]
    if chosen.empty:
        raise PlotDataError(f"{results.path}: no measured variant matches {pattern} "
                            f"(measured: {', '.join(sorted(set(rows['id'])))})")
    return chosen


def one_kernel(results, rows, plot):
    """The kernel of the rows, when there is one: a plot of one kernel's rates cannot put a GEMM's
    size and a copy's on one axis."""
    kernels = sorted(set(rows["kernel"]))
    if len(kernels) > 1:
        raise PlotDataError(f"{results.path}: the {plot} plot draws one kernel at a time and this file has "
                            f"{', '.join(kernels)}: choose one with --variant KERNEL")
    return kernels[0]


def at_threads(results, rows, plot, threads=None):
    """The rows at one thread count: `threads`, or the one with the most measured rows (the higher
    of equals), which is said on stderr."""
    counts = rows["threads"].value_counts()
    have = ", ".join(str(t) for t in sorted(counts.index))
    if threads is None:
        threads = int(max(counts.index, key=lambda t: (counts[t], t)))
        if len(counts) > 1:
            note(f"{plot}: drawing threads={threads}, the thread count with the most rows "
                 f"(the file has {have}; --threads chooses)")
    elif threads not in counts.index:
        raise PlotDataError(f"{results.path}: no measured row for the {plot} plot at threads={threads} "
                            f"(it has {have})")
    return rows[rows["threads"] == threads], threads
