#!/usr/bin/env python3
"""Draws elubench results: charts per device (and CPU thread count) as PNG and SVG, and a
Markdown summary.

  time_vs_size       median time per call vs n; one line style per activation (ReLU dashed),
                     one colour per variant
  gbps_vs_size       GB/s vs n with the same run's copy ceiling and the L2 / cache boundary
  relu_cost_<dtype>  every activation's time relative to ReLU vs n, best kernel of each side
                     (results_index.relu_costs): forward solid, forward + backward dashed where
                     the run has `_backward` rows; one chart per dtype
  largest_size       every variant at the largest n as bars, one bar per activation
  accuracy_vs_speed  max ULP against GB/s at the largest n, one point per row
  layer_overhead_*, layers.md
                     the layer rows (elubench --layers), drawn by plot_layers.py

Several files go on the same charts, told apart by device name (GPU name or CPU model). Charts
other than relu_cost show one dtype (--dtype, f32 by default) so that lines stay readable.
Activation names come from the rows: a new activation gets a line style and a colour, never an
error. Rows that are skipped or failed are never drawn: each chart says in a footnote how many
were left out and why, and summary.md lists them with their reasons.
"""

from __future__ import annotations

import argparse
import math
import sys
import textwrap
from collections import Counter, defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never needs a display
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

import plot_layers  # noqa: E402
import results_index as rix  # noqa: E402
import results_load  # noqa: E402
import results_text  # noqa: E402
import script_io  # noqa: E402

PROG = "plot.py"
DTYPES = tuple(results_text.DTYPE_BYTES)
# Line styles handed to activations in name order (ReLU, the yardstick, is always dashed).
LINE_STYLES = ["-", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 3)), (0, (8, 2, 2, 2))]
MACHINE_MARKERS = ["o", "s", "^", "D", "v", "P"]
NOTE_CHARS = 170  # a footnote line: about the width of the 10-inch figure at 7.5 pt

plt.rcParams.update({
    "figure.figsize": (10, 5.8), "figure.dpi": 110, "font.size": 10, "axes.grid": True,
    "grid.alpha": 0.3, "legend.fontsize": 8.5,
    "svg.fonttype": "none",  # text stays text in the SVG: smaller, searchable, selectable
    "svg.hashsalt": "elubench",  # stable ids, so regenerated SVGs diff cleanly
    # Every string drawn is plain text: a CPU model "Intel $\\undefinedcmd{x}$" is not mathtext
    # (nothing of ours uses mathtext; the axes use Unicode superscripts).
    "text.parse_math": False,
})


def parse_args(argv):
    p = argparse.ArgumentParser(prog=PROG, description="Charts and a Markdown summary from elubench results files.")
    p.add_argument("results", nargs="+", help="results JSON files (several: several machines on one chart)")
    p.add_argument("-o", "--output", required=True, help="folder for the charts and summary.md (created if missing)")
    p.add_argument("--dtype", choices=DTYPES, default="f32",
                   help="dtype of the per-variant charts (default f32; the ratio chart shows all)")
    return p.parse_args(argv)


class Machine:
    """One results file seen from one device: its rows, ceilings and display name."""

    def __init__(self, doc, path, device, label, marker):
        self.doc, self.path, self.device, self.label, self.marker = doc, path, device, label, marker


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def log2_axis(ax):
    ax.set_xscale("log", base=2)
    # Unicode superscripts, not mathtext ("$2^{10}$"): parsing mathtext was a third of the drawing
    # time of a 100,000-row file's charts.
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _: "2" + str(int(round(math.log2(v)))).translate(SUPERSCRIPT) if v > 0 else ""))


