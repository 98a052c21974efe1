#!/usr/bin/env python3
"""Validate an elubench results file against results/schema.json, plus the checks a schema
cannot express: every CPU row ok (with --expect-cpu-ok), every GPU row either ok or skipped
with a reason, samples consistent with their statistics, each cell's ceiling the fastest of the
copies measured in it, threads_used within threads, and (with --max-pct-of-ceiling) no ok row
above that % of its ceiling.

usage: validate_results.py RESULTS.json [--schema results/schema.json] [--expect-cpu-ok]
                           [--max-pct-of-ceiling PCT [--noisy]]
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
    ap.add_argument("--max-pct-of-ceiling", type=float, metavar="PCT",
                    help="fail when an ok row is above PCT%% of its cell's copy ceiling (the rule is 105: a "
                         "ceiling that a kernel beats by more than noise is not a ceiling)")
    ap.add_argument("--noisy", action="store_true",
                    help="with --max-pct-of-ceiling, for a run on a busy machine: a row fails only when its "
                         "slower half of samples still beats the ceiling's faster half by more than PCT%%")
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
    if isinstance(doc, dict) and not errors:  # the schema holds, so the fields below exist
        errors += ceiling_errors(doc)
        if args.max_pct_of_ceiling is not None:
            errors += above_ceiling(doc, args.max_pct_of_ceiling, args.noisy)
    for e in errors[:50]:
        print(f"validate_results: {args.results}: {e}", file=sys.stderr)
    if errors:
        return 1
    ok = sum(r["status"] == "ok" for r in results)
    print(f"validate_results: {args.results}: valid ({len(results)} rows, {ok} ok)")
    return 0


def cell(r):
    return (r["device"], r["dtype"], r["n"], r["threads"])


def ceiling_errors(doc):
    """Each cell's ceilings[] entry must be its fastest ok copy row; threads_used within threads."""
    errors = []
    fastest = {}
    for r in doc["results"]:
        if r.get("threads_used") is not None and r["threads"] is not None and r["threads_used"] > r["threads"]:
            errors.append(f"{r['name']} n={r['n']}: threads_used {r['threads_used']} > threads {r['threads']}")
        if r["kind"] == "ceiling" and r["status"] == "ok":
            t = r["time_s"]["median"]
            if cell(r) not in fastest or t < fastest[cell(r)][0]:
                fastest[cell(r)] = (t, r["name"])
    listed = {cell(c): c for c in doc["ceilings"]}
    for k, (t, name) in fastest.items():
        c = listed.get(k)
        if c is None:
            errors.append(f"ceiling of {k} missing from ceilings[] (fastest copy: {name})")
        elif c["median_s"] > t:
            errors.append(f"ceiling of {k} is {c['variant']}, but {name} was faster in this run")
    return errors


def quartile(samples, q):
    s = sorted(samples)
    return s[min(len(s) - 1, int(q * len(s)))]


def above_ceiling(doc, pct, noisy):
    """The ok rows (not copies) above pct% of their cell's ceiling. pct_of_ceiling compares
    medians; with noisy, a row must also beat the ceiling with its upper-quartile time against
    the ceiling copy's lower-quartile time, so that a busy machine's noise does not count."""
    copies = {}
    for r in doc["results"]:
        if r["kind"] == "ceiling" and r["status"] == "ok":  # ceilings[] names a copy by its full name
            copies[(cell(r), r["name"])] = copies[(cell(r), r["variant"])] = r
    ceiling_row = {cell(c): copies.get((cell(c), c["variant"])) for c in doc["ceilings"]}
    errors = []
    for r in doc["results"]:
        if r["status"] != "ok" or r["kind"] == "ceiling" or (r.get("pct_of_ceiling") or 0) <= pct:
            continue
        c = ceiling_row.get(cell(r))
        if noisy and c is not None:
            # Bandwidth ratio from the row's slow samples against the ceiling's fast ones.
            worst = 100.0 * (r["bytes"] / quartile(r["time_s"]["samples"], 0.75)) / \
                (c["bytes"] / quartile(c["time_s"]["samples"], 0.25))
            if worst <= pct:
                continue
        errors.append(f"{r['name']} n={r['n']} threads={r['threads']}: {r['pct_of_ceiling']:.1f}% of its copy "
                      f"ceiling, above {pct:g}%")
    return errors


if __name__ == "__main__":
    sys.exit(main())
