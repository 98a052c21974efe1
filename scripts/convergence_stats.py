"""Statistics of a convergence results file (convergence_io.load): what the charts, summary.md, the
README sentence and the report section say, computed in one place.

Per (model, activation), every figure gets its mean and 95% interval over seeds (Student's t).
Against ReLU, a figure is compared by seed (seed s of both started from the same weights and saw
the same batches): the per-seed ratio X / ReLU, summarized as the geometric mean with a 95%
interval (t on the log ratios), and a two-sided Wilcoxon signed-rank test on the paired
differences (zero differences dropped, scipy's default; p = 1 when every pair ties). With n
pairs the smallest two-sided p is 2 / 2^n: 0.0625 at 5 seeds, 0.031 at 6, so fewer than 6 pairs
can never show p < 0.05 and the verdicts say so.

Figures of a run: final and best test accuracy, final training loss, median time per training
step, and per target the steps and training seconds to the first checkpoint at or above it
(None when never reached: such a seed is left out of that comparison, and the count says how
many were). The per-step cost ratio also comes from the interleaved step timing
(step_timing), paired by round instead of by seed; there a burst of load on a shared machine
inflates a few rounds several-fold, so the ratio is the median of the per-round ratios with the
distribution-free 95% interval of order statistics (binomial), not a mean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

import convergence_io as cio

BASELINE = ("relu", ())
HEADLINE = ("elu", (("alpha", 1.0),))  # the ELU of the paper and of every framework's default
ALPHA = 0.05


@dataclass(frozen=True)
class Interval:
    """mean with its 95% interval over n values (low/high None when n < 2)."""
    mean: float | None
    low: float | None
    high: float | None
    n: int


@dataclass(frozen=True)
class Paired:
    """X against ReLU by seed (or by round): the geometric mean ratio with its interval, the
    Wilcoxon p, how many pairs there were and how many seeds were left out (a side without a value)."""
    ratio: Interval
    p: float | None
    pairs: int
    left_out: int

    @property
    def verdict(self) -> str:
        """'lower' / 'higher' when the interval excludes 1 and p < 0.05; 'no difference' when
        neither; 'too few pairs' when p < 0.05 is out of reach (fewer than 6 pairs)."""
        if self.pairs < 6 or self.p is None:
            return "too few pairs"
        if self.p < ALPHA and self.ratio.high is not None and self.ratio.high < 1:
            return "lower"
        if self.p < ALPHA and self.ratio.low is not None and self.ratio.low > 1:
            return "higher"
        return "no difference"


def mean_ci(values) -> Interval:
    v = np.asarray([x for x in values if x is not None], dtype=float)
    if len(v) == 0:
        return Interval(None, None, None, 0)
    if len(v) == 1:
        return Interval(float(v[0]), None, None, 1)
    half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v))
    return Interval(float(v.mean()), float(v.mean() - half), float(v.mean() + half), len(v))


def ratio_ci(ratios) -> Interval:
    """Geometric mean of positive ratios with the 95% interval of t on their logs."""
    logs = mean_ci([math.log(r) for r in ratios])
    if logs.mean is None:
        return logs
    exp = lambda x: None if x is None else math.exp(x)  # noqa: E731
    return Interval(exp(logs.mean), exp(logs.low), exp(logs.high), logs.n)


def median_ci(values) -> Interval:
    """The median with the distribution-free interval between the k-th smallest and k-th largest
    values, k the largest with P(Binomial(n, 1/2) < k) <= 2.5% (coverage >= 95%); low/high None
    where even the extremes cover less than 95% (n < 6)."""
    v = sorted(x for x in values if x is not None)
    if not v:
        return Interval(None, None, None, 0)
    k = 0
    while k + 1 <= len(v) // 2 and stats.binom.cdf(k, len(v), 0.5) <= 0.025:
        k += 1  # the interval (v[k-1], v[n-k]) keeps P(median outside) <= 2 x 2.5%
    med = float(np.median(v))
    return Interval(med, v[k - 1], v[len(v) - k], len(v)) if k else Interval(med, None, None, len(v))


def wilcoxon_p(xs, ys) -> float | None:
    """Two-sided Wilcoxon signed-rank p of the paired differences xs - ys; 1 when all tie."""
    d = np.asarray(xs, dtype=float) - np.asarray(ys, dtype=float)
    if len(d) == 0:
        return None
    if not np.any(d != 0):
        return 1.0
    return float(stats.wilcoxon(d).pvalue)


def paired(xs: dict, ys: dict, robust: bool = False) -> Paired:
    """xs and ys map a pairing key (seed, round) to a value or None; positive values. robust:
    the median ratio with its order-statistic interval instead of the geometric mean."""
    keys = sorted(set(xs) | set(ys))
    both = [k for k in keys if (xs.get(k) or 0) > 0 and (ys.get(k) or 0) > 0]  # a ratio needs both, positive
    a, b = [xs[k] for k in both], [ys[k] for k in both]
    ratios = [x / y for x, y in zip(a, b)]
    return Paired(median_ci(ratios) if robust else ratio_ci(ratios), wilcoxon_p(a, b), len(both), len(keys) - len(both))


# ---------------------------------------------------------------------------------------------
# Figures of runs, and their comparisons


def run_figures(run: dict) -> dict:
    """The figures of one run (module docstring); keys 'steps@0.8' / 'seconds@0.8' per target."""
    cps = run["checkpoints"]
    out = {"final_accuracy": cps[-1]["test_accuracy"], "best_accuracy": max(c["test_accuracy"] for c in cps),
           "final_train_loss": run["epochs"][-1]["train_loss"] if run["epochs"] else None,
           "step_seconds": run["step_seconds"]["median"] if run["step_seconds"] else None}
    for t in run["targets"]:
        out[f"steps@{t['accuracy']:g}"] = t["steps"]
        out[f"seconds@{t['accuracy']:g}"] = t["seconds"]
    return out


def keys_of(doc: dict) -> list:
    """The activations of the file, as act_keys, in the file's order (ReLU first)."""
    keys = [cio.act_key(a["activation"], a["params"]) for a in doc["activations"]]
    return sorted(keys, key=lambda k: k != BASELINE)