def marks(m, pts, size=3.5):
    """Marker arguments for a line of pts: every point on a suite's dozen sizes, about 40 on a
    fleet's thousands (a marker per point is unreadable there, and slow to draw)."""
    return {"marker": m.marker, "markersize": size, "markevery": max(1, len(pts) // 40)}


def plain_log_y(ax):
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def left_out_note(rows, dtype_note=""):
    """Footnote: how many rows of this device were not drawn, and why."""
    bad = [r for r in rows if r["status"] != "ok"]
    parts = []
    for status in ("failed", "skipped"):
        reasons = Counter(r["reason"] for r in bad if r["status"] == status)
        if not reasons:
            continue
        top = "; ".join(f"{results_text.plain_text(why[:70])}{'…' if len(why) > 70 else ''}" + (f" ×{k}" if k > 1 else "")
                        for why, k in reasons.most_common(2))
        more = f"; +{len(reasons) - 2} other reasons" if len(reasons) > 2 else ""
        parts.append(f"{sum(reasons.values())} {status} ({top}{more})")
    text = "Not plotted: " + ", ".join(parts) + " — see summary.md." if parts else "All rows ok; none left out."
    return text + (" " + dtype_note if dtype_note else "")


def mark_throttled(ax, rows, value, colors):
    """A hollow ring around each throttled GPU point (SM clock moved > 5%, or a power or
    thermal limit during its samples): the number is drawn, but not to be trusted as is."""
    for r in rows:
        if results_text.throttle_mark(r):
            color = "black" if r["kind"] == "ceiling" else colors.get(r["variant"], "black")
            ax.scatter([r["n"]], [value(r)], s=90, facecolors="none", edgecolors=color, linewidths=1.3, zorder=5)


def throttle_note(rows):
    """Footnote for the rings; empty when no row was throttled (or the file has no clock data)."""
    k = sum(1 for r in rows if r["status"] == "ok" and results_text.throttle_mark(r))
    return (f" Hollow ring = throttled: {k} row{'s' if k != 1 else ''} whose SM clock moved > 5% or that hit a "
            "power/thermal limit (summary.md names the reasons).") if k else ""


def finish(fig, out, stem, note, written):
    # Wrapped here, not by matplotlib: its wrap=True measures the lines as mathtext whenever they
    # hold two "$" (text.parse_math notwithstanding), and a reason or CPU model may.
    fig.text(0.005, 0.005, textwrap.fill(note, NOTE_CHARS), fontsize=7.5, ha="left", va="bottom", color="0.3")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    try:
        for ext in ("png", "svg"):
            path = out / f"{stem}.{ext}"
            # Drawn into a temporary file and renamed: a full disk never leaves a truncated PNG.
            with script_io.atomic_path(path) as tmp:
                fig.savefig(tmp, format=ext, bbox_inches="tight")
            written.append(path)
    finally:
        plt.close(fig)


def series(rows, value):
    """{(variant, activation, params): sorted [(n, value)]} from ok rows."""
    s = defaultdict(dict)
    for r in rows:
        s[(r["variant"], r["activation"], rix.row_params(r))].setdefault(r["n"], value(r))
    return {k: sorted(v.items()) for k, v in s.items()}


def act_styles(rows):
    """{activation: line style} for every activation of the rows, forward and backward: ReLU
    dashed, the others in name order from LINE_STYLES (a new name never raises)."""
    names = sorted({r["activation"] for r in rows if r["kind"] != "ceiling"} - {rix.BASELINE})
    styles = {n: LINE_STYLES[i % len(LINE_STYLES)] for i, n in enumerate(names)}
    styles[rix.BASELINE] = "--"
    return styles


def act_handles(styles):
    return [Line2D([], [], color="0.3", linestyle=st, label=a) for a, st in
            sorted(styles.items(), key=lambda kv: (kv[0] != rix.BASELINE, kv[0]))]


def variant_order(rows):
    """Ours first, then the peers, each alphabetical: the order of colours and bars."""
    kinds = {}
    for r in rows:
        if r["kind"] != "ceiling":
            kinds[r["variant"]] = r["kind"]
    return sorted(kinds, key=lambda v: (kinds[v] != "kernel", v)), kinds


def machine_legend(machines):
    if len(machines) < 2:
        return []
    return [Line2D([], [], color="0.35", marker=m.marker, linestyle="none", label=m.label) for m in machines]


def title_for(machines, what, group_desc):
    names = " vs ".join(dict.fromkeys(m.label for m in machines))
    return f"{what}\n{names} — {group_desc}"


def chart_time(machines, rows_of, dtype, colors, styles, order, out, stem, note, desc, written):
    fig, ax = plt.subplots()
    for m in machines:
        rows = [r for r in rows_of[m] if r["dtype"] == dtype]
        # Split by kind before grouping: a copy ceiling may share its variant name with a kernel
        # ("vectorized"), so the name alone does not say which line a series is.
        ceilings = [r for r in rows if r["kind"] == "ceiling"]
        kernels = [r for r in rows if r["kind"] != "ceiling"]
        for pts in series(ceilings, lambda r: r["time_s"]["median"]).values():
            ax.plot(*zip(*pts), color="black", linestyle=":", linewidth=1.2, **marks(m, pts, 3))
        for (variant, act, _), pts in series(kernels, lambda r: r["time_s"]["median"]).items():
            ax.plot(*zip(*pts), color=colors[variant], linestyle=styles[act], **marks(m, pts))
        mark_throttled(ax, rows, lambda r: r["time_s"]["median"], colors)
    log2_axis(ax)
    ax.set_yscale("log")
    ax.set_xlabel("n (elements)")
    ax.set_ylabel("median time per call (s)")
    ax.set_title(title_for(machines, f"Time vs size ({dtype})", desc))
    handles = [Line2D([], [], color=colors[v], label=v + (" (peer)" if k == "peer" else "")) for v, k in order]
    handles += act_handles(styles) + [Line2D([], [], color="black", linestyle=":", label="copy ceiling")]
    ax.legend(handles=handles + machine_legend(machines), loc="upper left", bbox_to_anchor=(1.01, 1))
    finish(fig, out, stem, note, written)


def cache_boundary(m, rows, dtype):
    """n where the working set leaves the L2 (GPU) or the cache-resident rows end (CPU)."""
    if m.device == "gpu" and m.doc.get("gpu"):
        return m.doc["gpu"]["l2_bytes"] / (2 * results_text.DTYPE_BYTES[dtype]), \
            f"L2 {m.doc['gpu']['l2_bytes'] / 2**20:.0f} MiB (input + output)"
    res = [r["n"] for r in rows if r["cache_resident"]]
    dram = [r["n"] for r in rows if not r["cache_resident"] and (not res or r["n"] > max(res))]
    if res and dram:
        return math.sqrt(max(res) * min(dram)), "cache-resident ← | → DRAM"
    return None, None


def chart_gbps(machines, rows_of, dtype, colors, styles, order, out, stem, note, desc, written):
    fig, ax = plt.subplots()
    extra = []
    for m in machines:
        rows = [r for r in rows_of[m] if r["dtype"] == dtype]
        for (variant, act, _), pts in series([r for r in rows if r["kind"] != "ceiling"], lambda r: r["gbps"]).items():
            ax.plot(*zip(*pts), color=colors[variant], linestyle=styles[act], **marks(m, pts))
        mark_throttled(ax, [r for r in rows if r["kind"] != "ceiling"], lambda r: r["gbps"], colors)
        threads = rows[0]["threads"] if rows else None
        ceil = sorted((cell.n, c.gbps) for cell, c in rix.ceilings(m.doc).items()
                      if cell.device == m.device and cell.dtype == dtype and cell.threads == threads)
        if ceil:
            ax.plot(*zip(*ceil), color="black", linewidth=2.2, alpha=0.75, **marks(m, ceil, 3))
        x, text = cache_boundary(m, rows, dtype)
        if x:
            ax.axvline(x, color="0.45", linestyle="-.", linewidth=1)
            ax.annotate(text, (x, 1), xycoords=("data", "axes fraction"), xytext=(3, -12),
                        textcoords="offset points", fontsize=8, color="0.3")
        if m.device == "gpu" and m.doc.get("gpu"):
            ax.axhline(m.doc["gpu"]["peak_gbps"], color="0.5", linestyle="--", linewidth=1)
            extra = [Line2D([], [], color="0.5", linestyle="--", label="theoretical peak")]
    log2_axis(ax)
    ax.set_xlabel("n (elements)")
    ax.set_ylabel("GB/s (bytes read + written / median time)")
    ax.set_ylim(bottom=0)
    ax.set_title(title_for(machines, f"Throughput vs size ({dtype})", desc))
    handles = [Line2D([], [], color=colors[v], label=v + (" (peer)" if k == "peer" else "")) for v, k in order]
    handles += act_handles(styles) + [Line2D([], [], color="black", linewidth=2.2, alpha=0.75,
                                             label="copy ceiling (same run)")] + extra
    ax.legend(handles=handles + machine_legend(machines), loc="upper left", bbox_to_anchor=(1.01, 1))
    finish(fig, out, stem, note, written)


def chart_relu_cost(machines, rows_of, dtype, out, stem, note, desc, written):
    """Every activation's time relative to ReLU vs n at one dtype, best kernel of each side:
    forward solid, forward + backward dashed (drawn only where the run has backward rows)."""
    fig, ax = plt.subplots()
    palette = plt.get_cmap("tab10").colors + plt.get_cmap("Dark2").colors
    colors, any_bwd = {}, False
    for m in machines:
        lines = defaultdict(lambda: (defaultdict(float), defaultdict(float)))
        threads = rows_of[m][0]["threads"]  # one group: every row of rows_of[m] has its device and threads
        # The document's costs once, filtered here (six charts each pairing their rows took ~0.5 s).
        for c in rix.best_relu_costs(m.doc):
            if c.row["dtype"] != dtype or c.row["device"] != m.device or c.row["threads"] != threads:
                continue
            fwd, both = lines[(c.activation, c.params)]
            fwd[c.row["n"]] = c.forward
            if c.fwd_bwd is not None:
                both[c.row["n"]] = c.fwd_bwd
        for key in sorted(lines):
            fwd, both = lines[key]
            color = colors.setdefault(key, palette[len(colors) % len(palette)])
            ax.plot(*zip(*sorted(fwd.items())), color=color, linestyle="-", **marks(m, fwd))
            if both:
                any_bwd = True
                ax.plot(*zip(*sorted(both.items())), color=color, linestyle="--", **marks(m, both))
    ax.axhline(1.0, color="black", linewidth=1.2)
    ax.annotate("above 1: costs more than ReLU", (0.01, 1.0), xycoords=("axes fraction", "data"),
                xytext=(0, 4), textcoords="offset points", fontsize=8, color="0.25")
    log2_axis(ax)
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    plain_log_y(ax)
    ax.set_xlabel("n (elements)")
    ax.set_ylabel("time / ReLU time (×, best kernel of each)")
    ax.set_title(title_for(machines, f"What each activation costs over ReLU ({dtype})", desc))
    handles = [Line2D([], [], color=col, label=act + (f" ({rix.params_text(params)})" if params else ""))
               for (act, params), col in colors.items()]
    handles += [Line2D([], [], color="0.3", linestyle="-", label="forward")]
    if any_bwd:
        handles += [Line2D([], [], color="0.3", linestyle="--", label="forward + backward")]
    ax.legend(handles=handles + machine_legend(machines), loc="upper left", bbox_to_anchor=(1.01, 1))
    if not colors:
        note += " No activation has an ok ReLU row to compare with at this dtype."
    finish(fig, out, stem, note, written)


def largest_n(rows, dtype):
    ns = [r["n"] for r in rows if r["dtype"] == dtype]
    return max(ns) if ns else None


def chart_bars(machines, rows_of, dtype, order, out, stem, note, desc, written):
    fig, ax = plt.subplots()
    variants = [v for v, _ in order]
    kinds = dict(order)
    acts = rix.activations_of([r for m in machines for r in rows_of[m] if r["dtype"] == dtype])
    acts = [a for a in acts if a != rix.BASELINE] + [rix.BASELINE] if rix.BASELINE in acts else acts
    slots = [(m, act) for m in machines for act in acts]
    width = 0.8 / max(1, len(slots))
    hatches = ["", "//", "..", "xx", "\\\\", "oo"]
    palette = plt.get_cmap("tab10").colors
    act_color = {a: palette[i % len(palette)] for i, a in enumerate(acts)}
    ceiling_handles = []
    for j, (m, act) in enumerate(slots):
        mi = machines.index(m)
        n = largest_n(rows_of[m], dtype)
        at = {r["variant"]: r["gbps"] for r in rows_of[m]
              if r["dtype"] == dtype and r["n"] == n and r["activation"] == act}
        xs = [i - 0.4 + width * (j + 0.5) for i, v in enumerate(variants) if v in at]
        ax.bar(xs, [at[v] for v in variants if v in at], width, color=act_color[act],
               hatch=hatches[mi % len(hatches)], edgecolor="white", linewidth=0.5)
        if act == acts[0] and n is not None:
            cell = rix.ceilings(m.doc).get(rix.Cell(m.device, dtype, n, rows_of[m][0]["threads"] if rows_of[m] else None))
            c = [{"gbps": cell.gbps, "variant": cell.variant}] if cell else []
            if c:
                ls = ["-", "--", ":", "-."][mi % 4]
                ax.axhline(c[0]["gbps"], color="black", linestyle=ls, linewidth=1.4)
                # The copy that won this cell, by its variant part ("cpu/copy/nontemporal/f32").
                won = results_text.plain_text(c[0]["variant"].split("/")[2] if c[0]["variant"].count("/") == 3 else c[0]["variant"])
                ceiling_handles.append(Line2D([], [], color="black", linestyle=ls,
                                              label=f"copy ceiling {c[0]['gbps']:.4g} GB/s ({won})" +
                                              (f" ({m.label})" if len(machines) > 1 else "")))
    n_peer = sum(1 for v in variants if kinds[v] == "peer")
    if n_peer and n_peer < len(variants):
        split = len(variants) - n_peer - 0.5
        ax.axvline(split, color="0.5", linewidth=1)
        ax.annotate("ours", (split, 1), xycoords=("data", "axes fraction"), xytext=(-6, -12),
                    textcoords="offset points", ha="right", fontsize=8.5, color="0.3")
        ax.annotate("library peers", (split, 1), xycoords=("data", "axes fraction"), xytext=(6, -12),
                    textcoords="offset points", ha="left", fontsize=8.5, color="0.3")
    ax.set_xticks(range(len(variants)), variants, rotation=20 if len(variants) > 6 else 0)
    ax.set_ylabel("GB/s (bytes read + written / median time)")
    ns = sorted({largest_n(rows_of[m], dtype) for m in machines} - {None})
    ax.set_title(title_for(machines, f"Every variant at the largest size (n = {', '.join(results_text.size_label(n) for n in ns)}, {dtype})", desc))
    handles = [Patch(color=act_color[a], label=a) for a in acts]
    if len(machines) > 1:
        handles += [Patch(facecolor="0.85", hatch=hatches[i % len(hatches)], label=m.label) for i, m in enumerate(machines)]
    ax.legend(handles=handles + ceiling_handles, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.grid(axis="x", visible=False)
    finish(fig, out, stem, note, written)


def chart_accuracy(machines, rows_of, dtype, colors, order, out, stem, note, desc, written):
    fig, ax = plt.subplots()
    not_numeric, top, labelled = 0, 1.0, 0
    for m in machines:
        n = largest_n(rows_of[m], dtype)
        for r in rows_of[m]:
            if r["dtype"] != dtype or r["n"] != n or r["kind"] == "ceiling":
                continue
            ulp = results_text.max_ulp(r)
            if ulp is None or math.isinf(ulp):
                not_numeric += 1
                continue
            filled = r["activation"] != rix.BASELINE
            ax.scatter([r["gbps"]], [ulp], s=45, marker=m.marker, color=colors[r["variant"]],
                       facecolors=colors[r["variant"]] if filled else "none", linewidths=1.5, zorder=3)
            top = max(top, ulp)
            if filled:  # ReLU points sit at 0 ULP side by side: their labels would overprint
                labelled += 1  # alternate above/below so neighbours at the same ULP stay legible
                ax.annotate(f"{r['activation']}/{r['variant']}", (r["gbps"], ulp),
                            xytext=(5, 4 if labelled % 2 else -11),
                            textcoords="offset points", fontsize=7.5, color="0.2")
    lo, hi = ax.get_xlim()
    if hi > 8 * max(lo, 1e-12):  # a log axis over less than a decade only shows 3.8x10^3 ticks
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_yscale("symlog", linthresh=1)  # ReLU is exact (0 ULP): a log axis cannot show it
    ax.set_ylim(-0.3, top * 2.5)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xlabel("GB/s at the largest size")
    ax.set_ylabel("max error vs float64 reference (ULP of the output dtype)")
    ax.set_title(title_for(machines, f"Accuracy vs throughput ({dtype}, largest size)", desc))
    handles = [Line2D([], [], color=colors[v], marker="o", linestyle="none",
                      label=v + (" (peer)" if k == "peer" else "")) for v, k in order]
    handles += [Line2D([], [], color="0.3", marker="o", linestyle="none", label="other activations (filled)"),
                Line2D([], [], color="0.3", marker="o", markerfacecolor="none", linestyle="none", label="ReLU (hollow)")]
    ax.legend(handles=handles + machine_legend(machines), loc="upper left", bbox_to_anchor=(1.01, 1))
    if not_numeric:
        note += f" {not_numeric} point(s) with a non-numeric max ULP (\"inf\") not drawn."
    finish(fig, out, stem, note, written)


def summary_markdown(docs, paths, messages) -> str:
    """summary.md: the files, then the cost over ReLU and every row at the largest size. Every
    string from a file goes through results_text.md_text (results_index's tables do the same)."""
    md = ["# elubench summary", ""]
    for path, doc in zip(paths, docs):
        gpu = doc["gpu"]["name"] if doc.get("gpu") else "no GPU"
        md.append("- " + ", ".join(map(results_text.md_text, (path, doc["host"]["cpu_model"]))) +
                  f" ({results_text.md_text(doc['host']['simd_target'])}), {results_text.md_text(gpu)}; {results_text.md_text(doc['created'])}, "
                  f"elubench {results_text.md_text(doc['tool']['version'])} at {results_text.md_text(doc['tool']['git_revision'])}")
    labels = [Path(p).name for p in paths] if len(docs) > 1 else None
    md += ["", "## Cost relative to ReLU", "", "At the largest size of each dtype, the best kernel of each activation "
           "against the best ReLU kernel (median times; above 1: costs more than ReLU). fwd+bwd adds the "
           "`_backward` rows to both sides.", ""]
    md.append(rix.relu_cost_markdown(docs, labels))
    md += ["## Every row", "", "At the largest size of each dtype. GB/s counts bytes read + written; % ceiling is against "
           "the fastest copy measured in the same run (ceilings[] names it per cell); × ReLU is the row's median time "
           "over ReLU's on the same variant (above 1: costs more).", ""]
    md.append(rix.summary_markdown(docs, labels))
    if messages:
        md += ["", *[f"- {results_text.md_text(m)}" for m in messages]]
    return "\n".join(md) + "\n"


def main(argv=None):
    return script_io.run_main(PROG, _main, sys.argv[1:] if argv is None else argv)


def draw_layers(loaded, paths, out, written):
    """The files, with their layer rows (elubench --layers) drawn by plot_layers.py and left out:
    the charts of plot.py are of elementwise rows."""
    plot_layers.draw(loaded, paths, out, written, finish)
    return [dict(doc, results=[r for r in doc["results"] if r.get("layer") is None]) for doc in loaded]


def _main(argv):
    args = parse_args(argv)
    loaded = [rix.variants_by_target(results_load.load_results(p, compact=True)) for p in args.results]
    out = script_io.make_output_dir(args.output)  # after the files loaded: bad input leaves nothing
    written = []
    docs = draw_layers(loaded, args.results, out, written)
    # Groups: one set of charts per device, and per thread count on the CPU.
    groups = defaultdict(list)  # (device, threads) -> rows of every file
    for i, doc in enumerate(docs):
        for r in doc["results"]:
            groups[(r["device"], r["threads"])].append((i, r))
    labels = {}
    for device in ("cpu", "gpu"):
        names = [results_text.device_name(doc, device) for doc in docs]
        for i, doc in enumerate(docs):
            # Two files from the same machine are told apart by their file names.
            label = names[i] if names.count(names[i]) == 1 else f"{names[i]} ({Path(args.results[i]).stem})"
            labels[(i, device)] = results_text.plain_text(label)

    messages = []
    for (device, threads), pairs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        desc = device.upper() + (f", {threads} thread{'s' if threads != 1 else ''}" if threads is not None else "")
        ok = [(i, r) for i, r in pairs if r["status"] == "ok"]
        # GPU rows skipped for want of a GPU carry threads null like real ones; they belong here.
        all_rows = [r for _, r in pairs]
        if not ok:
            messages.append(f"{desc}: nothing to plot — {left_out_note(all_rows)}")
            continue
        files = sorted({i for i, _ in ok})
        machines = [Machine(docs[i], args.results[i], device, labels[(i, device)],
                            MACHINE_MARKERS[k % len(MACHINE_MARKERS)]) for k, i in enumerate(files)]
        rows_of = {m: [r for i, r in ok if i == f] for m, f in zip(machines, files)}
        ok_rows = [r for _, r in ok]
        present = [d for d in DTYPES if any(r["dtype"] == d for r in ok_rows)]
        dtype = args.dtype if args.dtype in present else present[0]
        others = [d for d in present if d != dtype]
        dtype_note = (f"Shown: {dtype}" + (f" ({', '.join(others)}: --dtype, or summary.md)." if others else ".")
                      + (f" {args.dtype} has no ok rows here." if dtype != args.dtype else ""))
        order, kinds = variant_order(ok_rows)
        palette = plt.get_cmap("tab10").colors + plt.get_cmap("Dark2").colors
        colors = {v: palette[k % len(palette)] for k, v in enumerate(order)}
        order = [(v, kinds[v]) for v in order]
        tag = device + (f"_t{threads}" if threads is not None else "")
        note = left_out_note(all_rows) + throttle_note(all_rows)
        styles = act_styles(ok_rows)
        chart_time(machines, rows_of, dtype, colors, styles, order, out, f"time_vs_size_{tag}", f"{note} {dtype_note}", desc, written)
        chart_gbps(machines, rows_of, dtype, colors, styles, order, out, f"gbps_vs_size_{tag}", f"{note} {dtype_note}", desc, written)
        for dt in present:
            chart_relu_cost(machines, rows_of, dt, out, f"relu_cost_{tag}_{dt}", note, desc, written)
        chart_bars(machines, rows_of, dtype, order, out, f"largest_size_{tag}", f"{note} {dtype_note}", desc, written)
        chart_accuracy(machines, rows_of, dtype, colors, order, out, f"accuracy_vs_speed_{tag}", f"{note} {dtype_note}", desc, written)

    script_io.write_text_atomic(out / "summary.md", summary_markdown(docs, args.results, messages))
    written.append(out / "summary.md")
    for m in messages:
        print(m)
    print(f"{PROG}: wrote {len(written)} files to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
