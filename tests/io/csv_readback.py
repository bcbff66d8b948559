"""Reads a CSV written by the CSV sink with Python's csv module and with pandas, and compares every
cell with the expected rows given as JSON. Exits non-zero with a message on any difference."""
import csv
import json
import math
import sys

import pandas as pd

path, expected_path = sys.argv[1], sys.argv[2]
with open(expected_path, encoding="utf-8") as f:
    expected = json.load(f)  # {"header": [...], "rows": [[...], ...]}

with open(path, newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f, strict=True))
if rows[0] != expected["header"]:
    sys.exit(f"csv: header differs: {rows[0]} != {expected['header']}")
if rows[1:] != expected["rows"]:
    for got, want in zip(rows[1:], expected["rows"]):
        if got != want:
            sys.exit(f"csv: row differs:\n got  {got}\n want {want}")
    sys.exit(f"csv: {len(rows) - 1} rows, expected {len(expected['rows'])}")

as_text = pd.read_csv(path, dtype=str, keep_default_na=False)
if list(as_text.columns) != expected["header"]:
    sys.exit(f"pandas: header differs: {list(as_text.columns)}")
if as_text.values.tolist() != expected["rows"]:
    sys.exit("pandas (as text): cells differ")

typed = pd.read_csv(path)
for i, row in enumerate(expected["rows"]):
    for name, cell in zip(expected["header"], row):
        value = typed[name].iloc[i]
        if cell == "":
            if not (isinstance(value, float) and math.isnan(value)):
                sys.exit(f"pandas: empty cell {name} of row {i} read as {value!r}, not NaN")
        elif name in ("time_ns", "gflops", "gbps", "err_pct", "spin_ns"):
            if abs(float(value) - float(cell)) > 1e-9 * abs(float(cell)):
                sys.exit(f"pandas: {name} of row {i} read as {value!r}, written {cell!r}")
print(f"ok: {len(expected['rows'])} rows read back identically by csv and pandas")
