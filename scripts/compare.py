#!/usr/bin/env python3
"""Compares elubench results row by row and says which kernels got slower, and what it could see.

  compare.py BASELINE [MORE_BASELINES ...] CANDIDATE

A row is SLOWER only when both hold:
  - significance: a one-sided Mann-Whitney U test of the candidate's samples against the
    baseline's, exact up to 200 samples in the row (scipy's normal approximation cannot go below
    p = 9.2e-5 at 10 vs 10 samples), significant at --alpha after Benjamini-Hochberg over the rows
    tested. BH, not Holm: Holm's family-wise bound over 600 rows asks a lone regression for
    p < 1.7e-5, which 10 samples a side can barely give; BH asks the same of a lone row but
    less of each when several rows moved (a kernel's regression shows at every size), and with
    every row unchanged (an A/A pair) it still keeps the chance of any false SLOWER at alpha;
  - effect: the median moved by more than the allowance, and past every baseline's median when
    several are given. The allowance is --threshold (5%) or, when larger, --drift-k (4) times
    the between-run drift, capped at --max-allowance (100%). The drift is the robust spread
    (1.4826 x MAD) of log median ratios between runs that are not under judgment: between the
    baseline runs when several are given, otherwise of the copy rows (the yardstick) between the
    baseline and the candidate. Never from the judged rows: every row that regressed would widen
    it, and a regression of many rows would hide itself.
Anything in between (significant but small, large but not significant) is AMBIGUOUS: warned
about, never failed. FASTER is the mirror image and never fails.

Power: every row states the smallest slowdown it could have called SLOWER ("sees"): the
allowance, or more where its samples spread: the shift that would have put enough of the
(candidate, baseline) sample pairs in order for the test to reach alpha / rows (what a lone
regression must reach under BH), with the candidate's samples moved to the baseline's median
first. A row that cannot see --threshold and was not otherwise judged is CANNOT_JUDGE, and the
run exits 2 rather than passing when more than --max-blind percent (0) of its rows are.

A slow mode the median hides (say 4 of 10 calls at 3x) is SLOW_TAIL, which fails like SLOWER:
at least --tail-fraction (30%) of the candidate's samples lie more than --tail-margin (50%, or the
allowance when larger) past the slowest baseline sample, and the 90th percentile moved by as much.
No test can make 4 slow samples of 10 significant after a correction for 100 rows, so this is a
rule, with a margin wide enough that ordinary noise does not reach it.

--normalize-by copy (the default) divides each run's samples by the same run's copy ceiling at
that cell (device, dtype, n, threads): the fastest `kind: ceiling` row within the cell's reach,
whichever copy variant won (a layer row, elubench --layers: by its identity layer, the same matmul
with bias and no activation of its shape). A machine that is uniformly slower today then compares equal, while
a kernel that lost ground against the copy still shows; the copies themselves are the yardstick
and are not judged. --normalize-by none compares raw seconds, copies included: for runs on one
quiet machine, or to judge the copies.

Exit status: 1 when any row is SLOWER or SLOW_TAIL; 2 when the comparison cannot judge (rows that
could not see the threshold, above) or on unusable input (one line on stderr: unreadable files,
no row ok in both runs, bad options); 0 otherwise.
"""

from __future__ import annotations

import argparse
import functools
import math
import sys
from array import array
from collections import defaultdict

import numpy as np

import results_load
import results_text
import script_io
import results_index as rix

