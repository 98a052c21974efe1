#!/usr/bin/env python3
"""Validate an elubench results file: results/schema.json and the row checks every script applies
(through results_load.load_results), then what only a validator asks: as many samples as the
repetitions (CPU) or as the stopping rule says (GPU), statistics that agree with the samples, every
element checked (a layer row: whole rows of y, the first and the last among them), every CPU row ok (with --expect-cpu-ok), every skipped GPU row with a reason,
each cell's ceiling the fastest copy within its reach (up to its threads), threads_used within threads, and
(with --max-pct-of-ceiling) no ok row above that % of its ceiling.

usage: validate_results.py RESULTS.json [--schema results/schema.json] [--expect-cpu-ok]
                           [--max-pct-of-ceiling PCT [--noisy]]
exit: 0 valid; 1 a readable results file that fails the checks above (each listed);
2 unusable input (missing, not UTF-8 JSON, not matching the schema): one line."""
import argparse
import math
import re
import struct
import sys
from pathlib import Path
from typing import NamedTuple

import results_index as rix
import results_load
import results_schema
import results_text
import script_io

PROG = "validate_results.py"


def parse_args(argv):
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("--schema", default=str(results_schema.SCHEMA_PATH))
    ap.add_argument("--expect-cpu-ok", action="store_true", help="fail unless every CPU row is ok")
    ap.add_argument("--max-pct-of-ceiling", type=float, metavar="PCT",
                    help="fail when an ok row is above PCT%% of its cell's copy ceiling (the rule is 105: a "
                         "ceiling that a kernel beats by more than noise is not a ceiling)")
    ap.add_argument("--noisy", action="store_true",
                    help="with --max-pct-of-ceiling, for a run on a busy machine: a row fails only when its "
                         "slower half of samples still beats the ceiling's faster half by more than PCT%%")
    return ap.parse_args(argv)


def row_problems(doc, expect_cpu_ok):
    """The checks beyond the loader's; one message per problem."""
    errors = []
    for r in doc["results"]:
        name = f"{r['name']} n={r['n']} threads={r['threads']}"
        if r["status"] == "ok":
            t = r["time_s"]
            gt = r.get("gpu_timing")
            if r["device"] == "cpu" and len(t["samples"]) < doc["config"]["repetitions"]:
                errors.append(f"{name}: {len(t['samples'])} samples, fewer than the repetitions")
            # GPU rows (schema 2) stop on their own rule; the count must match what it says.
            if gt is not None and gt["sample_count"] != len(t["samples"]):
                errors.append(f"{name}: gpu_timing.sample_count {gt['sample_count']} != {len(t['samples'])} samples")
            if t["min"] != min(t["samples"]) or t["max"] != max(t["samples"]):
                errors.append(f"{name}: statistics disagree with the samples")
            if not checked_enough(r):
                errors.append(f"{name}: checked {r['accuracy']['checked']} of {r['n']} elements")
            bad = accuracy_problem(r)
            if bad:
                errors.append(f"{name}: {bad}")
        if expect_cpu_ok and r["device"] == "cpu" and r["status"] != "ok":
            errors.append(f"{name}: CPU row is {r['status']}: {r['reason']}")
        if r["device"] == "gpu" and r["status"] == "skipped" and not r["reason"]:
            errors.append(f"{name}: GPU row skipped without a reason")
    return errors


# The tolerance strings elubench writes (Tolerance::describe, kernels/reference.cpp) and
# torch_rows.py copies, numbers as C's %g:
#     bit-exact
#     <= U ULP[ or rel error <= R][ or abs error <= A]
# An element passes when it is inside any of the bounds: U ULP of the output dtype, a relative
# error R, or an absolute error A (for a backward row, A times max(1, |dy|)).
_NUM = r"(?:[0-9]+(?:\.[0-9]*)?(?:e[-+]?[0-9]+)?|inf)"
TOLERANCE = re.compile(rf"<= (?P<ulp>{_NUM}) ULP(?: or rel error <= (?P<rel>{_NUM}))?(?: or abs error <= (?P<abs>{_NUM}))?")
# %g keeps 6 significant digits: a printed bound may be below the real one by this much.
PRINT_SLACK = 1 + 1e-5
MANTISSA_BITS = {"f32": 23, "f16": 10, "bf16": 7}


