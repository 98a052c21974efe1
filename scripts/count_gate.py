#!/usr/bin/env python3
"""The deterministic regression gate: instructions per kernel call, counted by callgrind.

Wall-clock timing on a shared VM drifts tens of percent between identical runs, so a timing gate
either misses a 30% slowdown or cries wolf. The instructions one call executes are the same in
every run of the same binary on the same machine, so a change in them is a change in the code.
(They are not time: a memory-bound kernel can slow down without executing more.) Across machines
they may differ (glibc's and Highway's choices follow the CPU valgrind presents), and counts
taken at an older commit bank every gain since, which a later regression then spends unseen
(results/baselines/README.md has the case). So counts compare only when taken on one machine,
and CI counts the commit its committed baseline names and the code under test side by side
(ci_gate.sh); a variant that got cheaper since that commit makes compare say the baseline is stale.

  measure --binary build/X/bench/elubench_count -o counts.json [--commit REV | --no-source] [--targets AVX2,SSE4]
      runs the binary under valgrind --tool=callgrind once per SIMD target, pinned to it by
      ELUBENCH_SIMD_TARGET (kernels/cpu/simd_targets.cpp). Valgrind runs AVX2 and below: its CPUID
      has no AVX-512, so AVX3 cannot be counted (the timing rows measure it). A binary that does
      not pin a target (built before ELUBENCH_SIMD_TARGET) has that target listed as not counted,
      with why (a quick uninstrumented valgrind run tells, before any callgrind time is spent).
      The binary brackets one call per CPU kernel with CALLGRIND_ZERO_STATS /
      CALLGRIND_DUMP_STATS_AT(name); every dump file callgrind writes
      carries "desc: Trigger: Client Request: <name>" and the call's "totals: <Ir>". The file
      records the machine (CPU model, a hash of its feature flags, valgrind's version) and the
      source: the commit counted and the git object ids of everything that builds the counted
      code (COUNTED_PATHS), so a later checkout can tell whether that code changed.
  changed BASELINE.json
      whether the counted code at this checkout (HEAD plus uncommitted changes) differs from the
      code BASELINE.json was counted from: prints the baseline's commit, then the paths that differ.
  compare BASE.json CAND.json [--threshold 10] [--markdown]
      per SIMD target counted in both and variant the change in instructions: SAME, MORE_WORK
      (> threshold %), LESS_WORK. A target counted in one file only is listed, not compared.

Format: schema_version 3 keeps the counts per target ("targets": {"AVX2": {variant: Ir}, ...});
version 2 files (one target, host.simd_target and "counts") are read as that one target.

Exit status: measure 0 ok, 1 the run failed; changed 0 unchanged, 1 changed; compare 1 when any
variant is MORE_WORK, 2 when the two files were counted on different machines or share no SIMD
target (cannot judge); every command 2 on unusable input.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import results_load
import script_io

PROG = "count_gate.py"
SCHEMA = "elubench-counts"
SCHEMA_VERSION = 3
READ_VERSIONS = (2, 3)  # 2: one target, host.simd_target and "counts"
TRIGGER_PREFIX = "Client Request: "
# What builds elubench_count with the CPU-only preset: the kernels (their CUDA files are not
# compiled there), the counting harness and the build files. "kernels" stands for each of its
# entries but cuda/, so a CUDA-only change needs no recount.
COUNTED_PATHS = ("kernels", "bench/tools/count_work.cpp", "bench/buffers", "bench/CMakeLists.txt",
                 "CMakeLists.txt", "CMakePresets.json", "cmake")
NOT_COUNTED = ("kernels/cuda",)
# What makes two counts files comparable: the same machine as valgrind presents it.
HOST_KEYS = ("cpu_model", "cpu_flags", "valgrind")
# The SIMD targets counted by default: those valgrind runs (its CPUID hides AVX-512, so Highway's
# AVX3 targets never run under it) and every x86-64 CI machine has.
VALGRIND_TARGETS = ("AVX2", "SSE4")
AVX512_TARGETS = ("AVX3", "AVX3_DL", "AVX3_ZEN4", "AVX3_SPR")


# Unusable input: reported as one line on stderr, exit 2 (the same class as the results loader's,
# so its strict JSON reading, results_load.read_json, reports through the same path).
InputError = script_io.InputError


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


def cpu_flags() -> str:
    """A short hash of the CPU's feature flags: machines sold under one model name ("AMD EPYC"
    on a VM) differ in them, and with them in what glibc and Highway pick."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = " ".join(sorted(line.split(":", 1)[1].split()))
                    return hashlib.sha256(flags.encode()).hexdigest()[:16]
    except OSError:
        pass
    return "unknown"


