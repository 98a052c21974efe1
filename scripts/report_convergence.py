"""The convergence section of report.html: the two halves of the ELU tradeoff side by side for a device.

  report.py RESULTS.json [...] --convergence CONVERGENCE.json -o report.html

Per model of the convergence file (scripts/convergence.py) it says: per call, ELU costs X× ReLU
(elubench: the best f32 kernel of each, at the measured size nearest the model's activation
tensor, from a results file of the same device); per training step, Y× (the run's interleaved
step timing); to reach Z% test accuracy it needs W× the steps and V× the time (paired by seed),
and what that adds up to, in words (convergence_stats.conclusion), including when ELU does not
converge faster. Then the charts of plot_convergence.py, embedded as PNG data: URIs (the page's
CSP allows images from data: only), and a table of every activation at the answer's target.

The section is static HTML: every string from a file goes through html.escape, numbers are
formatted here; it needs no script and no style attribute.
"""

from __future__ import annotations

import base64
import html
import math
import tempfile
from pathlib import Path

import convergence_io as cio
import convergence_stats as cs
import results_index as rix
import results_text

CHART_DPI = 96  # 11-inch charts are ~1,060 px wide: inside the page's 1,280 px column


def esc(v) -> str:
    """Text from a file as HTML text or attribute; braces too, so that report.py's placeholders
    ("{{TITLE}}", "/*{{DATA}}*/") can never appear in the section."""
    return html.escape(str(v), quote=True).replace("{", "&#123;").replace("}", "&#125;")


def elubench_costs(docs: list, conv: dict, n_want: int) -> list:
    """ReluCosts of ELU (α = 1) against ReLU, best f32 kernels, no bias, on the convergence run's
    device (same CPU model or GPU name) with the run's thread count when measured, else the
    fewest threads: at n_want if measured, else at the measured sizes just below and above it
    (the cost per call moves several-fold across cache sizes, so neither alone stands for it).
    Where several files measured a size, the newest file's. [] without such rows."""
    device = "gpu" if conv["device"]["kind"] == "cuda" else "cpu"
    found = []
    for doc in sorted(docs, key=lambda d: d["created"]):
        if results_text.device_name(doc, device) != conv["device"]["name"]:
            continue
        found += [c for c in rix.best_relu_costs(doc)
                  if (c.row["device"], c.row["dtype"], c.activation, c.row["cols"]) == (device, "f32", "elu", None)
                  and dict(c.params).get("alpha", 1.0) == 1.0]
    if not found:
        return []
    threads = {c.row["threads"] for c in found}
    want = conv["device"]["threads"] if conv["device"]["threads"] in threads else min(threads, key=lambda t: t or 0)
    by_n = {c.row["n"]: c for c in found if c.row["threads"] == want}  # the newest file last, so it wins
    if n_want in by_n:
        return [by_n[n_want]]
    below, above = [n for n in by_n if n < n_want], [n for n in by_n if n > n_want]
    return [by_n[n] for n in ([max(below)] if below else []) + ([min(above)] if above else [])]


def upper_first(s: str) -> str:
    return s[:1].upper() + s[1:]


def ci_text(p, unit: str = "seeds") -> str:
    if p is None or p.ratio.mean is None:
        return "not measured"
    ci = f"95% CI {p.ratio.low:.2f}–{p.ratio.high:.2f}, " if p.ratio.low is not None else ""
    return f"{ci}Wilcoxon p = {p.p:.2g}, {p.pairs} {unit}" + (f", {p.left_out} left out" if p.left_out else "")