PROG = "compare.py"
FAILING = ("SLOWER", "SLOW_TAIL")
ORDER = {"SLOWER": 0, "SLOW_TAIL": 1, "CANNOT_JUDGE": 2, "AMBIGUOUS": 3, "FASTER": 4, "SAME": 5}


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Compare elubench results files: per row SAME / FASTER / SLOWER / SLOW_TAIL / AMBIGUOUS.",
        epilog="exit status: 0 no regression, 1 something SLOWER or SLOW_TAIL, 2 cannot judge (rows that "
        "could not see --threshold) or unusable input")
    p.add_argument("baseline", nargs="+", help="results JSON of the reference run(s); several runs of the "
                   "same baseline let the gate see their between-run spread")
    p.add_argument("candidate", help="results JSON of the run under test")
    p.add_argument("--alpha", type=float, default=0.01,
                   help="false-discovery rate over the rows, Benjamini-Hochberg (default 0.01)")
    p.add_argument("--threshold", type=float, default=5.0,
                   help="minimum change of the median, in percent, to call a row SLOWER/FASTER (default 5)")
    p.add_argument("--drift-k", type=float, default=4.0,
                   help="the allowance is at least this many times the between-run drift (default 4)")
    p.add_argument("--max-allowance", type=float, default=100.0,
                   help="cap, in percent, on the drift-derived allowance (default 100: rows of a machine that "
                   "drifts more than that between runs cannot see the threshold and are CANNOT_JUDGE)")
    p.add_argument("--tail-fraction", type=float, default=0.3,
                   help="fraction of candidate samples beyond every baseline sample that is a slow mode (default 0.3)")
    p.add_argument("--tail-margin", type=float, default=50.0,
                   help="how far, in percent, past the slowest baseline sample a slow mode lies (default 50; "
                   "the allowance when larger)")
    p.add_argument("--min-samples", type=int, default=5,
                   help="fewer samples than this on either side makes a row AMBIGUOUS (default 5)")
    p.add_argument("--max-blind", type=float, default=0.0,
                   help="percent of the rows that may be CANNOT_JUDGE (unable to see --threshold with the "
                   "samples they had) before the exit status is 2 (default 0: any such row)")
    p.add_argument("--normalize-by", choices=["none", "copy"], default="copy",
                   help="copy (default): divide samples by the same run's copy ceiling at that cell, so "
                   "between-run drift of the whole machine cancels; none: raw seconds, copies judged too")
    p.add_argument("--ignore-device", action="store_true",
                   help="compare even when the GPU names or CPU models differ")
    p.add_argument("--markdown", action="store_true",
                   help="print a Markdown table (for a CI step summary) instead of plain text")
    args = p.parse_args(argv)
    finite = lambda v: math.isfinite(v)  # noqa: E731  (argparse's float() accepts "nan" and "inf")
    if not (finite(args.alpha) and 0 < args.alpha < 1):
        p.error("--alpha must be between 0 and 1")
    for name in ("threshold", "drift_k", "max_allowance", "tail_margin", "max_blind"):
        v = getattr(args, name)
        if not (finite(v) and v >= 0):
            p.error(f"--{name.replace('_', '-')} must be a finite number >= 0")
    if not (finite(args.tail_fraction) and 0 < args.tail_fraction <= 1):
        p.error("--tail-fraction must be in (0, 1]")
    if args.min_samples < 1:
        p.error("--min-samples must be >= 1")
    return args


def describe(row, several=None, targets=True) -> str:
    """The row's name plus what tells rows with the same name apart. Activation parameters
    (params) are named when `several` (a set of RowIds without params) says the files hold that
    row with more than one parameter set, or always when several is None; the SIMD target when
    `targets` (the files hold rows on more than one)."""
    key = key_of(row)
    parts = [row["name"], f"n={results_text.size_label(row['n'])}" if key.shape is None else "shape={}x{}x{}".format(*key.shape)]
    if row["threads"] is not None:
        parts.append(f"t={row['threads']}")
    if row["cache"] is not None:
        parts.append(row["cache"])
    if row["input"] != "normal":
        parts.append(row["input"])
    params = rix.params_text(key.params)
    if params and (several is None or key[:-1] in several):
        parts.append(params)
    if row["cols"] is not None:
        parts.append(f"cols={row['cols']}")
    if targets and row.get("simd_target") is not None:
        parts.append(row["simd_target"])
    return " ".join(parts)


def key_of(row):
    """The row's RowId: kept on a Lite row, computed for a plain dict."""
    return row.key if type(row) is Lite else rix.RowId.of(row)


def index_rows(doc, path):
    """{RowId: row}: rows differing in any parameter that changes the work, the SIMD target
    included, are different rows (a file from before rows recorded it: rix.legacy_simd_target)."""
    rows = {}
    legacy = rix.legacy_simd_target(doc)
    for r in doc["results"]:
        if legacy is not None and rix.has_target_code(r):
            if type(r) is Lite:
                r.simd_target, r.key = legacy, r.key._replace(simd_target=legacy)
            else:
                r["simd_target"] = legacy
        k = key_of(r)
        if k in rows:
            raise script_io.InputError(f"{path}: two results for {describe(r)}")
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