def valgrind_version(valgrind: str) -> str:
    proc = subprocess.run([valgrind, "--version"], capture_output=True, text=True)
    return proc.stdout.strip() or "unknown"


# ---------------------------------------------------------------------------------------------
# Source: which code a counts file describes


def git(root: str, *args: str, check: bool = True) -> str | None:
    """git's stdout without its last newline; None when check is False and git fails."""
    try:
        proc = subprocess.run(["git", "-C", root, *args], capture_output=True, text=True)
    except OSError as e:
        raise InputError(f"cannot run git: {e.strerror or e}") from None
    if proc.returncode != 0:
        if check:
            raise InputError(f"git {' '.join(args)}: {proc.stderr.strip().splitlines()[-1:] or ['failed']}")
        return None
    return proc.stdout.rstrip("\n")


def counted_objects(root: str, commit: str) -> dict[str, str]:
    """{path: git object id} of everything in COUNTED_PATHS at commit ("absent" for a path the
    commit lacks); "kernels" is listed entry by entry, without NOT_COUNTED."""
    out = {}
    for path in COUNTED_PATHS:
        listing = git(root, "ls-tree", commit, "--", path + "/" if path == "kernels" else path)
        entries = [line.split("\t", 1) for line in listing.splitlines()]
        for meta, name in entries:
            if name not in NOT_COUNTED:
                out[name] = meta.split()[2]
        if not entries:
            out[path] = "absent"
    return out


def source_of(root: str, rev: str) -> dict:
    commit = git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
    if not commit:
        raise InputError(f"'{rev}' is not a commit of the repository at {root}")
    return {"commit": commit, "objects": counted_objects(root, commit)}


def uncommitted(root: str) -> list[str]:
    """Counted paths with uncommitted changes (tracked or not) in the working tree."""
    status = git(root, "status", "--porcelain", "--untracked-files=all", "--", *COUNTED_PATHS)
    paths = [line[3:].split(" -> ")[-1] for line in status.splitlines()]
    return [p for p in paths if not p.startswith(tuple(x + "/" for x in NOT_COUNTED))]


def changed_paths(baseline: dict, root: str) -> list[str]:
    """What differs between the code the baseline counted and this checkout's counted code."""
    src = baseline["source"]
    if src is None:
        return ["(the counts baseline names no source: every counted path)"]
    head = counted_objects(root, "HEAD")
    old = src["objects"]
    diff = sorted(p for p in old.keys() | head.keys() if old.get(p, "absent") != head.get(p, "absent"))
    return diff + [f"{p} (uncommitted)" for p in uncommitted(root)]


def equivalent_commit(root: str, src: dict, limit: int = 200) -> str | None:
    """src's commit when this clone has it; otherwise the newest of the last `limit` commits that
    touched the counted code and holds exactly src's counted objects (after a squash merge the
    counted commit is gone, but its code is still there under another name); None if neither."""
    if git(root, "cat-file", "-e", src["commit"] + "^{commit}", check=False) is not None:
        return src["commit"]
    touched = git(root, "rev-list", f"--max-count={limit}", "HEAD", "--", *COUNTED_PATHS, check=False) or ""
    for commit in touched.split():
        if counted_objects(root, commit) == src["objects"]:
            return commit
    return None


