#!/usr/bin/env python3
"""Compares two elubench results files row by row and says which kernels got slower.

A row is SLOWER only when both hold: a one-sided Mann-Whitney U test on the raw samples is
significant at --alpha, AND the median slowed by more than --threshold percent. The test alone
would flag 1% drifts on a quiet machine with many samples; the threshold alone would flag noise on
a busy one. Anything in between (too few samples, significant but small, large but not
significant) is AMBIGUOUS: warned about, never failed. FASTER is the mirror image and never fails.

--normalize-by copy divides every sample by the same run's copy-ceiling median at the same
(device, dtype, n, threads), so a machine that is uniformly slower today (clock, neighbours)
compares equal, while a kernel that lost ground against memcpy still shows.

Exit status: 1 when any row is SLOWER, 2 on unusable input, 0 otherwise.
"""

from __future__ import annotations

import argparse
import math
import sys

import numpy as np
from scipy.stats import mannwhitneyu

import results_io as rio

PROG = "compare.py"


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Compare two elubench results files: per row SAME / FASTER / SLOWER / AMBIGUOUS.",
        epilog="exit status: 0 no regression, 1 something SLOWER, 2 unusable input")
    p.add_argument("baseline", help="results JSON of the reference run")
    p.add_argument("candidate", help="results JSON of the run under test")
    p.add_argument("--alpha", type=float, default=0.01,
                   help="significance level of the one-sided Mann-Whitney U test (default 0.01)")
    p.add_argument("--threshold", type=float, default=5.0,
                   help="minimum change of the median, in percent, to call a row SLOWER/FASTER (default 5)")
    p.add_argument("--min-samples", type=int, default=5,
                   help="fewer samples than this on either side makes a row AMBIGUOUS (default 5)")
    p.add_argument("--normalize-by", choices=["none", "copy"], default="none",
                   help="copy: divide samples by the same run's copy-ceiling median at that size")
    p.add_argument("--ignore-device", action="store_true",
                   help="compare even when the GPU names or CPU models differ")
    p.add_argument("--markdown", action="store_true",
                   help="print a Markdown table (for a CI step summary) instead of plain text")
    args = p.parse_args(argv)
    if not 0 < args.alpha < 1:
        p.error("--alpha must be between 0 and 1")
    if args.threshold < 0:
        p.error("--threshold must be >= 0")
    if args.min_samples < 1:
        p.error("--min-samples must be >= 1")
    return args


def describe(row) -> str:
    """The row's name plus the parameters that tell rows with the same name apart."""
    parts = [row["name"], f"n={rio.size_label(row['n'])}"]
    if row["threads"] is not None:
        parts.append(f"t={row['threads']}")
    if row["cache"] is not None:
        parts.append(row["cache"])
    if row["input"] != "normal":
        parts.append(row["input"])
    if row["activation"] == "elu" and row["alpha"] != 1:
        parts.append(f"alpha={row['alpha']:g}")
    if row["cols"] is not None:
        parts.append(f"cols={row['cols']}")
    return " ".join(parts)


def index_rows(doc, path):
    rows = {}
    for r in doc["results"]:
        k = rio.row_key(r)
        if k in rows:
            raise rio.InputError(f"{path}: two results for {describe(r)}")
        rows[k] = r
    return rows


def check_devices(base, cand, base_rows, cand_rows):
    """Returns a reason when the two runs measured different hardware, else None."""
    def used(rows, device):
        return any(r["device"] == device and r["status"] == "ok" for r in rows.values())
    if used(base_rows, "cpu") and used(cand_rows, "cpu"):
        a, b = base["host"]["cpu_model"], cand["host"]["cpu_model"]
        if a != b:
            return f"different CPUs: baseline '{a}', candidate '{b}'"
    if base["gpu"] and cand["gpu"] and used(base_rows, "gpu") and used(cand_rows, "gpu"):
        a, b = base["gpu"]["name"], cand["gpu"]["name"]
        if a != b:
            return f"different GPUs: baseline '{a}', candidate '{b}'"
    return None


