"""The SIMD target as an axis in the scripts: a row's identity includes the target it ran on
(elubench --simd), files from before rows recorded it pair with newer ones, and the charts,
tables and report draw one series per variant and target."""

from __future__ import annotations

import copy

import numpy as np

import results_index as rix
from conftest import make_run, run_script
from test_compare import verdicts


def on_two_targets(doc, slow_avx2=1.0, planted=None):
    """doc with each SIMD row (our CPU kernels but naive) on AVX3 and on AVX2, AVX2 `slow_avx2`
    times slower; planted: (name, n) of one AVX2 row made 1.3x slower on top."""
    out = copy.deepcopy(doc)
    out["host"]["simd_target"] = "AVX3"
    extra = []
    for r in out["results"]:
        if not rix.has_target_code(r):
            continue
        r["simd_target"] = "AVX3"
        a = copy.deepcopy(r)
        a["simd_target"] = "AVX2"
        factor = slow_avx2 * (1.3 if planted == (a["name"], a["n"]) else 1.0)
        if a["time_s"] is not None:
            s = np.asarray(a["time_s"]["samples"]) * factor
            a["time_s"].update(samples=s.tolist(), median=float(np.median(s)), min=float(s.min()),
                               max=float(s.max()), mean=float(s.mean()))
            a["gbps"] = a["bytes"] / a["time_s"]["median"] / 1e9
        extra.append(a)
    out["results"] += extra
    return out


def test_rows_on_two_targets_are_two_rows_and_a_regression_names_its_target(write):
    base = on_two_targets(make_run(seed=1), slow_avx2=1.5)
    a = write(base, "a.json")
    assert run_script("compare.py", a, a).returncode == 0
    planted = ("cpu/elu/vectorized/f32", 2**20)
    cand = on_two_targets(make_run(seed=2), slow_avx2=1.5, planted=planted)
    r = run_script("compare.py", a, write(cand, "b.json"))
    assert r.returncode == 1, r.stdout
    slower = {k for k, v in verdicts(r.stdout).items() if v == "SLOWER"}
    assert slower == {"cpu/elu/vectorized/f32 n=2^20 t=1 AVX2"}, r.stdout
    # Keyed without the target, each AVX2 row would meet its 1.5x faster AVX3 twin.
    assert "two results for" not in r.stderr


def test_a_file_from_before_simd_target_pairs_with_one_that_has_it(write):
    old = make_run(seed=1)  # no row has simd_target: its SIMD rows ran on host.simd_target (AVX2)
    new = copy.deepcopy(make_run(seed=2))
    for row in new["results"]:
        if rix.has_target_code(row):
            row["simd_target"] = "AVX2"
    r = run_script("compare.py", write(old, "old.json"), write(new, "new.json"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 only in baseline, 0 only in candidate" in r.stdout
    assert set(verdicts(r.stdout).values()) == {"SAME"}
    # Another target is another row: nothing pairs, and the script says so.
    for row in new["results"]:
        if rix.has_target_code(row):
            row["simd_target"] = "AVX3"
    r = run_script("compare.py", write(old, "old.json"), write(new, "new.json"))
    assert "0 only in baseline" not in r.stdout and "0 only in candidate" not in r.stdout


def test_elu_pairs_with_relu_on_its_own_target():
    doc = on_two_targets(make_run(seed=1), slow_avx2=2.0)
    costs = rix.relu_costs(doc["results"])
    assert costs and all(c.row.get("simd_target") == c.relu.get("simd_target") for c in costs)


def test_charts_and_table_draw_one_series_per_target(write, tmp_path):
    doc = on_two_targets(make_run(seed=1))
    assert run_script("validate_results.py", write(doc, "r.json")).returncode == 0
    r = run_script("plot.py", write(doc, "r.json"), "-o", tmp_path / "charts")
    assert r.returncode == 0, r.stderr
    table = "".join(p.read_text() for p in (tmp_path / "charts").glob("*.md"))
    assert "vectorized@AVX2" in table and "vectorized@AVX3" in table
    one = make_run(seed=1)  # one target: the names stay as they are
    assert {r["variant"] for r in rix.variants_by_target(one)["results"]} == {r["variant"] for r in one["results"]}