def changed(args) -> int:
    """Prints the commit to count the baseline at (the recorded one when this clone lacks both it
    and an equivalent), then what changed since, one path a line."""
    base = load_counts(args.baseline)
    root = args.repo or git(os.path.dirname(os.path.abspath(__file__)), "rev-parse", "--show-toplevel")
    diff = changed_paths(base, root)
    src = base["source"]
    commit = "none" if src is None else (equivalent_commit(root, src) if diff else None) or src["commit"]
    print(commit)
    print("\n".join(diff) if diff else f"the counted code is unchanged since {commit}")
    return 1 if diff else 0


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


def measured_source(args) -> dict:
    """The source block for the binary measured: --commit's, or HEAD's when the counted paths
    have no uncommitted change (otherwise the file would name code it did not count)."""
    root = args.repo or git(os.path.dirname(os.path.abspath(__file__)), "rev-parse", "--show-toplevel")
    if args.commit is None:
        dirty = uncommitted(root)
        if dirty:
            raise InputError(f"uncommitted changes in the counted code ({', '.join(dirty[:3])}"
                             f"{', ...' if len(dirty) > 3 else ''}): commit them first so that the counts name "
                             "the commit they count, or pass --no-source")
    return source_of(root, args.commit or "HEAD")


def pinned_target(valgrind: str, binary: str, target: str) -> str | None:
    """None when the binary runs `target` under valgrind with ELUBENCH_SIMD_TARGET set (a quick run
    without instrumentation: a binary that ignores the variable runs what valgrind's CPUID offers,
    which natively would be another target); otherwise why it does not."""
    proc = subprocess.run([valgrind, "--tool=none", "-q", binary, "--n", "1024"], capture_output=True, text=True,
                          env=dict(os.environ, ELUBENCH_SIMD_TARGET=target))
    ran = next((l.split()[1] for l in proc.stdout.splitlines() if l.startswith("simd_target ")), None)
    if ran == target and proc.returncode == 0:
        return None
    said = (proc.stderr.strip().splitlines() or ["no message"])[-1]
    return (f"the binary ran {ran} when asked for {target} (built before ELUBENCH_SIMD_TARGET)" if ran
            else f"the binary refused {target}: {said}")


def count_target(args, valgrind: str, target: str, tmp: str) -> dict | str:
    """{variant: Ir} of one target counted under callgrind, or why it was not counted."""
    why = pinned_target(valgrind, args.binary, target)
    if why:
        return why
    out_base = os.path.join(tmp, f"cg-{target}.out")
    # Collection stays on: each DUMP_STATS_AT writes the counts since the ZERO_STATS just
    # before it, so what ran between two variants (input setup, checks) is never counted.
    cmd = [valgrind, "--tool=callgrind", f"--callgrind-out-file={out_base}", args.binary, "--n", str(args.n)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, ELUBENCH_SIMD_TARGET=target))
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        sys.stdout.write(proc.stdout)
        raise CountFailed(f"{os.path.basename(args.binary)} ({target}) under valgrind exited {proc.returncode}:\n{tail}")
    simd, n, ok = parse_binary_stdout(proc.stdout)
    if simd != target:
        raise InputError(f"under valgrind the binary ran {simd}, not {target}")
    counts = collect_dumps(out_base)
    missing, extra = sorted(set(ok) - set(counts)), sorted(set(counts) - set(ok))
    if missing or extra:
        raise InputError(f"{target}: dumps and checked variants differ: no dump for {missing}, unchecked dumps {extra}")
    if not counts:
        raise InputError(f"{target}: no variant was counted")
    return dict(sorted(counts.items()))


class CountFailed(Exception):
    """The binary failed under valgrind (exit 1, not unusable input)."""