class Bound(NamedTuple):
    ulp: float
    rel: float = 0.0
    abs: float = 0.0


def parse_tolerance(text) -> Bound | None:
    """The Bound a tolerance string states, or None when it is not in the grammar above."""
    if text == "bit-exact":
        return Bound(0.0)
    m = TOLERANCE.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        return None
    return Bound(float(m["ulp"]), float(m["rel"] or 0) * PRINT_SLACK, float(m["abs"] or 0) * PRINT_SLACK)


def values_up_to(x: float, dtype: str) -> int:
    """How many positive values of dtype lie in (0, x]: the bit pattern of x rounded down."""
    x = min(x, {"f32": 3.4028234663852886e38, "f16": 65504.0, "bf16": 3.3895313892515355e38}[dtype])
    fmt, ifmt = ("<e", "<H") if dtype == "f16" else ("<f", "<I")
    near = struct.unpack(fmt, struct.pack(fmt, x))[0]
    bits = struct.unpack(ifmt, struct.pack(fmt, x))[0] - (near > x)
    return bits >> 16 if dtype == "bf16" else bits  # a positive bf16 is an f32 cut to 16 bits


def ulp_ceiling(bound: Bound, dtype: str, backward: bool) -> float:
    """The largest max ULP a row that passed `bound` can show. An element over bound.ulp passed
    by its relative error (then at most R * 2^(mantissa bits + 2) ULP away, counting a binade
    boundary crossed downward) or by its absolute error (then both values lie within A of each
    other, at most 2 x the values in (0, A] apart). A backward row's absolute bound scales with
    |dy|, which the row does not record: no ceiling there."""
    ceiling = bound.ulp
    if bound.rel:
        ceiling = max(ceiling, math.floor(bound.rel * 2.0 ** (MANTISSA_BITS[dtype] + 2)) + 1 if bound.rel < 0.25 else math.inf)
    if bound.abs:
        ceiling = max(ceiling, math.inf if backward else 2 * values_up_to(bound.abs, dtype))
    return ceiling


def checked_enough(row) -> bool:
    """Every element checked; a layer row (its reference is float64 matmuls) checks whole rows of
    y, the first and the last among them, not necessarily all."""
    checked, layer = row["accuracy"]["checked"], row.get("layer")
    if layer is None:
        return checked == row["n"]
    return checked % layer["n"] == 0 and min(layer["m"], 2) * layer["n"] <= checked <= row["n"]


def accuracy_problem(row) -> str | None:
    """Whether an ok row's recorded accuracy is within the tolerance it states; None when it is."""
    acc = row["accuracy"]
    if row.get("layer") is not None:  # a layer row: its bound grows with k, its share used is recorded
        used = row["layer"]["bound_used"]
        return None if used is not None and used <= 1 else f"layer bound used {used} (above 1 fails)"
    bound = parse_tolerance(acc["tolerance"])
    if bound is None:
        return (f"tolerance {acc['tolerance']!r} is not one this script reads ('bit-exact', or "
                "'<= U ULP' with ' or rel error <= R' and/or ' or abs error <= A')")
    ulp = results_text.max_ulp(row)
    if math.isinf(ulp):
        return f"max ULP {acc['max_ulp']}: a NaN lost or invented, which no tolerance passes"
    if bound.ulp == 0 and not bound.rel and not bound.abs and (ulp != 0 or acc["max_abs_error"] != 0):
        return f"max ULP {ulp:g}, max abs error {acc['max_abs_error']}, but the row is bit-exact"
    ceiling = ulp_ceiling(bound, row["dtype"], rix.is_backward(row["activation"]))
    if ulp > ceiling:
        beyond = f" (at most {ceiling:g} ULP with its relative and absolute bounds)" if ceiling > bound.ulp else ""
        return f"max ULP {ulp:g} breaks its tolerance '{acc['tolerance']}'{beyond}"
    return None


