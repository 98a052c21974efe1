#!/usr/bin/env python3
"""The deterministic regression gate: instructions per kernel call, counted by callgrind.

Wall-clock timing on a shared VM drifts tens of percent between identical runs, so a timing gate
either misses a 30% slowdown or cries wolf. The instructions one call executes are the same in
every run of the same binary on the same input and SIMD target, so a change in them is a change
in the code. (They are not time: a memory-bound kernel can slow down without executing more.)

  measure --binary build/X/bench/elubench_count -o counts.json
      runs the binary under valgrind --tool=callgrind. The binary brackets one call per CPU kernel
      with CALLGRIND_ZERO_STATS / CALLGRIND_DUMP_STATS_AT(name); every dump file callgrind writes
      carries "desc: Trigger: Client Request: <name>" and the call's "totals: <Ir>".
  compare BASE.json CAND.json [--threshold 10] [--markdown]
      per variant the change in instructions: SAME, MORE_WORK (> threshold %), LESS_WORK.

Counts recorded under different SIMD targets (AVX2 vs AVX3, or valgrind's CPUID hiding a target)
do not compare: compare says so and exits 0.

Exit status: measure 0 ok, 1 the run failed; compare 1 when any variant is MORE_WORK, 2 on
unusable input, 0 otherwise.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import results_io as rio

PROG = "count_gate.py"
SCHEMA = "elubench-counts"
SCHEMA_VERSION = 1
TRIGGER_PREFIX = "Client Request: "


# Unusable input: reported as one line on stderr, exit 2 (the same class as the results loader's,
# so its strict JSON reading, rio.read_json, reports through the same path).
InputError = rio.InputError


# ---------------------------------------------------------------------------------------------
# Callgrind dump files


def parse_dump(text: str) -> tuple[str | None, int]:
    """(client-request name or None, Ir total) of one callgrind dump file.

    The name is None for dumps not triggered by a client request (e.g. "Program termination").
    Ir is taken from "totals:" (the sum of the cost lines; callgrind 3.19 writes it a few Ir above
    "summary:", which is the fallback when totals is absent) at the position that the
    "events:" line gives Ir.
    """
    trigger = None
    events = None
    totals = summary = None
    for line in text.splitlines():
        if line.startswith("desc: Trigger: "):
            trigger = line[len("desc: Trigger: "):].strip()
        elif line.startswith("events:"):
            events = line[len("events:"):].split()
        elif line.startswith("totals:"):
            totals = line[len("totals:"):].split()
        elif line.startswith("summary:"):
            summary = line[len("summary:"):].split()
    if events is None or "Ir" not in events:
        raise InputError("callgrind dump has no 'events:' line with Ir")
    values = totals if totals is not None else summary
    if values is None:
        raise InputError("callgrind dump has neither a 'totals:' nor a 'summary:' line")
    idx = events.index("Ir")
    # Trailing zero counts may be omitted in callgrind's format.
    ir = int(values[idx]) if idx < len(values) else 0
    name = None
    if trigger is not None and trigger.startswith(TRIGGER_PREFIX):
        name = trigger[len(TRIGGER_PREFIX):]
    return name, ir


def collect_dumps(out_base: str) -> dict[str, int]:
    """Counts by client-request name over every dump file callgrind wrote for out_base."""
    counts: dict[str, int] = {}
    paths = sorted(glob.glob(glob.escape(out_base) + "*"))
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            name, ir = parse_dump(f.read())
        if name is None:
            continue
        if name in counts:
            raise InputError(f"two callgrind dumps are named '{name}'")
        counts[name] = ir
    return counts


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def parse_binary_stdout(text: str) -> tuple[str, int, list[str]]:
    """(simd_target, n, variants that passed) from elubench_count's stdout."""
    simd = n = None
    ok = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "simd_target":
            simd = parts[1]
        elif len(parts) == 2 and parts[0] == "n":
            n = int(parts[1])
        elif len(parts) == 2 and parts[1] == "ok":
            ok.append(parts[0])
    if simd is None or n is None:
        raise InputError("the binary's output lacks its 'simd_target' or 'n' line")
    return simd, n, ok