def measure(args) -> int:
    if not (os.path.isfile(args.binary) and os.access(args.binary, os.X_OK)):
        raise InputError(f"{args.binary}: not an executable file")
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise InputError("valgrind not found on PATH (Debian: apt-get install valgrind)")
    if os.path.exists(args.output) and not args.force:
        raise InputError(f"{args.output} exists (use --force to overwrite)")
    source = None if args.no_source else measured_source(args)
    targets, not_counted = {}, {}
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="count_gate-") as tmp:
        for target in args.targets:
            try:
                got = count_target(args, valgrind, target, tmp)
            except CountFailed as e:
                print(f"{PROG}: {e}", file=sys.stderr)
                return 1
            (targets if isinstance(got, dict) else not_counted)[target] = got
    if not targets:
        raise InputError("no SIMD target was counted: " + "; ".join(f"{t}: {w}" for t, w in not_counted.items()))
    doc = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "host": {"cpu_model": cpu_model(), "cpu_flags": cpu_flags(), "valgrind": valgrind_version(valgrind)},
        "n": args.n,
        "source": source,
        "targets": targets,
        "not_counted": not_counted,
    }
    write_atomic(args.output, doc, args.force)
    for t, why in not_counted.items():
        print(f"{PROG}: {t} not counted: {why}")
    print(f"{PROG}: {', '.join(f'{t} {len(c)} variants' for t, c in targets.items())} counted (n {args.n}) in "
          f"{time.monotonic() - t0:.1f} s -> {args.output}")
    return 0


# ---------------------------------------------------------------------------------------------
# Compare


def load_counts(path: str) -> dict:
    """A counts file, version 2 read as version 3: {"host", "n", "source", "targets": {target:
    {variant: Ir}}, "not_counted": {target: why}}."""
    doc = results_load.read_json(path)  # UTF-8 only, no NaN, bounded depth and size: one line otherwise
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise InputError(f"{path}: not an {SCHEMA} file")
    version = doc.get("schema_version")
    if version not in READ_VERSIONS:
        raise InputError(f"{path}: schema_version {version!r}, this script reads {', '.join(map(str, READ_VERSIONS))}")
    host = doc.get("host")
    for key in HOST_KEYS + (("simd_target",) if version == 2 else ()):
        if not isinstance(host, dict) or not isinstance(host.get(key), str):
            raise InputError(f"{path}: host.{key} missing")
    src = doc.get("source", "missing")
    if src is not None and not (isinstance(src, dict) and isinstance(src.get("commit"), str)
                                and isinstance(src.get("objects"), dict)):
        raise InputError(f"{path}: source must be null or name a commit and its objects")
    n = doc.get("n")
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        raise InputError(f"{path}: n must be a positive integer")
    if version == 2:
        doc = dict(doc, targets={host["simd_target"]: doc.get("counts")}, not_counted={})
    targets = doc.get("targets")
    if not isinstance(targets, dict) or not targets:
        raise InputError(f"{path}: targets must be a non-empty object")
    for target, counts in targets.items():
        check_counts(path, target, counts)
    if not isinstance(doc.get("not_counted", {}), dict):
        raise InputError(f"{path}: not_counted must be an object")
    return doc


def check_counts(path: str, target: str, counts) -> None:
    if not isinstance(counts, dict) or not counts:
        raise InputError(f"{path}: counts of {target} must be a non-empty object")
    for name, value in counts.items():
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise InputError(f"{path}: count of {name} must be a positive integer, got {value!r}")


def verdict(base: int, cand: int, threshold: float) -> tuple[float, str]:
    pct = (cand - base) / base * 100.0
    if pct > threshold:
        return pct, "MORE_WORK"
    if pct < -threshold:
        return pct, "LESS_WORK"
    return pct, "SAME"


def catches(base: int, cand: int, threshold: float) -> float:
    """The gate's power for one variant: the smallest growth from the candidate's count, in
    percent, that would be MORE_WORK. The threshold itself when nothing changed; more when the
    variant got cheaper since the baseline, whose count then banks the gain."""
    return ((1.0 + threshold / 100.0) * base / cand - 1.0) * 100.0


def same_machine(base: dict, cand: dict, ignore_host: bool) -> str | None:
    """None when the two files' counts compare; otherwise why not."""
    other = [k for k in HOST_KEYS if base["host"][k] != cand["host"][k]]
    if not other or ignore_host:
        return None
    return ", ".join(f"{k} {base['host'][k]!r} vs {cand['host'][k]!r}" for k in other)