def samples_of(doc, row, normalize):
    s = np.asarray(row["time_s"]["samples"], dtype=float)
    if normalize == "copy":
        c = rio.ceiling_median(doc, row["device"], row["dtype"], row["n"], row["threads"])
        if not c:
            return None
        s = s / c
    return s


def verdict(b, c, args):
    """(verdict, change %, p-value or None, note) for baseline samples b, candidate samples c."""
    mb, mc = float(np.median(b)), float(np.median(c))
    change = (mc / mb - 1.0) * 100.0 if mb > 0 else math.inf
    if len(b) < args.min_samples or len(c) < args.min_samples:
        return "AMBIGUOUS", change, None, (f"too few samples ({len(b)} vs {len(c)}, "
                                           f"need >= {args.min_samples} each)")
    p_slower = mannwhitneyu(c, b, alternative="greater").pvalue
    p_faster = mannwhitneyu(c, b, alternative="less").pvalue
    # All samples tied on both sides gives nan: nothing to tell them apart.
    p_slower = 1.0 if math.isnan(p_slower) else float(p_slower)
    p_faster = 1.0 if math.isnan(p_faster) else float(p_faster)
    big = abs(change) > args.threshold
    if change > 0:
        p, sig, word = p_slower, p_slower < args.alpha, "SLOWER"
    else:
        p, sig, word = p_faster, p_faster < args.alpha, "FASTER"
    if sig and big:
        return word, change, p, ""
    if sig:
        return "AMBIGUOUS", change, p, f"significant but within {args.threshold:g}%"
    if big:
        return "AMBIGUOUS", change, p, f"over {args.threshold:g}% but not significant at alpha={args.alpha:g}"
    return "SAME", change, p, ""


def compare(base, cand, args, base_path, cand_path):
    base_rows = index_rows(base, base_path)
    cand_rows = index_rows(cand, cand_path)
    reason = check_devices(base, cand, base_rows, cand_rows)
    if reason and not args.ignore_device:
        raise rio.InputError(f"refusing to compare {reason} (use --ignore-device to compare anyway)")

    compared, not_ok, only_base, only_cand = [], [], [], []
    for k, b in base_rows.items():
        c = cand_rows.get(k)
        if c is None:
            only_base.append(b)
            continue
        if b["status"] != "ok" or c["status"] != "ok":
            not_ok.append((b, c))
            continue
        if args.normalize_by == "copy" and b["kind"] == "ceiling":
            # The ceiling divided by itself is 1: it is the yardstick here, not a result.
            not_ok.append((b, c))
            continue
        sb, sc = samples_of(base, b, args.normalize_by), samples_of(cand, c, args.normalize_by)
        if sb is None or sc is None:
            compared.append((b, "AMBIGUOUS", None, None, None, None, "no copy ceiling at this size to normalize by"))
            continue
        v, change, p, note = verdict(sb, sc, args)
        compared.append((b, v, float(np.median(sb)), float(np.median(sc)), change, p, note))
    only_cand = [c for k, c in cand_rows.items() if k not in base_rows]
    return compared, not_ok, only_base, only_cand, reason


def report_text(compared, not_ok, only_base, only_cand, args, device_note):
    unit = "x copy" if args.normalize_by == "copy" else "s"
    lines = []
    if device_note:
        lines.append(f"note: {device_note} (compared because of --ignore-device)")
    width = max([len(describe(r[0])) for r in compared] + [10])
    lines.append(f"{'row':<{width}}  {'base median':>12}  {'cand median':>12}  {'change':>8}  {'p':>8}  verdict")
    for b, v, mb, mc, change, p, note in compared:
        lines.append(f"{describe(b):<{width}}  {fmt(mb, unit):>12}  {fmt(mc, unit):>12}  "
                     f"{fmt_pct(change):>8}  {fmt_p(p):>8}  {v}{'  (' + note + ')' if note else ''}")
    for b, c in not_ok:
        lines.append(f"{describe(b):<{width}}  not compared: {status_text(b, c)}")
    for r in only_base:
        lines.append(f"{describe(r):<{width}}  only in baseline ({r['status']})")
    for r in only_cand:
        lines.append(f"{describe(r):<{width}}  only in candidate ({r['status']})")
    lines.append(totals(compared, not_ok, only_base, only_cand, args))
    return "\n".join(lines)