def write_atomic(path: str, doc: dict, force: bool) -> None:
    if os.path.exists(path) and not force:
        raise InputError(f"{path} exists (use --force to overwrite)")
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".counts-", suffix=".json", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2, sort_keys=True)
            f.write("\n")
        os.replace(tmp, path)
    except OSError as e:  # a full or read-only disk: one line, and no temporary file left
        os.unlink(tmp)
        raise InputError(f"{path}: cannot write: {e.strerror or e}") from None
    except BaseException:
        os.unlink(tmp)
        raise


def measure(args) -> int:
    if not (os.path.isfile(args.binary) and os.access(args.binary, os.X_OK)):
        raise InputError(f"{args.binary}: not an executable file")
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise InputError("valgrind not found on PATH (Debian: apt-get install valgrind)")
    if os.path.exists(args.output) and not args.force:
        raise InputError(f"{args.output} exists (use --force to overwrite)")
    with tempfile.TemporaryDirectory(prefix="count_gate-") as tmp:
        out_base = os.path.join(tmp, "cg.out")
        # Collection stays on: each DUMP_STATS_AT writes the counts since the ZERO_STATS just
        # before it, so what ran between two variants (input setup, checks) is never counted.
        cmd = [valgrind, "--tool=callgrind", f"--callgrind-out-file={out_base}",
               args.binary, "--n", str(args.n)]
        t0 = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        elapsed = time.monotonic() - t0
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
            print(f"{PROG}: {os.path.basename(args.binary)} under valgrind exited {proc.returncode}:\n{tail}",
                  file=sys.stderr)
            sys.stdout.write(proc.stdout)
            return 1
        simd, n, ok = parse_binary_stdout(proc.stdout)
        counts = collect_dumps(out_base)
    missing = sorted(set(ok) - set(counts))
    extra = sorted(set(counts) - set(ok))
    if missing or extra:
        raise InputError(f"dumps and checked variants differ: no dump for {missing}, unchecked dumps {extra}")
    if not counts:
        raise InputError("no variant was counted")
    doc = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "host": {"cpu_model": cpu_model(), "simd_target": simd},
        "n": n,
        "counts": dict(sorted(counts.items())),
    }
    write_atomic(args.output, doc, args.force)
    print(f"{PROG}: {len(counts)} variants counted (simd_target {simd}, n {n}) in {elapsed:.1f} s -> {args.output}")
    return 0


# ---------------------------------------------------------------------------------------------
# Compare


def load_counts(path: str) -> dict:
    doc = rio.read_json(path)  # UTF-8 only, no NaN, bounded depth and size: one line otherwise
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise InputError(f"{path}: not an {SCHEMA} file")
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise InputError(f"{path}: schema_version {doc.get('schema_version')!r}, this script reads {SCHEMA_VERSION}")
    host = doc.get("host")
    if not isinstance(host, dict) or not isinstance(host.get("simd_target"), str):
        raise InputError(f"{path}: host.simd_target missing")
    n = doc.get("n")
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        raise InputError(f"{path}: n must be a positive integer")
    counts = doc.get("counts")
    if not isinstance(counts, dict) or not counts:
        raise InputError(f"{path}: counts must be a non-empty object")
    for name, value in counts.items():
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise InputError(f"{path}: count of {name} must be a positive integer, got {value!r}")
    return doc


def verdict(base: int, cand: int, threshold: float) -> tuple[float, str]:
    pct = (cand - base) / base * 100.0
    if pct > threshold:
        return pct, "MORE_WORK"
    if pct < -threshold:
        return pct, "LESS_WORK"
    return pct, "SAME"


