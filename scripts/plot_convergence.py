#!/usr/bin/env python3
"""Charts and a Markdown summary of a convergence results file (scripts/convergence.py).

  plot_convergence.py RESULTS.json -o DIR

Writes, as PNG and SVG, per model:
  curves_<model>     test accuracy and training loss against training steps, mean over seeds with
                     the 95% band; the other activations on the left, the ELU α sweep on the right
  to_target_<model>  steps and training seconds to each test-accuracy target, per activation
                     (mean and 95% interval over the seeds that reached it)
and alpha_sweep (final accuracy and steps to each target against α, ReLU drawn at α = 0, which is
ELU's limit), plus summary.md: the answer per model (convergence_stats.headline) and every figure
with its interval and its comparison with ReLU. Prints the answers. Exit 0, or 2 on an unusable
file (one line).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never needs a display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

import convergence_io as cio  # noqa: E402
import convergence_stats as cs  # noqa: E402
import script_io  # noqa: E402

PROG = "plot_convergence.py"
README_BEGIN, README_END = "<!-- convergence:begin -->", "<!-- convergence:end -->"
plt.rcParams.update({
    "figure.dpi": 110, "font.size": 9, "axes.grid": True, "grid.alpha": 0.3, "legend.fontsize": 7.5,
    "svg.fonttype": "none",  # text stays text in the SVG (escaped by matplotlib's writer)
    "svg.hashsalt": "elubench",  # stable ids, so regenerated SVGs diff cleanly
})


def parse_args(argv):
    p = argparse.ArgumentParser(prog=PROG, description="Charts and summary.md of a convergence results file.")
    p.add_argument("results", help="convergence results JSON (scripts/convergence.py)")
    p.add_argument("-o", "--output", required=True, help="folder for the charts and summary.md (created if missing)")
    p.add_argument("--readme", help="also write the answer per model between the README's "
                   f"'{README_BEGIN}' and '{README_END}' markers")
    return p.parse_args(argv)


def mpl_text(s: str) -> str:
    """Text from a results file as matplotlib shows it literally: '$' would start mathtext."""
    return str(s).replace("\\", "\\\\").replace("$", r"\$")


def is_sweep(key) -> bool:
    return key[0] == cs.HEADLINE[0]


def colour_of(doc):
    keys = cs.keys_of(doc)
    cmap = plt.get_cmap("tab20")
    return {k: ("black" if k == cs.BASELINE else cmap(i % 20)) for i, k in enumerate(keys)}


def band(values_by_seed: list):
    """(mean, low, high) per checkpoint over seeds (Student's t, 95%); low = high = mean for one seed."""
    v = np.asarray(values_by_seed, dtype=float)
    n = np.sum(~np.isnan(v), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a checkpoint no seed has (step 0's loss): NaN
        mean = np.nanmean(v, axis=0)
        sd = np.nanstd(v, axis=0, ddof=1) if v.shape[0] > 1 else np.zeros_like(mean)
    half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(np.maximum(n, 1))
    return mean, mean - half, mean + half


def curves_of(doc, model: str, key, field: str):
    """(steps, [values per seed]) of one (model, activation); runs cut short are padded with NaN."""
    runs = [r for r in doc["runs"] if r["model"] == model and cio.act_key(r["activation"], r["params"]) == key]
    if not runs:
        return None, None
    steps = max((r["checkpoints"] for r in runs), key=len)
    rows = []
    for r in runs:
        vals = [np.nan if c[field] is None else c[field] for c in r["checkpoints"]]
        rows.append(vals + [np.nan] * (len(steps) - len(vals)))
    return [c["step"] for c in steps], rows


def draw_curves(ax, doc, model: str, keys, field: str, colours) -> None:
    for key in keys:
        steps, rows = curves_of(doc, model, key, field)
        if steps is None:
            continue
        x = np.asarray(steps[1:])  # step 0 has no training loss, and no place on a log axis
        mean, low, high = (a[1:] for a in band(rows))
        style = "--" if key == cs.BASELINE else "-"
        ax.plot(x, mean, style, color=colours[key], lw=1.3, label=mpl_text(cio.act_label(key)))
        ax.fill_between(x, low, high, color=colours[key], alpha=0.15, lw=0)
    ax.set_xscale("log")
    ax.set_xlabel("training steps")


def chart_curves(doc, model: dict, out: Path, colours) -> list:
    keys = cs.keys_of(doc)
    groups = [[k for k in keys if not is_sweep(k) or k == cs.HEADLINE], [cs.BASELINE] + [k for k in keys if is_sweep(k)]]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True)
    for col, group in enumerate(groups):
        draw_curves(axes[0][col], doc, model["name"], group, "test_accuracy", colours)
        draw_curves(axes[1][col], doc, model["name"], group, "train_loss", colours)
        axes[0][col].set_ylabel("test accuracy")
        axes[1][col].set_ylabel("training loss (mean since the previous checkpoint)")
        axes[1][col].set_yscale("log")
        for t in model["targets"]:
            axes[0][col].axhline(t, color="grey", lw=0.6, ls=":")
        axes[0][col].legend(loc="lower right", ncol=2)
    lo = min(model["targets"]) - 0.15
    for ax in axes[0]:  # the band of a few seeds can pass 100%; accuracy cannot
        ax.set_ylim(max(lo, 0), min(ax.get_ylim()[1], 1.0))
    axes[0][0].set_title("activations (ELU at α = 1)")
    axes[0][1].set_title("ELU α sweep, with ReLU")
    fig.suptitle(mpl_text(f"{model['name']}: learning curves, mean of {len(doc['protocol']['seeds'])} seeds "
                          f"with 95% bands (dotted: the targets) — {doc['device']['name']}"))
    return save(fig, out / f"curves_{model['name']}")


def log_scale_or_say_empty(ax, axis: str, what: str) -> None:
    """A log scale where the panel has data; where it has none (no seed reached any target, as
    in a --quick run), a line saying so instead of a log axis with nothing on it."""
    if ax.has_data():
        (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(title=what, loc="lower right", fontsize=7)
    else:
        ax.text(0.5, 0.5, "no seed reached any target", transform=ax.transAxes, ha="center", va="center")


def save(fig, stem: Path) -> list:
    fig.tight_layout()
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    for p in paths:
        with script_io.atomic_path(p) as tmp:
            fig.savefig(tmp, format=p.suffix[1:])
    plt.close(fig)
    return paths


def chart_to_target(doc, model: dict, rows: list, out: Path) -> list:
    """Steps and seconds to each target per activation: mean with the 95% interval; the seeds
    that never reached a target are left out and counted in the label."""
    mine = [r for r in rows if r.model == model["name"]]
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.45 * len(mine) + 2), sharey=True)
    markers = ["o", "s", "^", "D", "v"]
    seeds = len(doc["protocol"]["seeds"])
    for ax, what, unit in ((axes[0], "steps", "training steps"), (axes[1], "seconds", "training seconds")):
        for j, t in enumerate(model["targets"]):
            y = np.arange(len(mine)) + (j - (len(model["targets"]) - 1) / 2) * 0.2
            for yi, row in zip(y, mine):
                iv = row.figures[f"{what}@{t:g}"]
                if iv.mean is None:
                    continue
                err = [[iv.mean - iv.low], [iv.high - iv.mean]] if iv.low is not None else None
                ax.errorbar(iv.mean, yi, xerr=err, fmt=markers[j % 5], color=f"C{j}", ms=4, capsize=2,
                            label=f"{t:.0%}" if yi == y[0] else None)
        log_scale_or_say_empty(ax, "x", "test accuracy target")
        ax.set_xlabel(f"{unit} to the target")
    labels = [mpl_text(cio.act_label(r.key) + f"  ({min(r.figures[f'steps@{t:g}'].n for t in model['targets'])}"
                       f"/{seeds} reached all)") for r in mine]
    axes[0].set_yticks(range(len(mine)), labels)
    axes[0].invert_yaxis()
    fig.suptitle(mpl_text(f"{model['name']}: steps and training time to each test-accuracy target — "
                          f"{doc['device']['name']}\nmean and 95% interval over the seeds that reached it"))
    return save(fig, out / f"to_target_{model['name']}")


def chart_alpha(doc, rows: list, out: Path) -> list:
    """Final accuracy and steps to each target against ELU's α, ReLU at α = 0 (ELU's limit)."""
    models = doc["models"]
    fig, axes = plt.subplots(len(models), 2, figsize=(11, 3.6 * len(models)), squeeze=False)
    for (ax_acc, ax_steps), model in zip(axes, models):
        mine = {r.key: r for r in rows if r.model == model["name"]}
        sweep = sorted((dict(k[1])["alpha"], r) for k, r in mine.items() if is_sweep(k))
        points = ([(0.0, mine[cs.BASELINE])] if cs.BASELINE in mine else []) + sweep
        xs = list(range(len(points)))  # evenly spaced: α = 0.1 and ReLU's 0 would overlap on a linear axis
        for ax, names in ((ax_acc, [("final_accuracy", "final test accuracy")]),
                          (ax_steps, [(f"steps@{t:g}", f"{t:.0%}") for t in model["targets"]])):
            for j, (name, label) in enumerate(names):
                ivs = [r.figures[name] for _, r in points]
                ok = [i for i, iv in enumerate(ivs) if iv.mean is not None]
                if not ok:
                    continue
                mean = [ivs[i].mean for i in ok]
                err = [[ivs[i].mean - (ivs[i].low if ivs[i].low is not None else ivs[i].mean) for i in ok],
                       [(ivs[i].high if ivs[i].high is not None else ivs[i].mean) - ivs[i].mean for i in ok]]
                ax.errorbar([xs[i] for i in ok], mean, yerr=err, fmt="-o", color=f"C{j}", ms=4, capsize=3, label=label)
            ax.set_xlabel("ELU α (0: ReLU)")
            ax.set_xticks(xs, [f"{a:g}" + (" (ReLU)" if i == 0 and cs.BASELINE in mine else "")
                               for i, (a, _) in enumerate(points)])
        ax_acc.set_ylabel("test accuracy after training")
        ax_steps.set_ylabel("steps to the target")
        log_scale_or_say_empty(ax_steps, "y", "target")
        ax_acc.set_title(mpl_text(f"{model['name']}: accuracy vs α"))
        ax_steps.set_title(mpl_text(f"{model['name']}: steps to each target vs α (seeds that reached it)"))
    fig.suptitle(mpl_text(f"ELU α sweep, mean and 95% interval over seeds — {doc['device']['name']}"))
    return save(fig, out / "alpha_sweep")


def md_cell(text) -> str:
    """Text from a results file as one Markdown table cell: markup characters and line breaks escaped."""
    s = str(text).replace("\\", "\\\\")
    for ch in "|*_`[]<>#!":
        s = s.replace(ch, "\\" + ch)
    return " ".join(s.split())


def fmt_iv(iv: cs.Interval, pct=False) -> str:
    if iv.mean is None:
        return "—"
    f = (lambda v: f"{v:.1%}") if pct else (lambda v: f"{v:.3g}")
    return f(iv.mean) + (f" [{f(iv.low)}, {f(iv.high)}]" if iv.low is not None else "")


def fmt_paired(p) -> str:
    if p is None or p.ratio.mean is None:
        return "—"
    ci = f" [{p.ratio.low:.2f}, {p.ratio.high:.2f}]" if p.ratio.low is not None else ""
    return f"{p.ratio.mean:.2f}×{ci} p={p.p:.2g} (n={p.pairs})"


def header_markdown(doc) -> list:
    h, fw = doc["host"], doc["framework"]
    blas = fw["blas"]
    lines = [f"# Convergence: time to accuracy on Fashion-MNIST ({md_cell(doc['device']['name'])})", ""]
    if doc["protocol"]["quick"]:
        lines += ["**--quick: a plumbing check on 2,000 images, not a measurement.**", ""]
    if not doc["complete"]:
        lines += [f"**Incomplete: {len(doc['runs'])} runs finished before the run stopped.**", ""]
    lines += [f"- device: {md_cell(doc['device']['kind'])}, {doc['device']['threads']} thread(s); host "
              f"{md_cell(h['cpu_model'])}, {h['cores']} cores; load average (1/5/15 min) at the start "
              f"{'/'.join(map(str, h['loadavg_start']))}, at the end {'/'.join(map(str, h['loadavg_end']))}"
              + (f"; note: {md_cell(h['note'])}" if h.get("note") else ""),
              f"- PyTorch {md_cell(fw['version'])} (Python {md_cell(fw['python'])}), deterministic algorithms "
              f"{'on' if fw['deterministic'] else 'off'}; BLAS {md_cell(blas['library'])}: "
              f"{blas['gflops'] or '—'} GFLOP/s on a {'x'.join(map(str, blas['shape']))} matmul, one thread "
              f"(reference BLAS: {blas['reference_gflops'] or '—'})",
              f"- seeds {', '.join(map(str, doc['protocol']['seeds']))}; {md_cell(doc['protocol']['schedule_rationale'])}",
              f"- created {md_cell(doc['created'])} by {md_cell(doc['command_line'])} at {md_cell(doc['tool']['git_revision'])}", ""]
    return lines


def model_markdown(doc, model: dict, rows: list) -> list:
    mine = [r for r in rows if r.model == model["name"]]
    seeds = len(doc["protocol"]["seeds"])
    opt = model["optimizer"]
    lines = [f"## {md_cell(model['name'])}", "", f"{md_cell(model['description'])}. Settings: {md_cell(model['source'])}. "
             f"SGD lr {opt['lr']:g}, momentum {opt['momentum']:g}, batch {model['batch_size']}, {model['epochs']} "
             f"epoch(s) of {model['steps_per_epoch']} steps; {model['parameters']:,} parameters.", "",
             "| activation | final test accuracy [95% CI] | × ReLU accuracy | ms per step [95% CI] | step cost × ReLU (interleaved) | diverged |",
             "|---|---|---|---|---|---|"]
    for r in mine:
        ms = r.figures["step_seconds"]
        ms = cs.Interval(*(None if v is None else v * 1e3 for v in (ms.mean, ms.low, ms.high)), ms.n)
        lines.append(f"| {md_cell(cio.act_label(r.key))} | {fmt_iv(r.figures['final_accuracy'], pct=True)} | "
                     f"{fmt_paired(r.vs_relu.get('final_accuracy'))} | {fmt_iv(ms)} | {fmt_paired(r.step_cost)} | "
                     f"{r.diverged}/{seeds} |")
    lines += ["", "| activation | target | seeds reaching it | steps [95% CI] | × ReLU steps | seconds [95% CI] | × ReLU time |",
              "|---|---|---|---|---|---|---|"]
    for r in mine:
        for t in model["targets"]:
            s, sec = r.figures[f"steps@{t:g}"], r.figures[f"seconds@{t:g}"]
            lines.append(f"| {md_cell(cio.act_label(r.key))} | {t:.0%} | {s.n}/{seeds} | {fmt_iv(s)} | "
                         f"{fmt_paired(r.vs_relu.get(f'steps@{t:g}'))} | {fmt_iv(sec)} | "
                         f"{fmt_paired(r.vs_relu.get(f'seconds@{t:g}'))} |")
    return lines + [""]


def summary_markdown(doc, rows: list, heads: list) -> str:
    lines = header_markdown(doc) + ["## The answer", ""]
    lines += [f"- {md_cell(h['sentence'])}" for h in heads] + [""]
    lines += ["Ratios are geometric means of per-seed ratios X / ReLU with 95% intervals (the interleaved step "
              "timing: the median of per-round ratios with its order-statistic interval, robust to bursts of "
              "load); p: two-sided Wilcoxon signed-rank test on the paired values. Steps and seconds to a target: "
              "at the first checkpoint at or above it (checkpoints every 2^(1/2) times more steps), training time "
              "only (evaluation excluded).", ""]
    for model in doc["models"]:
        lines += model_markdown(doc, model, rows)
    return "\n".join(lines)


def readme_block(doc, heads: list, results: str, charts: Path) -> str:
    """The README's answer: one sentence per model, with where it comes from."""
    h = doc["host"]
    lines = [README_BEGIN, f"**Does ELU's faster convergence pay for its cost?** Trained on Fashion-MNIST with PyTorch "
             f"{md_cell(doc['framework']['version'])} on {md_cell(doc['device']['name'])} ({doc['device']['threads']} "
             f"thread; {len(doc['protocol']['seeds'])} seeds per activation; load average "
             f"{h['loadavg_start'][0]:g} at the start, {h['loadavg_end'][0]:g} at the end: a shared machine), "
             f"from [`{md_cell(results)}`]({results}); charts in [`{md_cell(charts)}`]({charts}), the method in "
             "[docs/convergence.md](docs/convergence.md):", ""]
    lines += [f"- {md_cell(x['sentence'])}" for x in heads]
    return "\n".join(lines + ["", README_END])


def readme_parts(path: Path) -> tuple:
    """(text before the block, text after it) of a README with one pair of markers."""
    text = path.read_text(encoding="utf-8")  # an unreadable README: run_main's one line
    if text.count(README_BEGIN) != 1 or text.count(README_END) != 1 or text.index(README_BEGIN) > text.index(README_END):
        raise script_io.InputError(f"{path}: needs one '{README_BEGIN}' line and one '{README_END}' line after it")
    head, rest = text.split(README_BEGIN)
    return head, rest.split(README_END, 1)[1]


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    doc = cio.load(args.results)
    readme = readme_parts(Path(args.readme)) if args.readme else None  # checked before anything is drawn
    out = script_io.make_output_dir(args.output)
    rows, heads = cs.summarize(doc), cs.headline(doc)
    colours = colour_of(doc)
    written = []
    for model in doc["models"]:
        written += chart_curves(doc, model, out, colours)
        written += chart_to_target(doc, model, rows, out)
    written += chart_alpha(doc, rows, out)
    script_io.write_text_atomic(out / "summary.md", summary_markdown(doc, rows, heads) + "\n")
    if readme:
        base = Path(args.readme).parent
        block = readme_block(doc, heads, os.path.relpath(args.results, base), Path(os.path.relpath(out, base)))
        script_io.write_text_atomic(args.readme, readme[0] + block + readme[1])
    for h in heads:
        print(h["sentence"])
    print(f"charts: {out} ({len(written)} files) and {out / 'summary.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(script_io.run_main(PROG, main))