class Lite:
    """What compare.py reads of a results row, in slots: a 100,000-row file held this way takes
    ~40 MB instead of ~190 MB as dicts, so two of them fit well under 500 MB. Reads like a dict;
    the activation parameters are in key (a RowId), not kept twice."""
    __slots__ = ("device", "activation", "variant", "dtype", "n", "threads", "cache", "input", "cols", "simd_target", "key",
                 "name", "kind", "status", "reason", "gbps", "time_s", "layer")

    def __init__(self, row, intern=sys.intern, new=tuple.__new__, RowId=rix.RowId):
        # One string object per distinct value, not one per row; the RowId built as RowId.of
        # does, as a plain tuple.__new__ (RowId's own __new__ is Python: ~1 s on two files).
        dev, act, var, dt, cache, inp = row["device"], row["activation"], row["variant"], row["dtype"], \
            row["cache"], row["input"]
        simd = row.get("simd_target")
        key = (intern(dev), intern(act), intern(var), intern(dt), row["n"], row["threads"],
               None if cache is None else intern(cache), intern(inp), row["cols"],
               None if simd is None else intern(simd), rix.layer_shape(row), rix.row_params(row))
        self.key = new(RowId, key)
        (self.device, self.activation, self.variant, self.dtype, self.n, self.threads, self.cache, self.input,
         self.cols, self.simd_target) = key[:10]
        self.name, self.kind = intern(row["name"]), intern(row["kind"])
        self.status, self.reason, self.gbps = intern(row["status"]), row["reason"], row["gbps"]
        self.layer = row.get("layer")  # a layer row's block (shape, matmul); None otherwise
        t = row["time_s"]
        self.time_s = None if t is None else {"median": t["median"], "samples": array("d", t["samples"])}

    # row[key] is getattr(row, key) done in C: ~1.8 million look-ups on 100,000 rows.
    __getitem__ = object.__getattribute__

    def get(self, key, default=None):
        return getattr(self, key, default)


class Row:
    """One compared row: the candidate, the baselines that have it ok, samples (scaled by the
    ceiling when normalizing) and, once judged, the verdict. In slots, and the samples kept as
    (the row's samples, scale) until asked for: 100,000 rows with their numpy views made at once
    took ~120 MB of the 500 MB a fleet's file may take."""
    __slots__ = ("cand", "bases", "b_parts", "c_part", "nb", "nc", "b_medians", "c_median", "ref", "verdict",
                 "note", "p", "change", "tail_change", "bmax", "beyond", "sig_shift", "mde")

    def __init__(self, cand, bases, b_parts, b_medians, c_part, c_median):
        self.cand, self.bases = cand, bases
        self.b_parts, self.b_medians, self.c_part, self.c_median = b_parts, b_medians, c_part, c_median
        self.nb, self.nc = sum(len(s) for s, _ in b_parts), len(c_part[0])
        self.ref = median(b_medians)  # the baselines' typical median: what `change` is against
        self.verdict, self.note, self.p = "SAME", "", None
        self.change = self.tail_change = self.bmax = self.beyond = None
        self.sig_shift, self.mde = math.inf, math.inf

    @property
    def b(self):
        """The baselines' samples, one array (copied only when scaled or several baselines)."""
        b = [samples(s, f) for s, f in self.b_parts]
        return b[0] if len(b) == 1 else np.concatenate(b)

    @property
    def c(self):
        return samples(*self.c_part)


def median(xs):
    """Median of a short list (numpy's costs ~20 us a call, times 100,000 rows)."""
    s = sorted(xs)
    h = len(s) // 2
    return s[h] if len(s) % 2 else 0.5 * (s[h - 1] + s[h])


def scale_of(doc, row, normalize):
    if normalize != "copy":
        return 1.0
    k = key_of(row)  # the cell from the RowId already built: this runs twice per row
    if k.shape is not None:  # a layer row: its ceiling is its identity layer, not a copy of n elements
        t = rix.layer_identities(doc).get(rix.layer_identity_key(row))
        return 1.0 / t if t else None
    c = rix.ceilings(doc).get((k[0], k[3], k[4], k[5]))  # Cell(device, dtype, n, threads) hashes as this tuple
    return 1.0 / c.median_s if c else None


def samples(s, scale):
    """A row's samples (array('d') or a list) as numpy, times scale."""
    s = np.frombuffer(s) if type(s) is array else np.asarray(s, dtype=float)
    return s if scale == 1.0 else s * scale


