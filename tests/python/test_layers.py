"""Layer rows (elubench --layers) in the scripts: compare.py keys them by shape (two shapes with
the same m * n are different rows) and judges them like any row; validate_results.py checks
their bound's share instead of ULPs; plot.py / plot_layers.py draw the overhead chart and the
table; report.py and results_index give the headline sentence."""

import copy

import numpy as np
import pytest

import results_index as rix
from conftest import make_run, run_script

# (activation, variant, matmul, epilogue, time over the identity layer)
LAYER_ROWS = [("copy", "layer_onednn", "onednn", "none", 1.0), ("relu", "layer_onednn_postop", "onednn", "library", 1.02),
              ("relu", "layer_onednn_tiled", "onednn", "tiled", 1.03), ("elu", "layer_onednn_postop", "onednn", "library", 1.1),
              ("elu", "layer_onednn_tiled", "onednn", "tiled", 1.08), ("elu", "layer_onednn_vectorized", "onednn",
                                                                      "separate_pass", 1.3)]


def layer_row(act, variant, matmul, epilogue, factor, m, k, n, *, t0=1e-3, rng=None, slow=1.0):
    rng = rng or np.random.default_rng(m * 7 + k)
    t = t0 * (m * k * n / 2**26) * factor * slow * (1 + 0.005 * rng.standard_normal(10))
    med = float(np.median(t))
    flops = 2.0 * m * k * n
    return {"name": f"cpu/{act}/{variant}/f32", "device": "cpu", "activation": act, "variant": variant,
            "dtype": "f32", "kind": "ceiling" if act == "copy" else ("peer" if epilogue == "library" else "kernel"),
            "n": m * n, "threads": 2, "cache": None, "input": "normal", "alpha": 1.0,
            "params": {"alpha": 1.0} if act == "elu" else {}, "cols": None, "bytes": 4 * (m * k + k * n + n + m * n),
            "cache_resident": False,
            "time_s": {"median": med, "min": float(t.min()), "max": float(t.max()), "mean": float(t.mean()),
                       "stddev": float(t.std()), "samples": [float(x) for x in t]},
            "gbps": 4 * (m * k + k * n + n + m * n) / med / 1e9, "elements_per_s": m * n / med,
            "pct_of_ceiling": 100 / factor, "pct_of_peak": None,
            "accuracy": {"max_ulp": 3.0, "max_abs_error": 1e-6, "tolerance": f"layer bound (k={k})", "checked": m * n},
            "layer": {"m": m, "k": k, "n": n, "matmul": matmul, "epilogue": epilogue, "flops": flops,
                      "flops_per_s": flops / med, "overhead_vs_identity": factor - 1,
                      "cost_vs_relu": None, "bound_used": 0.1},
            "status": "ok", "reason": None}


def layer_run(slow=None, bound_used=0.1):
    """Two shapes with the same m * n (64 x 1024 x 4096 and 256 x 4096 x 1024)."""
    doc = make_run(v3=True, sizes=(2**16,))
    doc["schema_version"] = 4
    doc["results"], doc["ceilings"] = [], []
    for m, k, n in ((64, 1024, 4096), (256, 4096, 1024)):
        for spec in LAYER_ROWS:
            doc["results"].append(layer_row(*spec, m, k, n, slow=(slow or {}).get((spec[1], m), 1.0)))
    for r in doc["results"]:
        r["layer"]["bound_used"] = bound_used
    doc["config"]["layer_shapes"] = ["64x1024x4096", "256x4096x1024"]
    return doc


@pytest.mark.parametrize("normalize", ["none", "copy"])
def test_two_shapes_with_the_same_n_are_different_rows_and_a_slower_layer_fails(write, normalize):
    base = write(layer_run(), "base.json")
    assert run_script("validate_results.py", base).returncode == 0
    same = run_script("compare.py", base, write(layer_run(), "same.json"), "--normalize-by", normalize)
    assert same.returncode == 0, same.stdout + same.stderr
    slower = write(layer_run(slow={("layer_onednn_tiled", 256): 1.5}), "slow.json")
    r = run_script("compare.py", base, slower, "--normalize-by", normalize)
    assert r.returncode == 1, r.stdout + r.stderr
    lines = [x for x in r.stdout.splitlines() if "SLOWER" in x and "shape=" in x]
    assert lines and all("shape=256x4096x1024" in x for x in lines), r.stdout
    if normalize == "copy":  # a layer row is normalized by its own shape's identity layer
        row = next(x for x in r.stdout.splitlines() if x.startswith("cpu/relu/layer_onednn_postop/f32 shape=256x4096x1024"))
        assert float(row.split()[3]) == pytest.approx(1.02, abs=0.02), row


def test_a_layer_row_over_its_bound_or_checked_in_part_rows_is_invalid(write):
    r = run_script("validate_results.py", write(layer_run(bound_used=1.5), "bad.json"))
    assert r.returncode == 1 and "layer bound used 1.5" in r.stdout + r.stderr
    sampled = layer_run()
    for row in sampled["results"]:
        row["accuracy"]["checked"] = 64 * row["layer"]["n"]  # 64 of M's rows, as elubench samples them
    assert run_script("validate_results.py", write(sampled, "sampled.json")).returncode == 0
    sampled["results"][3]["accuracy"]["checked"] += 1  # not whole rows of y
    r = run_script("validate_results.py", write(sampled, "part.json"))
    assert r.returncode == 1 and "cpu/elu/layer_onednn_postop/f32 n=262144 threads=2: checked 262145" in r.stdout + r.stderr


def test_headline_and_table(write, tmp_path):
    doc = layer_run()
    lines = rix.layer_headlines(doc["results"])
    assert len(lines) == 1
    assert lines[0].startswith("cpu f32, 2 threads: inside a (4096, 1024) layer at 256 rows, ELU costs ")
    ratio = float(lines[0].split("ELU costs ")[1].split("x")[0])
    assert ratio == pytest.approx(1.08 / 1.02, rel=0.03)
    out = tmp_path / "charts"
    r = run_script("plot.py", write(doc, "run.json"), "-o", out)
    assert r.returncode == 0, r.stderr
    table = (out / "layers.md").read_text()
    assert "| 4096×1024 | 256 | elu alpha=1 | +8.0% | +10.0% | +30.0% |" in table, table
    assert (out / "layer_overhead_cpu_t2_f32_k1024_n4096.svg").exists()
    assert not list(out.glob("time_vs_size*")), "layer rows are not drawn as elementwise sizes"


def test_report_has_the_layer_sentence(write, tmp_path):
    page = tmp_path / "r.html"
    r = run_script("report.py", write(layer_run(), "run.json"), "-o", page)
    assert r.returncode == 0, r.stderr
    assert "inside a (4096, 1024) layer at 256 rows, ELU costs" in page.read_text()


def test_plot_layers_refuses_a_file_without_layer_rows(write, tmp_path):
    r = run_script("plot_layers.py", write(make_run(v3=True), "plain.json"), "-o", tmp_path / "o")
    assert r.returncode == 2 and "no layer rows" in r.stderr