def figures_by_seed(doc: dict, model: str, key: tuple) -> dict:
    """seed -> run_figures of the runs of (model, activation)."""
    return {r["seed"]: run_figures(r) for r in doc["runs"]
            if r["model"] == model and cio.act_key(r["activation"], r["params"]) == key}


def step_timing_by_round(doc: dict, model: str, key: tuple) -> dict:
    """round -> per-step seconds of the interleaved step timing, or {} without one."""
    for row in (doc["step_timing"] or {}).get("rows", []):
        if row["model"] == model and cio.act_key(row["activation"], row["params"]) == key:
            return dict(enumerate(row["per_step_seconds"]))
    return {}


def figure_names(model: dict) -> list:
    names = ["final_accuracy", "best_accuracy", "final_train_loss", "step_seconds"]
    for t in model["targets"]:
        names += [f"steps@{t:g}", f"seconds@{t:g}"]
    return names


@dataclass
class Row:
    """One (model, activation): every figure's interval, and its comparison with ReLU."""
    model: str
    key: tuple
    figures: dict          # name -> Interval
    vs_relu: dict          # name -> Paired (not for ReLU itself)
    step_cost: Paired | None  # interleaved step timing against ReLU, paired by round
    diverged: int


def summarize(doc: dict) -> list:
    """A Row per (model, activation), models in the file's order, ReLU first within each."""
    rows = []
    for model in doc["models"]:
        base = figures_by_seed(doc, model["name"], BASELINE)
        base_steps = step_timing_by_round(doc, model["name"], BASELINE)
        for key in keys_of(doc):
            mine = figures_by_seed(doc, model["name"], key)
            figs, vs = {}, {}
            for name in figure_names(model):
                figs[name] = mean_ci([f[name] for f in mine.values()])
                if key != BASELINE and base:
                    vs[name] = paired({s: f[name] for s, f in mine.items()}, {s: f[name] for s, f in base.items()})
            steps = step_timing_by_round(doc, model["name"], key)
            cost = paired(steps, base_steps, robust=True) if key != BASELINE and steps and base_steps else None
            diverged = sum(r["status"] == "diverged" for r in doc["runs"]
                           if r["model"] == model["name"] and cio.act_key(r["activation"], r["params"]) == key)
            rows.append(Row(model["name"], key, figs, vs, cost, diverged))
    return rows


# ---------------------------------------------------------------------------------------------
# The answer: ELU (α = 1) against ReLU, per model


