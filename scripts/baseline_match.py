#!/usr/bin/env python3
"""Whether a timing baseline applies to a candidate run: same CPU model AND same SIMD target.

The CPU model name alone is not enough: one name ("AMD EPYC", a cloud VM's generic label) covers
machines where Highway picks AVX3 (AVX-512) and others where it picks AVX2, and the same code
runs at different speeds on the two. ci_gate.sh compares times only when both match.

  baseline_match.py BASELINE.json CANDIDATE.json

Exit status: 0 the baseline applies (prints what matched), 1 it does not (prints one line saying
what differs), 2 unusable input.
"""

from __future__ import annotations

import argparse
import sys

import results_load
import script_io

PROG = "baseline_match.py"


def mismatch(base: dict, cand: dict) -> str | None:
    """None when base and cand come from the same kind of machine; otherwise why not."""
    diffs = []
    for key, what in (("cpu_model", "CPU model"), ("simd_target", "SIMD target")):
        b, c = base["host"][key], cand["host"][key]
        if b != c:
            diffs.append(f"{what} '{b}' (baseline) vs '{c}' (this run)")
    return "; ".join(diffs) or None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    ap.add_argument("baseline")
    ap.add_argument("candidate")
    args = ap.parse_args(argv)
    try:
        base, cand = results_load.load_results(args.baseline), results_load.load_results(args.candidate)
    except script_io.InputError as e:
        return script_io.fail(PROG, str(e))
    why = mismatch(base, cand)
    if why:
        print(f"the baseline is for another machine: {why}")
        return 1
    print(f"baseline applies: {cand['host']['cpu_model']}, {cand['host']['simd_target']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