def compare(args) -> int:
    base = load_counts(args.baseline)
    cand = load_counts(args.candidate)
    sb, sc = base["host"]["simd_target"], cand["host"]["simd_target"]
    if sb != sc:
        print(f"{PROG}: counts from different SIMD targets don't compare (baseline {sb}, candidate {sc}); "
              "nothing checked")
        return 0
    if base["n"] != cand["n"]:
        raise InputError(f"counts for different n don't compare (baseline {base['n']}, candidate {cand['n']})")
    bc, cc = base["counts"], cand["counts"]
    rows = []
    for name in sorted(set(bc) & set(cc)):
        pct, v = verdict(bc[name], cc[name], args.threshold)
        rows.append((name, bc[name], cc[name], pct, v))
    only_base = sorted(set(bc) - set(cc))
    only_cand = sorted(set(cc) - set(bc))
    more = [r[0] for r in rows if r[4] == "MORE_WORK"]

    if args.markdown:
        print(f"### Instruction counts (callgrind, {sb}, n = {base['n']}, threshold {args.threshold:g}%)\n")
        print("| variant | baseline Ir | candidate Ir | change | verdict |")
        print("|---|---:|---:|---:|---|")
        for name, b, c, pct, v in rows:
            mark = f"**{v}**" if v == "MORE_WORK" else v
            print(f"| `{name}` | {b:,} | {c:,} | {pct:+.2f}% | {mark} |")
        for name in only_base:
            print(f"| `{name}` | {bc[name]:,} | | | only in baseline |")
        for name in only_cand:
            print(f"| `{name}` | | {cc[name]:,} | | only in candidate |")
        print()
    else:
        width = max([len(r[0]) for r in rows] + [len(x) for x in only_base + only_cand] + [7])
        print(f"{'variant':<{width}}  {'baseline Ir':>14}  {'candidate Ir':>14}  {'change':>9}  verdict")
        for name, b, c, pct, v in rows:
            print(f"{name:<{width}}  {b:>14,}  {c:>14,}  {pct:>+8.2f}%  {v}")
        for name in only_base:
            print(f"{name:<{width}}  {bc[name]:>14,}  {'':>14}  {'':>9}  only in baseline")
        for name in only_cand:
            print(f"{name:<{width}}  {'':>14}  {cc[name]:>14,}  {'':>9}  only in candidate")
    if more:
        print(f"{PROG}: MORE_WORK (> {args.threshold:g}% more instructions): {', '.join(more)}")
        return 1
    print(f"{PROG}: no variant does more than {args.threshold:g}% more work ({len(rows)} compared)")
    return 0


def parse_args(argv):
    p = argparse.ArgumentParser(prog=PROG, description="Instruction-count regression gate (callgrind).",
                                epilog="compare exit status: 0 ok, 1 MORE_WORK, 2 unusable input")
    sub = p.add_subparsers(dest="command", required=True)
    m = sub.add_parser("measure", help="count instructions per CPU kernel call under callgrind")
    m.add_argument("--binary", required=True, help="path to elubench_count")
    m.add_argument("-o", "--output", required=True, help="counts JSON to write")
    m.add_argument("--n", type=int, default=1 << 16, help="elements per call (default 65536)")
    m.add_argument("--force", action="store_true", help="overwrite an existing output file")
    c = sub.add_parser("compare", help="compare two counts files")
    c.add_argument("baseline")
    c.add_argument("candidate")
    c.add_argument("--threshold", type=float, default=10.0,
                   help="percent more instructions that make a variant MORE_WORK (default 10)")
    c.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = p.parse_args(argv)
    if args.command == "compare" and args.threshold < 0:
        p.error("--threshold must be >= 0")
    if args.command == "measure" and args.n <= 0:
        p.error("--n must be positive")
    return args


def main(argv=None) -> int:
    return rio.run_main(PROG, _main, argv)


def _main(argv) -> int:
    args = parse_args(argv)
    return measure(args) if args.command == "measure" else compare(args)


if __name__ == "__main__":
    sys.exit(main())