def x_text(costs: list, conv: dict, n_want: int) -> str:
    """The per-call half, as escaped HTML."""
    if not costs:
        return (f"no elubench results for {esc(conv['device']['name'])} in this report (give report.py a results "
                f"file from this device to see it)")
    at = []
    for c in costs:
        fb = f", forward + backward {c.fwd_bwd:.2f}×" if c.fwd_bwd is not None else ""
        at.append(f"<strong>{c.forward:.2f}×</strong> ReLU at n = {esc(results_text.size_label(c.row['n']))} "
                  f"({esc(c.row['variant'])} / {esc(c.relu['variant'])}{fb})")
    r = costs[0].row
    threads = f", {r['threads']} thread{'s' if r['threads'] != 1 else ''}" if r["threads"] else ""
    return (f"per call, ELU costs {' and '.join(at)} (elubench: best f32 kernels{esc(threads)}; this model's "
            f"largest activation is {n_want:,} elements per call)")


def targets_text(conv: dict, model: dict) -> str:
    """ELU (α = 1) against ReLU at every target: the steps ratio with its interval and p."""
    row = next(r for r in cs.summarize(conv) if r.model == model["name"] and r.key == cs.HEADLINE)
    return "steps to each target × ReLU's: " + "; ".join(
        f"{t:.0%}: {esc(ratio_cell(row.vs_relu[f'steps@{t:g}']))}" for t in model["targets"])


def model_html(conv: dict, docs: list, model: dict, head: dict) -> str:
    n_want = max(model["activation_elements"])
    parts = [f"<h3>{esc(model['name'])}: {esc(model['description'])}</h3>", '<ul class="headline">',
             f"<li>{x_text(elubench_costs(docs, conv, n_want), conv, n_want)};</li>"]
    y = head["step_cost"]
    ymean = f"<strong>{y.ratio.mean:.2f}×</strong>" if y and y.ratio.mean else "not measured"
    parts.append(f"<li>per training step, {ymean} (this run: PyTorch {esc(conv['framework']['version'])}, "
                 f"interleaved step timing, median of per-round ratios, {esc(ci_text(y, 'rounds'))});</li>")
    if head.get("target") is None:
        parts += [f"<li>{esc(head['sentence'])}</li>", "</ul>"]
        return "\n".join(parts)
    parts.append(f"<li>{targets_text(conv, model)}</li>")
    w, v = head["steps"], head["seconds"]
    derived = "" if head["derived_time"] is None else \
        f"; the steps times the per-step cost, which machine load disturbs less, give {head['derived_time']:.2f}×"
    parts += [f"<li>to reach {head['target']:.0%} test accuracy it needs <strong>{w.ratio.mean:.2f}×</strong> the steps "
              f"({esc(ci_text(w))}) and <strong>{v.ratio.mean:.2f}×</strong> the time ({esc(ci_text(v))}{derived}).</li>",
              "</ul>", f"<p><strong>{esc(upper_first(cs.conclusion(w, v)))}.</strong></p>"]
    return "\n".join(parts) + "\n" + table_html(conv, model, head["target"])


def ratio_cell(p) -> str:
    if p is None or p.ratio.mean is None:
        return "—"
    ci = f" [{p.ratio.low:.2f}, {p.ratio.high:.2f}]" if p.ratio.low is not None else ""
    return f"{p.ratio.mean:.2f}×{ci}, p = {p.p:.2g}"


