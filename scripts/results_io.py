"""Loading and validating elubench results files, shared by plot.py, compare.py and update_readme.py.

results/schema.json is the contract with the bench binary; every script validates its input
against it (and against the schema version it was written for) before reading a single field,
so a file from another version fails with one clear line instead of a KeyError half-way through.
Names of variants always come from the file, never from a list kept here.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "results" / "schema.json"
SCHEMA_NAME = "elubench-results"
SCHEMA_VERSION = 2
# Versions this code reads: 2 only adds the GPU timing fields, so files of version 1 load too.
SCHEMA_VERSIONS = (1, 2)

DTYPE_BYTES = {"f32": 4, "f16": 2, "bf16": 2}


class InputError(Exception):
    """Input a script cannot use; the message is the one line the user sees."""


_validator = None


def _get_validator():
    global _validator
    if _validator is None:
        schema = json.loads(SCHEMA_PATH.read_text())
        _validator = jsonschema.Draft202012Validator(schema)
    return _validator


def load_results(path) -> dict:
    """Reads and validates one results file; raises InputError with a one-line reason."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: malformed JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA_NAME:
        raise InputError(f"{path}: not an elubench results file (no \"schema\": \"{SCHEMA_NAME}\")")
    # Checked before the full validation so a file from another version says so plainly.
    if doc.get("schema_version") not in SCHEMA_VERSIONS:
        raise InputError(f"{path}: schema_version {doc.get('schema_version')!r} is not supported "
                         f"(this script reads versions {', '.join(map(str, SCHEMA_VERSIONS))})")
    error = jsonschema.exceptions.best_match(_get_validator().iter_errors(doc))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise InputError(f"{path}: does not match results/schema.json at {where}: {error.message}")
    return doc


def fail(prog: str, message: str) -> int:
    """Prints the one line for unusable input and returns the exit status for it."""
    print(f"{prog}: error: {message}", file=sys.stderr)
    return 2


def device_name(doc: dict, device: str) -> str:
    """The machine a row ran on: the GPU's name for GPU rows, the CPU model for CPU rows."""
    if device == "gpu" and doc.get("gpu"):
        return doc["gpu"]["name"]
    if device == "gpu":
        return "no GPU"
    return doc["host"]["cpu_model"]


# The fields that identify one measurement across runs: everything that changes the work.
ROW_KEY_FIELDS = ("device", "activation", "variant", "dtype", "n", "threads", "cache", "input", "alpha", "cols")


def row_key(row: dict) -> tuple:
    return tuple(row[f] for f in ROW_KEY_FIELDS)


def ceiling_median(doc: dict, device: str, dtype: str, n: int, threads):
    """The run's copy-ceiling median time (s) at (device, dtype, n, threads), or None."""
    for c in doc["ceilings"]:
        if (c["device"], c["dtype"], c["n"], c["threads"]) == (device, dtype, n, threads):
            return c["median_s"]
    return None


def ceiling_gbps(doc: dict, device: str, dtype: str, n: int, threads):
    for c in doc["ceilings"]:
        if (c["device"], c["dtype"], c["n"], c["threads"]) == (device, dtype, n, threads):
            return c["gbps"]
    return None


def max_ulp(row: dict):
    """The row's max ULP as a float (inf for "inf"), or None when not checked."""
    acc = row.get("accuracy")
    if not acc:
        return None
    v = acc["max_ulp"]
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return math.inf
    return float(v)


def throttle_mark(row: dict):
    """The list of throttle reasons of a GPU row marked as throttled, else None (also for
    rows of schema version 1, which carry no clock data)."""
    t = row.get("gpu_timing")
    if t and t.get("throttled"):
        return t.get("throttle") or ["throttled"]
    return None


def size_label(n: int) -> str:
    """2^k for powers of two (the suite's sizes), the plain number otherwise."""
    if n > 0 and n & (n - 1) == 0:
        return f"2^{n.bit_length() - 1}"
    return str(n)


def fmt_num(v, digits=3) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and math.isinf(v):
        return "inf"
    return f"{v:.{digits}g}"


def elu_relu_ratio(rows: list, row: dict):
    """ELU median / ReLU median for an ELU row, from the ReLU row with the same parameters."""
    if row["activation"] != "elu" or row["status"] != "ok":
        return None
    for other in rows:
        if (other["activation"] == "relu" and other["status"] == "ok"
                and all(other[f] == row[f] for f in ROW_KEY_FIELDS if f not in ("activation", "alpha"))):
            return row["time_s"]["median"] / other["time_s"]["median"]
    return None


def summary_markdown(docs: list, labels: list | None = None) -> str:
    """Markdown tables at the largest size: one per (file, device, threads) group.

    Every row at that size is listed, skipped and failed ones too (with their reason), so the
    table never hides what the charts leave out.
    """
    out = []
    for i, doc in enumerate(docs):
        rows = doc["results"]
        groups = {}
        for r in rows:
            groups.setdefault((r["device"], r["threads"]), []).append(r)
        for (device, threads), grows in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
            head = f"**{device_name(doc, device)}** ({device}"
            head += f", {threads} thread{'s' if threads != 1 else ''})" if threads is not None else ")"
            if labels:
                head += f" — {labels[i]}"
            out.append(head)
            out.append("")
            out.append("| variant | dtype | n | GB/s | % ceiling | ELU/ReLU | max ULP | status |")
            out.append("|---|---|---|---:|---:|---:|---:|---|")
            for dtype in [d for d in ("f32", "f16", "bf16") if any(r["dtype"] == d for r in grows)]:
                drows = [r for r in grows if r["dtype"] == dtype]
                n = max(r["n"] for r in drows)
                for r in sorted((r for r in drows if r["n"] == n),
                                key=lambda r: ({"kernel": 0, "peer": 1, "ceiling": 2}[r["kind"]], r["variant"], r["activation"])):
                    name = f"{r['activation']}/{r['variant']}" + (" (peer)" if r["kind"] == "peer" else "")
                    status = r["status"] if r["status"] == "ok" else f"{r['status']}: {r['reason']}"
                    if throttle_mark(r):
                        status += f" ! throttled ({', '.join(throttle_mark(r))})"
                    status = status.replace("|", "\\|")
                    ratio = elu_relu_ratio(drows, r)
                    pct = r.get("pct_of_ceiling")
                    out.append(f"| {name} | {dtype} | {size_label(n)} | {fmt_num(r['gbps'])} | "
                               f"{fmt_num(pct)} | {fmt_num(ratio)} | {fmt_num(max_ulp(r))} | {status} |")
            out.append("")
    return "\n".join(out)