def headline_target(doc: dict, model: dict, key=HEADLINE):
    """The target the answer is given at: the highest that every seed of both ReLU and `key`
    reached; else the highest with at least one such pair; None when there is none."""
    mine, base = figures_by_seed(doc, model["name"], key), figures_by_seed(doc, model["name"], BASELINE)
    seeds = set(mine) & set(base)
    best = None
    for t in model["targets"]:
        name = f"steps@{t:g}"
        reached = [s for s in seeds if mine[s][name] is not None and base[s][name] is not None]
        if reached and len(reached) == len(seeds) == len(set(mine) | set(base)):
            best = t
    if best is None:
        for t in model["targets"]:
            if any(mine[s][f"steps@{t:g}"] is not None and base[s][f"steps@{t:g}"] is not None for s in seeds):
                best = t
    return best


def fmt_ratio(p: Paired | None, unit: str = "seeds") -> str:
    """'0.62× (95% CI 0.55-0.70, Wilcoxon p = 0.031, 6 seeds)'; with the ones left out."""
    if p is None or p.ratio.mean is None:
        return "not measured"
    ci = f"95% CI {p.ratio.low:.2f}–{p.ratio.high:.2f}, " if p.ratio.low is not None else ""
    left = f", {p.left_out} left out" if p.left_out else ""
    return f"{p.ratio.mean:.2f}× ({ci}Wilcoxon p = {p.p:.2g}, {p.pairs} {unit}{left})"


def derived_time(steps: Paired, step_cost: Paired | None):
    """The time ratio a machine without load would show: the steps ratio times the interleaved
    per-step cost ratio (both point estimates); None without both."""
    if steps.ratio.mean is None or step_cost is None or step_cost.ratio.mean is None:
        return None
    return steps.ratio.mean * step_cost.ratio.mean


def conclusion(steps: Paired, time: Paired) -> str:
    """What the steps and time comparisons say together, in words (verdicts: Paired.verdict)."""
    s, t = steps.verdict, time.verdict
    if "too few pairs" in (s, t):
        return "too few paired seeds for a Wilcoxon test to reach p < 0.05: no verdict"
    if s == "lower":
        tail = {"lower": "and that pays for its cost: it reaches the target in less training time",
                "higher": "but its cost per step makes it slower to reach the target in training time",
                "no difference": "but the training time to reach the target is not significantly different"}[t]
        return "ELU converges faster here (fewer steps), " + tail
    if s == "higher":
        return "ELU converges more slowly here (more steps to the target)" + \
            (", and takes more training time" if t == "higher" else "")
    return "ELU does not converge faster here: no significant difference in the steps to the target" + \
        {"lower": ", yet it took significantly less training time", "higher": ", and it took more training time",
         "no difference": ""}[t]


def headline(doc: dict) -> list:
    """Per model: the target, ELU's steps and time to it against ReLU (by seed), the per-step cost
    (interleaved timing, by round; and the runs' own step times, by seed), and the sentence."""
    rows = {(r.model, r.key): r for r in summarize(doc)}
    out = []
    for model in doc["models"]:
        row = rows.get((model["name"], HEADLINE))
        target = headline_target(doc, model) if row else None
        if row is None or target is None:
            out.append({"model": model["name"], "target": None, "step_cost": row.step_cost if row else None,
                        "sentence": f"{model['name']}: " + ("no ELU α=1 runs in this file" if row is None else
                                                            "ELU and ReLU never both reached a target: no answer")})
            continue
        w, v = row.vs_relu[f"steps@{target:g}"], row.vs_relu[f"seconds@{target:g}"]
        derived = derived_time(w, row.step_cost)
        also = f" (steps × per-step cost: {derived:.2f}×)" if derived is not None else ""
        sentence = (f"{model['name']}: to reach {target:.0%} test accuracy ELU (α=1) needed {fmt_ratio(w)} ReLU's "
                    f"steps and {fmt_ratio(v)} its training time{also}; a training step cost "
                    f"{fmt_ratio(row.step_cost, 'rounds')} ReLU's (interleaved timing) — {conclusion(w, v)}.")
        out.append({"model": model["name"], "target": target, "steps": w, "seconds": v, "derived_time": derived,
                    "step_cost": row.step_cost, "step_cost_runs": row.vs_relu["step_seconds"],
                    "final_accuracy": row.vs_relu["final_accuracy"], "sentence": sentence})
    return out