def table_html(conv: dict, model: dict, target: float) -> str:
    """Every activation of the model at the answer's target: accuracy, cost per step, steps and time."""
    seeds = len(conv["protocol"]["seeds"])
    head = ["activation", "final test accuracy [95% CI]", "step cost × ReLU (interleaved)",
            f"steps to {target:.0%} × ReLU", f"time to {target:.0%} × ReLU", f"seeds reaching {target:.0%}"]
    rows = [r for r in cs.summarize(conv) if r.model == model["name"]]
    out = ["<div class=\"tablewrap\"><table><thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for r in rows:
        acc = r.figures["final_accuracy"]
        acc_text = "—" if acc.mean is None else f"{acc.mean:.1%}" + (
            f" [{acc.low:.1%}, {acc.high:.1%}]" if acc.low is not None else "")
        cells = [cio.act_label(r.key), acc_text, ratio_cell(r.step_cost), ratio_cell(r.vs_relu.get(f"steps@{target:g}")),
                 ratio_cell(r.vs_relu.get(f"seconds@{target:g}")), f"{r.figures[f'steps@{target:g}'].n}/{seeds}"]
        out.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    return "\n".join(out + ["</tbody></table></div>"])


def charts_html(conv: dict) -> str:
    """plot_convergence.py's charts as <img> elements with PNG data: URIs."""
    import matplotlib.pyplot as plt  # only when a convergence section is asked for
    import plot_convergence as pc
    rows, colours = cs.summarize(conv), pc.colour_of(conv)
    out = []
    with tempfile.TemporaryDirectory() as tmp, plt.rc_context({"savefig.dpi": CHART_DPI}):
        folder = Path(tmp)
        charts = []
        for model in conv["models"]:
            charts += [(f"{model['name']}: learning curves", pc.chart_curves(conv, model, folder, colours)),
                       (f"{model['name']}: steps and time to each target", pc.chart_to_target(conv, model, rows, folder))]
        charts.append(("ELU α sweep", pc.chart_alpha(conv, rows, folder)))
        for title, paths in charts:
            png = next(p for p in paths if p.suffix == ".png")
            data = base64.b64encode(png.read_bytes()).decode("ascii")
            out.append(f'<p><img alt="{esc(title)}" src="data:image/png;base64,{data}"></p>')
    return "\n".join(out)


def header_html(conv: dict) -> str:
    h, fw, dev = conv["host"], conv["framework"], conv["device"]
    warn = []
    if conv["protocol"]["quick"]:
        warn.append("<p><strong>--quick: a plumbing check on 2,000 images, not a measurement.</strong></p>")
    if not conv["complete"]:
        warn.append(f"<p><strong>Incomplete: the {len(conv['runs'])} runs that finished before the run stopped."
                    "</strong></p>")
    note = f"; note: {esc(h['note'])}" if h.get("note") else ""
    return "\n".join(warn + [
        f"<p class=\"note\">Fashion-MNIST (60,000 training and 10,000 test images) on {esc(dev['name'])} "
        f"({esc(dev['kind'])}, {dev['threads']} thread{'s' if dev['threads'] != 1 else ''}), PyTorch "
        f"{esc(fw['version'])}, deterministic algorithms {'on' if fw['deterministic'] else 'off'}; "
        f"{len(conv['protocol']['seeds'])} seeds per model and activation, each activation starting from the same "
        f"weights and batch order per seed; load average {esc('/'.join(map(str, h['loadavg_start'])))} at the start, "
        f"{esc('/'.join(map(str, h['loadavg_end'])))} at the end{note}. Created {esc(conv['created'])} by "
        f"<code>{esc(conv['command_line'])}</code>.</p>"])


def section_html(conv: dict, docs: list, charts: bool = True) -> str:
    """The whole section, for report.py to place in the page (charts=False: without the charts,
    which take seconds to draw)."""
    heads = {h["model"]: h for h in cs.headline(conv)}
    parts = ['<section id="convergence" class="card">',
             "<h2>The other half: does ELU's faster convergence pay for its cost?</h2>", header_html(conv)]
    for model in conv["models"]:
        parts.append(model_html(conv, docs, model, heads[model["name"]]))
    parts += [charts_html(conv) if charts else "",
              "<p class=\"note\">Ratios: geometric mean of per-seed ratios ELU / ReLU (for the interleaved step "
              "timing: the median of per-round ratios, with its order-statistic interval) with 95% intervals; p: two-sided Wilcoxon signed-rank test (with fewer than "
              "6 pairs it cannot fall below 0.05). Steps and time to a target: the first checkpoint at or above it "
              "(checkpoints every 2^(1/2) times more steps), training time only. The per-call figure is elubench's "
              "own best kernels, not PyTorch's; the per-step figure is PyTorch's whole training step.</p>",
              "</section>"]
    return "\n".join(parts)