def main(argv=None) -> int:
    return script_io.run_main(PROG, _main, sys.argv[1:] if argv is None else argv)


def _main(argv) -> int:
    args = parse_args(argv)
    doc = results_load.load_results(args.results, Path(args.schema), compact=True)
    errors = row_problems(doc, args.expect_cpu_ok) + ceiling_errors(doc)
    if args.max_pct_of_ceiling is not None:
        errors += above_ceiling(doc, args.max_pct_of_ceiling, args.noisy)
    for e in errors[:50]:
        print(f"{PROG}: {args.results}: {e}", file=sys.stderr)
    if len(errors) > 50:
        print(f"{PROG}: {args.results}: … and {len(errors) - 50} more", file=sys.stderr)
    if errors:
        return 1
    ok = sum(r["status"] == "ok" for r in doc["results"])
    print(f"{PROG}: {args.results}: valid ({len(doc['results'])} rows, {ok} ok)")
    return 0


def ceiling_errors(doc):
    """Each cell's ceilings[] entry must be its fastest ok copy within reach (a CPU cell's copies
    with up to its threads: rix.fastest_copy_rows); threads_used within threads."""
    errors = []
    for r in doc["results"]:
        if r.get("threads_used") is not None and r["threads"] is not None and r["threads_used"] > r["threads"]:
            errors.append(f"{r['name']} n={r['n']}: threads_used {r['threads_used']} > threads {r['threads']}")
    listed = {rix.Cell.of(c): c for c in doc["ceilings"]}
    for k, r in rix.fastest_copy_rows(doc).items():
        c = listed.get(k)
        name = r["name"] + (f" on {r['threads']} thread{'s' if r['threads'] != 1 else ''}" if r["threads"] != k.threads else "")
        if c is None:
            errors.append(f"ceiling of {tuple(k)} missing from ceilings[] (fastest copy: {name})")
        elif c["median_s"] > r["time_s"]["median"]:
            errors.append(f"ceiling of {tuple(k)} is {c['variant']}, but {name} was faster in this run")
    return errors


def quartile(samples, q):
    s = sorted(samples)
    return s[min(len(s) - 1, int(q * len(s)))]


def above_ceiling(doc, pct, noisy):
    """The ok rows (not copies) above pct% of their cell's ceiling. pct_of_ceiling compares
    medians; with noisy, a row must also beat the ceiling with its upper-quartile time against
    the ceiling copy's lower-quartile time, so that a busy machine's noise does not count."""
    ceiling_row = rix.fastest_copy_rows(doc)
    errors = []
    for r in doc["results"]:
        if r["status"] != "ok" or r["kind"] == "ceiling":
            continue
        # Every row reads x (or dy) and writes y, all that a copy of its n moves: what bounds it
        # is the copy's time, so the limit on its GB/s scales with the bytes it moves beyond the
        # copy's: 1.5x for a backward (dy and the saved tensor read), 1.5x for a bias variant at
        # n = cols = 1024 (the bias row as large as x), ~1x at large n.
        c = ceiling_row.get(rix.Cell.of(r))
        copy_bytes = 2 * r["n"] * results_text.DTYPE_BYTES[r["dtype"]]
        limit = pct * max(1.0, r["bytes"] / copy_bytes) if copy_bytes else pct
        if (r.get("pct_of_ceiling") or 0) <= limit:
            continue
        if noisy and c is not None:
            # Bandwidth ratio from the row's slow samples against the ceiling's fast ones.
            worst = 100.0 * (r["bytes"] / quartile(r["time_s"]["samples"], 0.75)) / \
                (c["bytes"] / quartile(c["time_s"]["samples"], 0.25))
            if worst <= limit:
                continue
        errors.append(f"{r['name']} n={r['n']} threads={r['threads']}: {r['pct_of_ceiling']:.1f}% of its copy "
                      f"ceiling, above {limit:g}%")
    return errors


if __name__ == "__main__":
    sys.exit(main())