def pair_up(bases, cand, args):
    """(rows to judge, rows not compared, only in baselines, only in candidate, device note)."""
    base_rows = [index_rows(d, p) for d, p in zip(bases, args.baseline)]
    cand_rows = index_rows(cand, args.candidate)
    note = None
    for b, rows in zip(bases, base_rows):
        note = note or check_devices(b, cand, rows, cand_rows)
    if note and not args.ignore_device:
        raise script_io.InputError(f"refusing to compare {note} (use --ignore-device to compare anyway)")
    judged, not_ok, no_ceiling = [], [], []
    for k, c in cand_rows.items():
        present = []
        for d, rows in zip(bases, base_rows):
            r = rows.get(k)  # one look-up: hashing a RowId is the loop's main cost
            if r is not None:
                present.append((d, r))
        if not present:
            continue
        ok = [(d, r) for d, r in present if r["status"] == "ok"]
        if c["status"] != "ok" or not ok:
            not_ok.append((present[0][1], c))
            continue
        if args.normalize_by == "copy" and c["kind"] == "ceiling":
            not_ok.append((present[0][1], c))  # the ceiling divided by itself is 1: the yardstick
            continue
        fc = scale_of(cand, c, args.normalize_by)
        fb = [scale_of(d, r, args.normalize_by) for d, r in ok]
        if fc is None or None in fb:
            no_ceiling.append(c)
            continue
        judged.append(Row(c, [r for _, r in ok], [(r["time_s"]["samples"], f) for (_, r), f in zip(ok, fb)],
                          [r["time_s"]["median"] * f for (_, r), f in zip(ok, fb)],
                          (c["time_s"]["samples"], fc), c["time_s"]["median"] * fc))
    seen = set(cand_rows)
    only_base, listed = [], set()
    for rows in base_rows:
        for k, r in rows.items():
            if k not in seen and k not in listed:
                listed.add(k)
                only_base.append(r)
    in_base = set().union(*map(set, base_rows))
    only_cand = [c for k, c in cand_rows.items() if k not in in_base]
    return judged, not_ok, no_ceiling, only_base, only_cand, note


def benjamini_hochberg(p):
    """Benjamini-Hochberg adjusted p-values (same order as p): a row is significant at alpha
    when its adjusted p is <= alpha, which keeps the expected share of false SLOWER rows among
    those called SLOWER at alpha (and the chance of any false alarm in an A/A pair, where every
    row is unchanged, at alpha too)."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adj = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    out = np.empty(m)
    out[order] = adj
    return out


# Up to this many samples in a row (both sides together) the Mann-Whitney p-value is exact: the
# normal approximation scipy takes otherwise with ties or more than 8 a side cannot go below
# ~9e-5 at 10 vs 10, which no correction over a hundred rows lets through. Exact costs ~5 ms per
# sample-count pair at 100 vs 100 and grows fast beyond; there the approximation is good.
EXACT_MAX = 200


def mwu_method(nb, nc):
    return "exact" if nb + nc <= EXACT_MAX else "asymptotic"


def arrangement(nb, nc, u):
    """Baseline and candidate samples whose one-sided (candidate > baseline) U statistic is u:
    u // nb candidates above every baseline sample, one above u % nb of them, the rest below."""
    q, r = divmod(u, nb)
    b = np.arange(nb) * 2.0
    c = np.full(nc, -1.0)
    c[:q] = 2.0 * nb
    if q < nc and r:
        c[q] = 2.0 * r - 1.0
    return b, c


@functools.lru_cache(maxsize=None)
def required_u(nb, nc, level):
    """The smallest U (pairs of candidate over baseline, of nb * nc) whose one-sided p-value is
    <= level, or None when even complete separation is not: the test can then see nothing."""
    from scipy.stats import mannwhitneyu
    method = mwu_method(nb, nc)

    def p(u):
        b, c = arrangement(nb, nc, u)
        return float(mannwhitneyu(c, b, alternative="greater", method=method).pvalue)
    lo, hi = 0, nb * nc
    if p(hi) > level:
        return None
    while lo < hi:  # p falls as u grows: bisect for the first u that reaches the level
        mid = (lo + hi) // 2
        if p(mid) <= level:
            hi = mid
        else:
            lo = mid + 1
    return lo


CHUNK = 8192  # rows per vectorized Mann-Whitney call: fast, and a bounded memory peak
SHIFT_CELLS = 1 << 21  # pairwise sample ratios held at once while finding each row's power


