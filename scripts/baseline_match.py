#!/usr/bin/env python3
"""Whether a timing baseline applies to a candidate run: same CPU model AND same SIMD target.

The CPU model name alone is not enough: one name ("AMD EPYC", a cloud VM's generic label) covers
machines where Highway picks AVX3 (AVX-512) and others where it picks AVX2, and the same code
runs at different speeds on the two. ci_gate.sh compares times only when both match.

  baseline_match.py BASELINE.json [BASELINE.json ...] CANDIDATE.json

With several baselines (one per machine kind: results/baselines/ci-cpu.json and ci-cpu.*.json),
the first that matches applies: timing baselines are keyed by CPU model and SIMD target. Rows
carry their own target too (elubench --simd), and compare.py pairs rows of one target only.

Exit status: 0 a baseline applies (prints what matched, then its path on a line of its own), 1
none does (prints one line saying what differs for each), 2 unusable input.
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
    ap.add_argument("baselines", nargs="+", metavar="baseline")
    ap.add_argument("candidate")
    args = ap.parse_args(argv)
    try:
        cand = results_load.load_results(args.candidate)
        whys = []
        for path in args.baselines:
            why = mismatch(results_load.load_results(path), cand)
            if why is None:
                print(f"baseline applies: {cand['host']['cpu_model']}, {cand['host']['simd_target']}\n{path}")
                return 0
            whys.append(why if len(args.baselines) == 1 else f"{path}: {why}")
    except script_io.InputError as e:
        return script_io.fail(PROG, str(e))
    print(f"the baseline is for another machine: {'; '.join(whys)}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
