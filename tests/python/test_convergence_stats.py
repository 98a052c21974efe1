"""convergence_stats on synthetic curves with a known answer: the steps and seconds to a target,
the pairing by seed (not by position in the file), the per-round pairing of the step timing,
the intervals, the Wilcoxon p and the verdict sentences; and convergence.py's run order and
checkpoints (no torch needed). ~2 s."""

from __future__ import annotations

import math

import pytest

from convergence_fixtures import ELU, FAST, RELU, SLOW, make_doc, with_edit

import convergence as conv
import convergence_stats as cs


def answer(doc):
    (h,) = cs.headline(doc)
    return h


def test_half_the_steps_and_a_costlier_step_is_measured_exactly():
    """ELU reaches both targets in half ReLU's steps at 1.2x the time per step: 0.5x the steps,
    0.6x the time, 1.2x per step; every seed agrees, so the intervals have no width and the
    Wilcoxon p is its floor for 6 pairs (2/64) and 7 rounds (2/128)."""
    h = answer(make_doc())
    assert h["target"] == 0.7
    assert h["steps"].ratio.mean == pytest.approx(0.5) and h["steps"].ratio.low == pytest.approx(0.5)
    assert h["seconds"].ratio.mean == pytest.approx(0.6) and h["seconds"].ratio.high == pytest.approx(0.6)
    assert h["step_cost"].ratio.mean == pytest.approx(1.2)
    assert h["steps"].p == pytest.approx(2 / 64) and h["step_cost"].p == pytest.approx(2 / 128)
    assert (h["steps"].verdict, h["seconds"].verdict) == ("lower", "lower")
    assert "ELU converges faster here (fewer steps), and that pays for its cost" in h["sentence"]


def test_pairs_by_seed_not_by_position():
    """Each seed runs at its own speed (as machine load would make it) and ELU's runs are listed
    in reverse seed order: paired by seed the time ratio is exactly 0.6 for every seed; paired
    by position it would not be."""
    doc = make_doc(seed_speed=lambda s: 1 + s)
    relu = [r for r in doc["runs"] if r["activation"] == "relu"]
    elu = [r for r in doc["runs"] if r["activation"] == "elu"][::-1]
    doc["runs"] = relu + elu
    h = answer(doc)
    assert h["seconds"].ratio.mean == pytest.approx(0.6)
    assert h["seconds"].ratio.high - h["seconds"].ratio.low == pytest.approx(0, abs=1e-12)
    assert h["seconds"].pairs == 6


def test_no_faster_convergence_is_said_plainly():
    h = answer(make_doc(curves={RELU: SLOW, ELU: SLOW}))
    assert h["steps"].ratio.mean == pytest.approx(1.0) and h["steps"].p == 1.0
    assert h["steps"].verdict == "no difference" and h["seconds"].verdict == "higher"
    assert "ELU does not converge faster here" in h["sentence"]


def test_fewer_steps_but_slower_in_time():
    h = answer(make_doc(step_seconds={RELU: 1e-3, ELU: 3e-3}))
    assert h["seconds"].ratio.mean == pytest.approx(1.5)
    assert "its cost per step makes it slower to reach the target" in h["sentence"]


def test_five_seeds_cannot_reach_p_below_0_05_and_say_so():
    h = answer(make_doc(seeds=range(5)))
    assert h["steps"].p == pytest.approx(2 / 32) and h["steps"].verdict == "too few pairs"
    assert "no verdict" in h["sentence"]


def test_a_seed_that_never_reaches_the_target_is_left_out_and_counted():
    """ReLU seed 0 never reaches 70%: the answer moves to 50%, which every seed reached; at 70%
    the comparison has 5 pairs and says one seed was left out."""
    doc = make_doc()
    doc["runs"][0] = make_doc(curves={RELU: [0.3, 0.4, 0.55, 0.65], ELU: FAST})["runs"][0]
    h = answer(doc)
    assert h["target"] == 0.5
    row = next(r for r in cs.summarize(doc) if r.key == ELU)
    assert (row.vs_relu["steps@0.7"].pairs, row.vs_relu["steps@0.7"].left_out) == (5, 1)
    assert row.figures["steps@0.7"].n == 6 and next(r for r in cs.summarize(doc) if r.key == RELU).figures["steps@0.7"].n == 5