def test_rows(rows, tail, level):
    """Mann-Whitney U p-values (slower, faster) per row, exact up to EXACT_MAX samples, the tail
    statistics (with the share of the candidate's samples over the slowest baseline sample +
    tail) and each row's sig_shift (see shift_needed) at `level`, vectorized over rows with the
    same sample counts (100,000 separate scipy calls would take minutes)."""
    # Imported here, after the files are read: scipy.stats is ~60 MB of the peak memory, which
    # is highest while the second file's text is parsed beside the first file's rows.
    from scipy.stats import mannwhitneyu
    groups = defaultdict(list)
    for i, r in enumerate(rows):
        groups[(r.nb, r.nc)].append(i)
    p_slow, p_fast = np.ones(len(rows)), np.ones(len(rows))
    stackable = all(type(s) is array for r in rows for s, _ in (*r.b_parts, r.c_part))
    # In chunks: scipy's temporaries for 100,000 rows at once took 300 MB (ranks of every sample).
    chunks = [(idx[k:k + CHUNK], key) for key, idx in groups.items() for k in range(0, len(idx), CHUNK)]
    for idx, (nb, nc) in chunks:
        B = _matrix([rows[i].b_parts for i in idx]) if stackable else np.array([rows[i].b for i in idx], dtype=float)
        C = _matrix([[rows[i].c_part] for i in idx]) if stackable else np.array([rows[i].c for i in idx], dtype=float)
        method = mwu_method(nb, nc)
        with np.errstate(all="ignore"):  # rows whose samples all tie give nan: nothing to tell apart
            ps = mannwhitneyu(C, B, axis=1, alternative="greater", method=method).pvalue
            pf = mannwhitneyu(C, B, axis=1, alternative="less", method=method).pvalue
        p_slow[idx], p_fast[idx] = np.nan_to_num(ps, nan=1.0), np.nan_to_num(pf, nan=1.0)
        shift = shift_needed(B, C, [rows[i] for i in idx], required_u(nb, nc, level))
        b90, c90 = np.quantile(B, 0.9, axis=1), np.quantile(C, 0.9, axis=1)
        bmax = B.max(axis=1)
        beyond = np.count_nonzero(C > (bmax * (1.0 + tail))[:, None], axis=1) / C.shape[1]
        for j, i in enumerate(idx):
            rows[i].tail_change = (c90[j] / b90[j] - 1.0) * 100.0
            rows[i].bmax, rows[i].beyond, rows[i].sig_shift = bmax[j], beyond[j], shift[j]
    return p_slow, p_fast