def compare(args) -> int:
    base = load_counts(args.baseline)
    cand = load_counts(args.candidate)
    why = same_machine(base, cand, args.ignore_host)
    if why:
        print(f"{PROG}: cannot judge: the two files were counted on different machines ({why}); counts "
              "compare only when taken on one machine (scripts/ci_gate.sh counts the baseline's commit there)")
        return 2
    if base["n"] != cand["n"]:
        raise InputError(f"counts for different n don't compare (baseline {base['n']}, candidate {cand['n']})")
    common = [t for t in cand["targets"] if t in base["targets"]]
    for side, doc, other in (("baseline", base, cand), ("candidate", cand, base)):
        for t in doc["targets"]:
            if t not in other["targets"]:
                why = other.get("not_counted", {}).get(t, f"the {'candidate' if side == 'baseline' else 'baseline'} "
                                                          f"counted {', '.join(other['targets'])} only")
                print(f"{PROG}: {t} counted in the {side} only, not compared ({why})")
    if not common:
        print(f"{PROG}: cannot judge: no SIMD target counted in both (baseline {', '.join(base['targets'])}; "
              f"candidate {', '.join(cand['targets'])})")
        return 2
    rows = []
    for t in common:
        bc, cc = base["targets"][t], cand["targets"][t]
        rows += [(name, t, bc[name], cc[name], *verdict(bc[name], cc[name], args.threshold),
                  catches(bc[name], cc[name], args.threshold)) for name in sorted(set(bc) & set(cc))]
        only_base, only_cand = sorted(set(bc) - set(cc)), sorted(set(cc) - set(bc))
        printer = print_markdown if args.markdown else print_text
        printer(base, t, [r for r in rows if r[1] == t], only_base, only_cand, bc, cc, args.threshold)
    return compare_status(rows, args.threshold)


def compare_status(rows, threshold: float) -> int:
    """1 on MORE_WORK; 2 on LESS_WORK (a stale baseline: it banks a gain, so the gate cannot see
    a threshold-sized regression of that variant from here); 0 otherwise. rows: (variant, target,
    base, cand, percent, verdict, catches)."""
    more = [f"{r[0]} ({r[1]})" for r in rows if r[5] == "MORE_WORK"]
    less = [r for r in rows if r[5] == "LESS_WORK"]
    if more:
        print(f"{PROG}: MORE_WORK (> {threshold:g}% more instructions): {', '.join(more)}")
        return 1
    if less:
        worst = max(less, key=lambda r: r[6])
        print(f"{PROG}: cannot judge: {len(less)} variant(s) do more than {threshold:g}% less work than at the "
              f"baseline's commit, which banks the gain: from here {worst[0]} ({worst[1]}) could grow by up to "
              f"{worst[6]:.1f}% unseen; regenerate the counts baseline (results/baselines/README.md)")
        return 2
    print(f"{PROG}: no variant does more than {threshold:g}% more work ({len(rows)} compared; each would show "
          f"a growth of more than {max([r[6] for r in rows] + [threshold]):.1f}% from here)")
    return 0


def catch_text(verdict_: str, sees: float) -> str:
    """A variant's power as printed: '—' once it is already over the threshold."""
    return "—" if verdict_ == "MORE_WORK" else f"{sees:.1f}%"


def print_markdown(base, target, rows, only_base, only_cand, bc, cc, threshold):
    print(f"### Instruction counts (callgrind, {target}, n = {base['n']}, threshold {threshold:g}%)\n")
    print("| variant | baseline Ir | candidate Ir | change | catches growth over | verdict |")
    print("|---|---:|---:|---:|---:|---|")
    for name, _, b, c, pct, v, sees in rows:
        mark = f"**{v}**" if v != "SAME" else v
        print(f"| `{name}` | {b:,} | {c:,} | {pct:+.2f}% | {catch_text(v, sees)} | {mark} |")
    for name in only_base:
        print(f"| `{name}` | {bc[name]:,} | | | | only in baseline |")
    for name in only_cand:
        print(f"| `{name}` | | {cc[name]:,} | | | only in candidate |")
    print()