def report_markdown(compared, not_ok, only_base, only_cand, args, device_note):
    unit = "× copy" if args.normalize_by == "copy" else "s"
    lines = ["### elubench: candidate vs baseline", ""]
    lines.append(f"{totals(compared, not_ok, only_base, only_cand, args)}")
    lines.append("")
    if device_note:
        lines += [f"> note: {device_note} (compared because of `--ignore-device`)", ""]
    lines.append(f"| row | baseline median ({unit}) | candidate median ({unit}) | change | p | verdict |")
    lines.append("|---|---:|---:|---:|---:|---|")
    order = {"SLOWER": 0, "AMBIGUOUS": 1, "FASTER": 2, "SAME": 3}
    for b, v, mb, mc, change, p, note in sorted(compared, key=lambda t: order[t[1]]):
        mark = {"SLOWER": "❌ ", "AMBIGUOUS": "⚠️ ", "FASTER": "✅ "}.get(v, "")
        lines.append(f"| `{describe(b)}` | {fmt(mb, '')} | {fmt(mc, '')} | {fmt_pct(change)} | {fmt_p(p)} | "
                     f"{mark}{v}{' — ' + note if note else ''} |")
    extra = [(describe(b), "not compared: " + status_text(b, c)) for b, c in not_ok]
    extra += [(describe(r), f"only in baseline ({r['status']})") for r in only_base]
    extra += [(describe(r), f"only in candidate ({r['status']})") for r in only_cand]
    if extra:
        lines += ["", "| row | not compared |", "|---|---|"]
        lines += [f"| `{d}` | {why.replace('|', '/')} |" for d, why in extra]
    return "\n".join(lines)


def status_text(b, c):
    if b["status"] == "ok" and c["status"] == "ok":
        return "copy ceiling (the normalizer)"
    parts = []
    for side, r in (("baseline", b), ("candidate", c)):
        parts.append(f"{side} {r['status']}" + (f" ({r['reason']})" if r["status"] != "ok" else ""))
    return ", ".join(parts)


def totals(compared, not_ok, only_base, only_cand, args):
    counts = {v: sum(1 for t in compared if t[1] == v) for v in ("SLOWER", "FASTER", "AMBIGUOUS", "SAME")}
    s = ", ".join(f"{n} {v}" for v, n in counts.items())
    s += f"; {len(not_ok)} not compared, {len(only_base)} only in baseline, {len(only_cand)} only in candidate"
    s += f" (alpha {args.alpha:g}, threshold {args.threshold:g}%, normalize-by {args.normalize_by})"
    return s


def fmt(v, unit):
    if v is None:
        return "—"
    return f"{v:.4g}{(' ' + unit) if unit else ''}"


def fmt_pct(v):
    return "—" if v is None else f"{v:+.1f}%"


def fmt_p(p):
    return "—" if p is None else f"{p:.2g}"


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        base = rio.load_results(args.baseline)
        cand = rio.load_results(args.candidate)
        compared, not_ok, only_base, only_cand, device_note = compare(base, cand, args, args.baseline, args.candidate)
    except rio.InputError as e:
        return rio.fail(PROG, str(e))
    render = report_markdown if args.markdown else report_text
    print(render(compared, not_ok, only_base, only_cand, args, device_note))
    n_amb = sum(1 for t in compared if t[1] == "AMBIGUOUS")
    n_slow = sum(1 for t in compared if t[1] == "SLOWER")
    if n_amb:
        print(f"{PROG}: warning: {n_amb} row(s) AMBIGUOUS (not failed)", file=sys.stderr)
    if n_slow:
        print(f"{PROG}: {n_slow} row(s) SLOWER", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