def shift_needed(B, C, rows, u):
    """Per row, the smallest slowdown (a fraction) that the test would have found significant
    with these samples: the candidate's samples, moved to the baseline's median (so a real
    change does not count as noise) and then slowed by s, put u of the nb * nc (candidate,
    baseline) pairs in order when s passes the u-th smallest pairwise log ratio
    log(b) - log(c). u None (the test cannot reach the level at all): infinite."""
    if u is None:
        return np.full(len(rows), math.inf)
    centre = np.log([r.ref / r.c_median for r in rows])
    out = np.empty(len(rows))
    step = max(1, SHIFT_CELLS // (B.shape[1] * C.shape[1]))
    for k in range(0, len(rows), step):
        lb = np.log(B[k:k + step])
        lc = np.log(C[k:k + step]) + centre[k:k + step, None]
        d = (lb[:, None, :] - lc[:, :, None]).reshape(len(lb), -1)
        out[k:k + step] = np.partition(d, u - 1, axis=1)[:, u - 1]
    return np.expm1(out)


def _matrix(parts_per_row):
    """What np.array([row.b or row.c, ...]) is, for samples that are all array('d'): row j is
    its (samples, scale) parts end to end, each times its scale (x * 1.0 is x), joined as bytes
    in C instead of one numpy view per row."""
    flat = [p for parts in parts_per_row for p in parts]
    raw = np.frombuffer(b"".join([s for s, _ in flat]), dtype=np.float64).reshape(len(parts_per_row), -1)
    scale = np.repeat(np.array([f for _, f in flat], dtype=np.float64), [len(s) for s, _ in flat])
    return raw * scale.reshape(raw.shape)


def robust_spread(logs):
    """1.4826 x MAD of log ratios, as a percent change: a standard deviation that the few rows
    that really changed do not move."""
    logs = np.asarray(logs, dtype=float)
    mad = float(np.median(np.abs(logs - np.median(logs))))
    return (math.exp(1.4826 * mad) - 1.0) * 100.0


def copy_medians(doc):
    """{RowId: median seconds} of the document's copy rows that are ok."""
    return {key_of(r): r["time_s"]["median"] for r in doc["results"] if r["kind"] == "ceiling" and r["status"] == "ok"}


def drift_estimate(rows, bases, cand):
    """(between-run drift in percent, where it came from), never from the rows under judgment:
    their scatter grows with every row that regressed and would widen the allowance to hide
    them. Several baselines: the spread of the judged rows' medians between the baseline runs
    (pairs of baselines). One baseline: the spread of every copy row's median (each copy variant
    of each cell) between the two runs: the copies are the yardstick, not a kernel under change,
    and one copy variant that did change is outvoted by the others."""
    if len(bases) >= 2:
        logs = [math.log(x / y) for r in rows for i, x in enumerate(r.b_medians) for y in r.b_medians[i + 1:]]
        if len(logs) >= 3:
            return robust_spread(logs), f"{len(bases)} baseline runs"
    cb, cc = copy_medians(bases[0]), copy_medians(cand)
    logs = [math.log(cc[k] / cb[k]) for k in cb.keys() & cc.keys()]
    if len(logs) >= 3:
        return robust_spread(logs), f"{len(logs)} copy rows"
    return 0.0, "not estimated: one baseline and fewer than 3 copy rows in common"


def judge(rows, args, drift):
    """Sets each row's verdict and power (r.mde: the smallest slowdown, in percent, it could
    have called SLOWER); returns the allowance in percent."""
    allowance = max(args.threshold, min(args.max_allowance, args.drift_k * drift))
    enough = [r for r in rows if r.nb >= args.min_samples and r.nc >= args.min_samples]
    a = allowance / 100.0
    tail = max(allowance, args.tail_margin) / 100.0
    # A lone regressed row is the first Benjamini-Hochberg rejection: its p must reach alpha / m.
    level = args.alpha / max(1, len(enough))
    p_slow, p_fast = test_rows(enough, tail, level) if enough else ([], [])
    p_slow, p_fast = benjamini_hochberg(p_slow), benjamini_hochberg(p_fast)
    for r in rows:
        r.change, r.mde = (r.c_median / r.ref - 1.0) * 100.0, math.inf
        if not (r.nb >= args.min_samples and r.nc >= args.min_samples):
            r.verdict, r.note = "AMBIGUOUS", (f"too few samples ({r.nb} vs {r.nc}, "
                                              f"need >= {args.min_samples} each)")
    for r, ps, pf in zip(enough, p_slow, p_fast):
        # Past the allowance, and past the slowest baseline's median.
        r.mde = max(r.sig_shift, a, max(r.b_medians) / r.ref - 1.0) * 100.0
        verdict_of(r, float(ps), float(pf), a, tail, args)
    for r in rows:
        # A row that sees exactly the threshold (allowance == threshold) must not lose to rounding.
        if r.verdict in ("SAME", "AMBIGUOUS") and not r.mde <= args.threshold * (1 + 1e-9):
            seen = "nothing" if r.mde == math.inf else f"only slowdowns over {r.mde:.3g}%"
            r.note = f"could see {seen}, not {args.threshold:g}%" + (f"; {r.note}" if r.note else "")
            r.verdict = "CANNOT_JUDGE"
    return allowance


def verdict_of(r, ps, pf, a, tail, args):
    """SLOWER / FASTER (significant and past the allowance), SLOW_TAIL, or AMBIGUOUS with why."""
    slower = r.change >= 0
    r.p = ps if slower else pf
    sig = r.p <= args.alpha
    # Past the allowance from the baselines' typical median, and outside every baseline's.
    big = (r.change > a * 100.0 and r.c_median > max(r.b_medians) if slower
           else r.change < -a * 100.0 and r.c_median < min(r.b_medians))
    if sig and big:
        r.verdict = "SLOWER" if slower else "FASTER"
    elif r.beyond >= args.tail_fraction and r.tail_change > tail * 100.0:
        r.verdict = "SLOW_TAIL"
        r.note = (f"{r.beyond:.0%} of the candidate's samples over the slowest baseline sample "
                  f"+{tail:.0%}; p90 {r.tail_change:+.0f}%")
    elif sig:
        r.verdict, r.note = "AMBIGUOUS", f"significant but within the {a * 100:.3g}% allowance"
    elif big:
        r.verdict, r.note = "AMBIGUOUS", (f"over the {a * 100:.3g}% allowance but not significant "
                                          f"(Benjamini-Hochberg, alpha={args.alpha:g})")


def status_text(b, c):
    if b["status"] == "ok" and c["status"] == "ok":
        return "copy ceiling (the normalizer)"
    parts = []
    for side, r in (("baseline", b), ("candidate", c)):
        parts.append(f"{side} {r['status']}" + (f" ({r['reason']})" if r["status"] != "ok" else ""))
    return ", ".join(parts)


def fmt(v, unit=""):
    return "—" if v is None else f"{v:.4g}{(' ' + unit) if unit else ''}"


def fmt_pct(v):
    return "—" if v is None else f"{v:+.1f}%"


def fmt_p(p):
    return "—" if p is None else f"{p:.2g}"


class Report:
    def __init__(self, rows, not_ok, no_ceiling, only_base, only_cand, note, allowance, drift, args):
        self.rows, self.not_ok, self.no_ceiling = rows, not_ok, no_ceiling
        self.only_base, self.only_cand, self.note = only_base, only_cand, note
        self.allowance, (self.drift, self.drift_source), self.args = allowance, drift, args
        # Rows measured with several parameter sets (--alpha 0.5,1,2) are told apart by them.
        seen, self.several, targets = {}, set(), set()
        for r in [r.cand for r in rows] + [b for b, _ in not_ok] + no_ceiling + only_base + only_cand:
            key = key_of(r)
            targets.add(key.simd_target)
            if seen.setdefault(key[:-1], key.params) != key.params:  # key[:-1]: all but params
                self.several.add(key[:-1])
        self.several_targets = len(targets - {None}) > 1
        self._described = {}

    def describe(self, row):
        got = self._described.get(id(row))
        if got is None:  # text() asks twice per row (width, then the line)
            got = self._described[id(row)] = describe(row, self.several, self.several_targets)
        return got

    def count(self, verdict):
        """Rows with this verdict; a row with no ceiling to normalize by cannot be judged."""
        return sum(1 for r in self.rows if r.verdict == verdict) + (
            len(self.no_ceiling) if verdict == "CANNOT_JUDGE" else 0)

    def totals(self):
        a = self.args
        s = ", ".join(f"{self.count(v)} {v}" for v in ORDER)
        s += (f"; {len(self.not_ok)} not compared, {len(self.only_base)} only in baseline, "
              f"{len(self.only_cand)} only in candidate (Benjamini-Hochberg alpha {a.alpha:g}, allowance "
              f"{self.allowance:.3g}% = max(threshold {a.threshold:g}%, {a.drift_k:g} x drift {self.drift:.2g}% "
              f"[{self.drift_source}], capped at {a.max_allowance:g}%), {len(a.baseline)} baseline file(s), "
              f"normalize-by {a.normalize_by})")
        return s

    def power(self):
        """The gate's power in one line: what the judged rows could have seen."""
        mdes = np.array([r.mde for r in self.rows] or [math.inf])
        at = [fmt_mde(float(np.percentile(mdes, q, method="higher"))) for q in (50, 90, 100)]
        return (f"power (the slowdown a row would have had to exceed to be called SLOWER): median row {at[0]}, "
                f"90th percentile {at[1]}, worst row {at[2]}; {self.count('CANNOT_JUDGE')} of "
                f"{len(self.rows) + len(self.no_ceiling)} rows cannot see the {self.args.threshold:g}% threshold")

    def extra(self):
        out = [(self.describe(b), "not compared: " + status_text(b, c)) for b, c in self.not_ok]
        out += [(self.describe(c), "CANNOT_JUDGE (no copy ceiling at this size to normalize by)") for c in self.no_ceiling]
        out += [(self.describe(r), f"only in baseline ({r['status']})") for r in self.only_base]
        out += [(self.describe(r), f"only in candidate ({r['status']})") for r in self.only_cand]
        return out

    def text(self):
        unit = "x copy" if self.args.normalize_by == "copy" else "s"
        lines = [f"note: {self.note} (compared because of --ignore-device)"] if self.note else []
        width = max([len(self.describe(r.cand)) for r in self.rows] + [10])
        lines.append(f"{'row':<{width}}  {'base median':>12}  {'cand median':>12}  {'change':>8}  "
                     f"{'p90':>8}  {'p(BH)':>8}  {'sees':>9}  verdict")
        for r in self.rows:
            lines.append(f"{self.describe(r.cand):<{width}}  {fmt(r.ref, unit):>12}  "
                         f"{fmt(r.c_median, unit):>12}  {fmt_pct(r.change):>8}  {fmt_pct(r.tail_change):>8}  "
                         f"{fmt_p(r.p):>8}  {fmt_mde(r.mde):>9}  {r.verdict}{'  (' + r.note + ')' if r.note else ''}")
        lines += [f"{d:<{width}}  {why}" for d, why in self.extra()]
        lines += [self.power(), self.totals()]
        return "\n".join(lines)

    def markdown(self):
        unit = "× copy" if self.args.normalize_by == "copy" else "s"
        lines = ["### elubench: candidate vs baseline", "", self.totals(), "", self.power(), ""]
        if self.note:
            lines += [f"> note: {results_text.md_text(self.note)} (compared because of `--ignore-device`)", ""]
        lines.append(f"| row | baseline median ({unit}) | candidate median ({unit}) | change | p90 change | "
                     "p (BH) | sees | verdict |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---|")
        mark = {"SLOWER": "❌ ", "SLOW_TAIL": "❌ ", "CANNOT_JUDGE": "❓ ", "AMBIGUOUS": "⚠️ ", "FASTER": "✅ "}
        for r in sorted(self.rows, key=lambda r: ORDER[r.verdict]):
            lines.append(f"| {results_text.md_text(self.describe(r.cand))} | {fmt(r.ref)} | {fmt(r.c_median)} | "
                         f"{fmt_pct(r.change)} | {fmt_pct(r.tail_change)} | {fmt_p(r.p)} | {fmt_mde(r.mde)} | "
                         f"{mark.get(r.verdict, '')}{r.verdict}{' — ' + results_text.md_text(r.note) if r.note else ''} |")
        extra = self.extra()
        if extra:
            lines += ["", "| row | not compared |", "|---|---|"]
            lines += [f"| {results_text.md_text(d)} | {results_text.md_text(why)} |" for d, why in extra]
        return "\n".join(lines)


def fmt_mde(v):
    """A row's power: the slowdown it could have seen ("> 12%"), or that it could see none."""
    return "nothing" if v == math.inf else f"{v:.3g}%"


def compare(bases, cand, args):
    rows, not_ok, no_ceiling, only_base, only_cand, note = pair_up(bases, cand, args)
    if not rows and not no_ceiling:
        if not_ok:
            raise script_io.InputError(f"nothing to compare: none of the {len(not_ok)} rows the files share is ok in both "
                                 "(every one failed, skipped or was interrupted)")
        raise script_io.InputError("nothing to compare: the files share no row (same device, variant, dtype, n, threads?)")
    drift = drift_estimate(rows, bases, cand)
    allowance = judge(rows, args, drift[0])
    return Report(rows, not_ok, no_ceiling, only_base, only_cand, note, allowance, drift, args)


def main(argv=None):
    return script_io.run_main(PROG, _main, sys.argv[1:] if argv is None else argv)


def _main(argv):
    args = parse_args(argv)
    bases = [results_load.load_results(p, compact=True, row_hook=Lite) for p in args.baseline]
    cand = results_load.load_results(args.candidate, compact=True, row_hook=Lite)
    report = compare(bases, cand, args)
    print(report.markdown() if args.markdown else report.text())
    return exit_status(report, args)


def exit_status(report, args):
    """1 on a regression; 2 when more than --max-blind percent of the rows cannot see the
    threshold (a gate that passed them would claim what it could not see); else 0."""
    n_amb, n_fail, n_blind = (report.count("AMBIGUOUS"), sum(report.count(v) for v in FAILING),
                              report.count("CANNOT_JUDGE"))
    if n_amb:
        print(f"{PROG}: warning: {n_amb} row(s) AMBIGUOUS (not failed)", file=sys.stderr)
    if n_fail:
        print(f"{PROG}: {report.count('SLOWER')} row(s) SLOWER, {report.count('SLOW_TAIL')} SLOW_TAIL", file=sys.stderr)
        return 1
    total = len(report.rows) + len(report.no_ceiling)
    if n_blind and n_blind * 100.0 > args.max_blind * total:
        print(f"{PROG}: cannot judge: {n_blind} of {total} row(s) could not have seen a {args.threshold:g}% "
              f"slowdown with the samples they had (see 'sees'; more --repetitions, fewer rows or a larger "
              f"--threshold)", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
