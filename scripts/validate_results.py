#!/usr/bin/env python3
"""Validate an elubench results file: results/schema.json and the row checks every script applies
(through results_io.load_results), then what only a validator asks: as many samples as the
repetitions, statistics that agree with the samples, every element checked, every CPU row ok
(with --expect-cpu-ok), every skipped GPU row with a reason.

usage: validate_results.py RESULTS.json [--schema results/schema.json] [--expect-cpu-ok]
exit: 0 valid; 1 a readable results file that fails the checks above (each listed);
2 unusable input (missing, not UTF-8 JSON, not matching the schema): one line."""
import argparse
import sys
from pathlib import Path

import results_io as rio

PROG = "validate_results.py"


def parse_args(argv):
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("--schema", default=str(rio.SCHEMA_PATH))
    ap.add_argument("--expect-cpu-ok", action="store_true", help="fail unless every CPU row is ok")
    return ap.parse_args(argv)


def row_problems(doc, expect_cpu_ok):
    """The checks beyond the loader's; one message per problem."""
    errors = []
    for r in doc["results"]:
        name = f"{r['name']} n={r['n']} threads={r['threads']}"
        if r["status"] == "ok":
            t = r["time_s"]
            if len(t["samples"]) < doc["config"]["repetitions"]:
                errors.append(f"{name}: {len(t['samples'])} samples, fewer than the repetitions")
            if t["min"] != min(t["samples"]) or t["max"] != max(t["samples"]):
                errors.append(f"{name}: statistics disagree with the samples")
            if r["accuracy"]["checked"] != r["n"]:
                errors.append(f"{name}: checked {r['accuracy']['checked']} of {r['n']} elements")
        if expect_cpu_ok and r["device"] == "cpu" and r["status"] != "ok":
            errors.append(f"{name}: CPU row is {r['status']}: {r['reason']}")
        if r["device"] == "gpu" and r["status"] == "skipped" and not r["reason"]:
            errors.append(f"{name}: GPU row skipped without a reason")
    return errors


def main(argv=None) -> int:
    return rio.run_main(PROG, _main, sys.argv[1:] if argv is None else argv)


def _main(argv) -> int:
    args = parse_args(argv)
    doc = rio.load_results(args.results, Path(args.schema), compact=True)
    errors = row_problems(doc, args.expect_cpu_ok)
    for e in errors[:50]:
        print(f"{PROG}: {args.results}: {e}", file=sys.stderr)
    if len(errors) > 50:
        print(f"{PROG}: {args.results}: … and {len(errors) - 50} more", file=sys.stderr)
    if errors:
        return 1
    ok = sum(r["status"] == "ok" for r in doc["results"])
    print(f"{PROG}: {args.results}: valid ({len(doc['results'])} rows, {ok} ok)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
