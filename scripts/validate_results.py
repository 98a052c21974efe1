#!/usr/bin/env python3
"""Validate an elubench results file against results/schema.json, plus the checks a schema
cannot express: every CPU row ok (with --expect-cpu-ok), every GPU row either ok or skipped
with a reason, samples consistent with their statistics.

usage: validate_results.py RESULTS.json [--schema results/schema.json] [--expect-cpu-ok]
exit: 0 valid, 1 invalid, 2 unusable input (missing file, no jsonschema)."""
import argparse
import json
import pathlib
import sys


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("--schema", default=str(pathlib.Path(__file__).resolve().parent.parent / "results" / "schema.json"))
    ap.add_argument("--expect-cpu-ok", action="store_true", help="fail unless every CPU row is ok")
    args = ap.parse_args()
    try:
        import jsonschema
    except ImportError:
        print("validate_results: python package 'jsonschema' is missing (scripts/install_deps.sh installs it)",
              file=sys.stderr)
        return 2
    try:
        doc = json.loads(pathlib.Path(args.results).read_text())
        schema = json.loads(pathlib.Path(args.schema).read_text())
    except (OSError, json.JSONDecodeError) as e:
        print(f"validate_results: {e}", file=sys.stderr)
        return 2

    errors = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
              for e in jsonschema.Draft202012Validator(schema).iter_errors(doc)]
    results = doc.get("results", []) if isinstance(doc, dict) else []
    if not results:
        errors.append("results[] is empty")
    for r in results:
        name = f"{r.get('name')} n={r.get('n')} threads={r.get('threads')}"
        if r.get("status") == "ok":
            t = r["time_s"]
            gt = r.get("gpu_timing")
            if r.get("device") == "cpu" and len(t["samples"]) < doc["config"]["repetitions"]:
                errors.append(f"{name}: {len(t['samples'])} samples, fewer than the repetitions")
            # GPU rows (schema 2) stop on their own rule; the count must match what it says.
            if gt is not None and gt["sample_count"] != len(t["samples"]):
                errors.append(f"{name}: gpu_timing.sample_count {gt['sample_count']} != {len(t['samples'])} samples")
            if not (t["min"] <= t["median"] <= t["max"]) or t["min"] != min(t["samples"]):
                errors.append(f"{name}: statistics disagree with the samples")
            if r["accuracy"]["checked"] != r["n"]:
                errors.append(f"{name}: checked {r['accuracy']['checked']} of {r['n']} elements")
        if args.expect_cpu_ok and r.get("device") == "cpu" and r.get("status") != "ok":
            errors.append(f"{name}: CPU row is {r.get('status')}: {r.get('reason')}")
        if r.get("device") == "gpu" and r.get("status") == "skipped" and not r.get("reason"):
            errors.append(f"{name}: GPU row skipped without a reason")
    for e in errors[:50]:
        print(f"validate_results: {args.results}: {e}", file=sys.stderr)
    if errors:
        return 1
    ok = sum(r["status"] == "ok" for r in results)
    print(f"validate_results: {args.results}: valid ({len(results)} rows, {ok} ok)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