def print_text(base, target, rows, only_base, only_cand, bc, cc, threshold):
    width = max([len(r[0]) for r in rows] + [len(x) for x in only_base + only_cand] + [7])
    tw = max(len(target), 6)
    print(f"{'variant':<{width}}  {'target':<{tw}}  {'baseline Ir':>14}  {'candidate Ir':>14}  {'change':>9}  "
          f"{'catches':>8}  verdict")
    for name, t, b, c, pct, v, sees in rows:
        print(f"{name:<{width}}  {t:<{tw}}  {b:>14,}  {c:>14,}  {pct:>+8.2f}%  {catch_text(v, sees):>8}  {v}")
    for name in only_base:
        print(f"{name:<{width}}  {target:<{tw}}  {bc[name]:>14,}  {'':>14}  {'':>9}  {'':>8}  only in baseline")
    for name in only_cand:
        print(f"{name:<{width}}  {target:<{tw}}  {'':>14}  {cc[name]:>14,}  {'':>9}  {'':>8}  only in candidate")


def parse_targets(value: str) -> list[str]:
    """--targets: a comma list of Highway target names, each once; AVX-512 refused (valgrind)."""
    out = []
    for t in value.upper().split(","):
        if not t:
            raise argparse.ArgumentTypeError(f"empty item in '{value}'")
        if t in AVX512_TARGETS:
            raise argparse.ArgumentTypeError(f"{t}: valgrind does not run AVX-512 (its CPUID hides it), so "
                                             f"{t} cannot be counted; count {', '.join(VALGRIND_TARGETS)}")
        if t not in out:
            out.append(t)
    return out


def parse_args(argv):
    p = argparse.ArgumentParser(prog=PROG, description="Instruction-count regression gate (callgrind).",
                                epilog="exit status: changed 0 unchanged, 1 changed; compare 0 ok, 1 MORE_WORK, "
                                "2 counted on different machines; all 2 on unusable input")
    sub = p.add_subparsers(dest="command", required=True)
    m = sub.add_parser("measure", help="count instructions per CPU kernel call under callgrind")
    m.add_argument("--binary", required=True, help="path to elubench_count")
    m.add_argument("-o", "--output", required=True, help="counts JSON to write")
    m.add_argument("--n", type=int, default=1 << 16, help="elements per call (default 65536)")
    m.add_argument("--force", action="store_true", help="overwrite an existing output file")
    m.add_argument("--commit", help="the commit the binary was built from (default: HEAD, which must have no "
                   "uncommitted change in the counted code)")
    m.add_argument("--no-source", action="store_true", help="record no source (a candidate's counts)")
    m.add_argument("--repo", help="the git checkout --commit belongs to (default: this script's)")
    m.add_argument("--targets", type=parse_targets, default=list(VALGRIND_TARGETS),
                   help=f"SIMD targets to count, Highway's names (default {','.join(VALGRIND_TARGETS)}: what "
                   "valgrind runs; it hides AVX-512)")
    g = sub.add_parser("changed", help="whether the counted code differs from what a counts file counted")
    g.add_argument("baseline")
    g.add_argument("--repo", help="the git checkout to look at (default: this script's)")
    c = sub.add_parser("compare", help="compare two counts files")
    c.add_argument("baseline")
    c.add_argument("candidate")
    c.add_argument("--threshold", type=float, default=10.0,
                   help="percent more instructions that make a variant MORE_WORK (default 10)")
    c.add_argument("--markdown", action="store_true", help="print a Markdown table")
    c.add_argument("--ignore-host", action="store_true",
                   help="compare counts from different machines with one SIMD target anyway (a number "
                   "that means little: see the module doc)")
    args = p.parse_args(argv)
    if args.command == "compare" and args.threshold < 0:
        p.error("--threshold must be >= 0")
    if args.command == "measure" and args.commit and args.no_source:
        p.error("--commit and --no-source contradict each other")
    if args.command == "measure" and args.n <= 0:
        p.error("--n must be positive")
    return args


def main(argv=None) -> int:
    return script_io.run_main(PROG, _main, argv)


def _main(argv) -> int:
    args = parse_args(argv)
    return {"measure": measure, "changed": changed, "compare": compare}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