def test_intervals_match_student_t():
    iv = cs.mean_ci([1.0, 2.0, 3.0, 4.0])
    half = 3.182446305284263 * math.sqrt(5 / 3) / 2  # t(0.975, 3) * s / sqrt(n)
    assert iv.mean == 2.5 and iv.low == pytest.approx(2.5 - half) and iv.high == pytest.approx(2.5 + half)
    assert cs.mean_ci([7.0]) == cs.Interval(7.0, None, None, 1)
    assert cs.ratio_ci([2.0, 8.0]).mean == pytest.approx(4.0)  # geometric, not arithmetic (5)


def test_step_timing_pairs_by_round():
    """Rounds get slower one after another (load rising): per round ELU is 1.25x ReLU exactly."""
    relu = [1e-3 * (1 + r) for r in range(7)]
    doc = make_doc(timing={RELU: relu, ELU: [1.25 * t for t in relu]})
    assert answer(doc)["step_cost"].ratio.mean == pytest.approx(1.25)
    assert answer(doc)["step_cost"].ratio.low == pytest.approx(1.25)


def test_a_burst_of_load_in_a_few_rounds_does_not_move_the_step_cost():
    """ELU is 1.25x ReLU per step, but in 2 of 7 rounds a burst of load made ReLU's sample 5x
    slower: the median of the per-round ratios stays 1.25 (a geometric mean would fall to ~0.79)."""
    relu = [1e-3] * 7
    elu = [1.25e-3] * 7
    relu[2] = relu[5] = 5e-3
    cost = answer(make_doc(timing={RELU: relu, ELU: elu}))["step_cost"]
    assert cost.ratio.mean == pytest.approx(1.25)
    assert cs.ratio_ci([e / r for e, r in zip(elu, relu)]).mean == pytest.approx(0.79, abs=0.01)


def test_median_interval_is_the_order_statistics():
    assert cs.median_ci(range(1, 22)) == cs.Interval(11, 6, 16, 21)  # 21 rounds: the 6th to 16th
    assert cs.median_ci(range(1, 7)) == cs.Interval(3.5, 1, 6, 6)  # 6: the extremes cover 96.9%
    assert cs.median_ci(range(1, 6)).low is None  # 5: even the extremes cover only 93.8%


def test_no_elu_alpha_1_no_answer():
    doc = make_doc(curves={RELU: SLOW, ("elu", (("alpha", 0.5),)): FAST},
                   step_seconds={RELU: 1e-3, ("elu", (("alpha", 0.5),)): 1e-3})
    assert answer(doc)["target"] is None and "no ELU α=1 runs" in answer(doc)["sentence"]


def test_schedule_interleaves_and_rotates():
    acts = [(f"a{i}", {}, "he_normal") for i in range(11)]
    plan = conv.schedule(["mlp", "conv"], acts, list(range(6)))
    assert len(plan) == 2 * 11 * 6 and len(set((m, a[0], s) for m, a, s in plan)) == len(plan)
    per_seed = [plan[i * 22:(i + 1) * 22] for i in range(6)]
    assert all({s for _, _, s in chunk} == {i} for i, chunk in enumerate(per_seed))  # seed-major
    first = [chunk[0][1][0] for chunk in per_seed]
    assert len(set(first)) == 6  # a different activation opens every seed
    positions = [[j for j, (_, a, _) in enumerate(chunk) if a[0] == "a0"][0] for chunk in per_seed]
    assert max(positions) - min(positions) >= 11  # ReLU's slot moves from early to late
    assert [m for m, _, _ in per_seed[0][:2]] == ["mlp", "conv"] and [m for m, _, _ in per_seed[1][:2]] == ["conv", "mlp"]


def test_eval_steps_are_geometric_and_end_each_epoch():
    steps = conv.eval_steps(938, 2)
    assert steps[:4] == [16, 23, 32, 45] and 938 in steps and steps[-1] == 1876
    ratios = [b / a for a, b in zip(steps, steps[1:]) if b not in (938, 1876) and a not in (938, 1876)]
    assert all(r == pytest.approx(2 ** 0.5, rel=0.05) for r in ratios)
