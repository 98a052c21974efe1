"""results_index: row identity with params, schema 3, the one pairing of every
activation with ReLU (forward and forward + backward, per variant and best kernel per dtype), and
the scripts that read through it: new and unknown activations never raise."""

from __future__ import annotations

import copy
import json
import re

import pytest

import results_index as rix
import results_load
import results_schema
import script_io
from conftest import H200, make_run, run_script

ACTS = [("gelu", 1.3), ("silu", 1.2), ("leaky_relu", 1.0), ("elu_backward", 1.6), ("relu_backward", 1.5),
        ("gelu_backward", 1.9), ("mish", 1.4)]  # mish: a name no script has heard of


def v3_run(**kw):
    return make_run(v3=True, acts=ACTS, **kw)


def test_params_of_old_and_new_rows():
    old = make_run()  # schema 1: no params
    elu = next(r for r in old["results"] if r["activation"] == "elu")
    relu = next(r for r in old["results"] if r["activation"] == "relu")
    assert rix.row_params(elu) == (("alpha", 1.0),) and rix.row_params(relu) == ()
    new = v3_run(alpha=0.5)
    leaky = next(r for r in new["results"] if r["activation"] == "leaky_relu")
    assert rix.row_params(leaky) == (("negative_slope", 0.01),)
    assert rix.row_params(next(r for r in new["results"] if r["activation"] == "elu")) == (("alpha", 0.5),)
    assert rix.RowId.of(elu) != rix.RowId.of(dict(elu, params={"alpha": 2.0}))
    assert rix.RowId.of(elu) == rix.RowId.of(dict(elu, params={"alpha": 1.0}))  # v2 row == v3 row at its alpha


def test_schema_3_validates_and_requires_params(write):
    assert results_schema.get_validator().shape_ok  # schema 3's keywords keep rows validated by shape (fast)
    doc = v3_run()
    assert results_load.load_results(write(doc, "v3.json"))["schema_version"] == 3
    assert results_load.load_results(write(make_run(), "v1.json"))  # older files stay valid without params
    bad = copy.deepcopy(doc)
    del bad["results"][3]["params"]
    with pytest.raises(script_io.InputError, match=r"results/3 has no \"params\""):
        results_load.load_results(write(bad, "noparams.json"))
    bad = copy.deepcopy(doc)
    bad["results"][0]["activation"] = "GELU"
    with pytest.raises(script_io.InputError, match="activation"):
        results_load.load_results(write(bad, "upper.json"))
    bad = copy.deepcopy(doc)
    bad["results"][0]["params"] = {"alpha": "one"}
    with pytest.raises(script_io.InputError, match="params"):
        results_load.load_results(write(bad, "strparam.json"))
    ok = copy.deepcopy(doc)
    ok["config"]["alpha"], ok["config"]["negative_slope"] = [0.5, 1.0, 2.0], 0.01
    assert results_load.load_results(write(ok, "list.json"))


def medians(doc):
    return {(r["activation"], r["variant"], r["n"]): r["time_s"]["median"] for r in doc["results"]}


def test_relu_costs_per_variant_forward_and_backward():
    doc = v3_run()
    t = medians(doc)
    costs = rix.relu_costs(doc["results"])
    acts = {c.activation for c in costs}
    assert acts == {"elu", "gelu", "silu", "leaky_relu", "mish"}  # forward only, ReLU and copy left out
    for c in costs:
        v, n = c.row["variant"], c.row["n"]
        assert c.relu["activation"] == "relu" and c.relu["variant"] == v and c.relu["n"] == n
        assert c.forward == pytest.approx(t[(c.activation, v, n)] / t[("relu", v, n)])
        bwd = (c.activation + "_backward", v, n)
        if bwd in t:
            want = (t[(c.activation, v, n)] + t[bwd]) / (t[("relu", v, n)] + t[("relu_backward", v, n)])
            assert c.fwd_bwd == pytest.approx(want)
        else:
            assert c.fwd_bwd is None and c.backward is None
    gelu = [c.forward for c in costs if c.activation == "gelu"]
    assert min(gelu) > 1.2 and max(gelu) < 1.4  # the fixture's 1.3, give or take its 1% noise
    assert any(c.fwd_bwd is not None for c in costs if c.activation == "elu")


def test_relu_costs_best_kernel_per_dtype_and_params():
    doc = v3_run(dtypes=("f32", "f16"))
    extra = []
    for r in doc["results"]:  # a second alpha: its own rows, its own cost, never mixed
        if r["activation"] == "elu":
            g = copy.deepcopy(r)
            g["params"] = {"alpha": 0.5}
            g["time_s"]["median"] *= 3
            extra.append(g)
    doc["results"] += extra
    costs = rix.relu_costs(doc["results"], best_kernel=True)
    keys = [(c.activation, c.row["dtype"], c.row["n"], c.params) for c in costs]
    assert len(keys) == len(set(keys))  # one per activation, dtype, size and params
    for c in costs:
        same = [r for r in doc["results"] if r["kind"] == "kernel" and r["dtype"] == c.row["dtype"]
                and r["n"] == c.row["n"]]
        best = min(r["time_s"]["median"] for r in same
                   if r["activation"] == c.activation and rix.row_params(r) == c.params)
        relu = min(r["time_s"]["median"] for r in same if r["activation"] == "relu")
        assert c.forward == pytest.approx(best / relu)
        assert c.row["kind"] == "kernel" and c.relu["kind"] == "kernel"  # peers are not "our best"
    elu = {c.params: c.forward for c in costs if c.activation == "elu" and c.row["n"] == 2**24 and c.row["dtype"] == "f32"}
    assert set(elu) == {(("alpha", 0.5),), (("alpha", 1.0),)}


def test_an_activation_without_relu_or_unknown_never_raises():
    doc = make_run(acts=[("mish", 1.4), ("mish_backward", 2.0)])
    doc["results"] = [r for r in doc["results"] if r["activation"] != "relu"]
    assert rix.relu_costs(doc["results"]) == []
    assert rix.activations_of(doc["results"]) == ["elu", "mish"]
    assert "mish" not in rix.relu_cost_markdown([doc])  # nothing to divide by: no line, no error


def test_the_versions_are_the_schemas(write, tmp_path):
    """The name and versions a results file may declare, and the version from which rows need
    params, are read from results/schema.json: a schema that adds a version makes files of that
    version load, with no script changed."""
    schema = json.loads(results_schema.SCHEMA_PATH.read_text(encoding="utf-8"))
    enum = schema["properties"]["schema_version"]["enum"]
    assert results_schema.identity() == (schema["properties"]["schema"]["const"], tuple(enum))
    newer = max(enum) + 1
    doc = v3_run()
    doc["schema_version"] = newer
    doc["config"]["params"] = {"alpha": [1.0], "negative_slope": [0.01]}  # required from schema 5
    path = write(doc, "newer.json")
    with pytest.raises(script_io.InputError, match=f"schema_version {newer} is not supported "
                       rf"\(this script reads versions {', '.join(map(str, enum))}\)"):
        results_load.load_results(path)
    schema["properties"]["schema_version"]["enum"] = enum + [newer]
    newer_schema = tmp_path / "schema-newer.json"
    newer_schema.write_text(json.dumps(schema))
    assert results_load.load_results(path, newer_schema)["schema_version"] == newer
    del doc["results"][2]["params"]
    since = schema["if"]["properties"]["schema_version"]["minimum"]
    assert results_schema.params_required_from(newer_schema) == since
    with pytest.raises(script_io.InputError, match=rf"results/2 has no \"params\" \(required from schema_version {since}\)"):
        results_load.load_results(write(doc, "newer-noparams.json"), newer_schema)


def test_compare_keys_rows_by_params(write):
    """Two ELU rows differing only in alpha are two rows; a v2 baseline still matches a v3
    candidate's ELU rows with params {"alpha": the row's alpha}."""
    base = make_run(seed=1)
    base["schema_version"] = 2
    cand = make_run(seed=2, v3=True)
    r = run_script("compare.py", write(base, "v2.json"), write(cand, "v3.json"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 only in baseline, 0 only in candidate" in r.stdout
    assert "alpha=" not in r.stdout  # one alpha per row: no need to name it

    two = make_run(seed=3, v3=True)
    halves = []
    for row in two["results"]:
        if row["activation"] == "elu":
            g = copy.deepcopy(row)
            g["params"] = {"alpha": 0.5}
            halves.append(g)
    two["results"] += halves
    r = run_script("compare.py", write(two, "a.json"), write(copy.deepcopy(two), "b.json"))
    assert r.returncode == 0, r.stdout + r.stderr
    lines = [l for l in r.stdout.splitlines() if l.startswith("cpu/elu/vectorized/f32 n=2^24")]
    assert len(lines) == 2 and any("alpha=0.5" in l for l in lines) and any("alpha=1 " in l for l in lines)
    r = run_script("compare.py", write(base, "v2.json"), write(two, "b.json"))
    assert f"{len(halves)} only in candidate" in r.stdout  # alpha 0.5 has no v2 partner


def test_plot_draws_new_unknown_and_backward_activations(write, tmp_path):
    doc = v3_run(dtypes=("f32", "bf16"), gpu=H200)
    out = tmp_path / "charts"
    r = run_script("plot.py", write(doc, "a.json"), "-o", out)
    assert r.returncode == 0, r.stderr
    for group in ("cpu_t1", "gpu"):
        for dt in ("f32", "bf16"):
            svg = (out / f"relu_cost_{group}_{dt}.svg").read_text()
            texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
            for name in ("gelu", "silu", "leaky_relu (negative_slope=0.01)", "mish", "elu (alpha=1)"):
                assert name in texts, (group, dt, name)
            assert "forward + backward" in texts
    legend = re.findall(r"<text[^>]*>([^<]*)</text>", (out / "time_vs_size_cpu_t1.svg").read_text())
    assert "mish" in legend and "gelu_backward" in legend
    md = (out / "summary.md").read_text()
    assert "| gelu | f32 | 2^24 |" in md and "× ReLU fwd+bwd" in md


def test_readme_states_cost_relative_to_relu_per_device(write, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("<!-- results:begin -->\n<!-- results:end -->\n")
    doc = v3_run(gpu=H200)
    charts = tmp_path / "charts"
    charts.mkdir()
    for stem in ("relu_cost_cpu_t1_bf16", "relu_cost_cpu_t1_f32", "relu_cost_gpu_bf16"):
        (charts / f"{stem}.png").write_bytes(b"")
    r = run_script("update_readme.py", write(doc, "run.json"), "--readme", readme, "--charts", charts)
    assert r.returncode == 0, r.stderr
    text = readme.read_text()
    # one chart per device and thread count: f32 where there is one
    assert re.findall(r"\(charts/(relu_cost_\w+)\.png\)", text) == ["relu_cost_cpu_t1_f32", "relu_cost_gpu_bf16"]
    assert "Cost relative to ReLU at the largest size, per device" in text
    for device in ("(cpu, 1 thread)", "(gpu)"):
        block = text.split(device, 1)[1].split("\n\n", 2)[1]
        assert block.startswith("| activation | dtype | n | × ReLU forward | × ReLU fwd+bwd |"), block
        line = next(l for l in block.splitlines() if l.startswith("| elu (alpha=1) | f32 | 2^24 |"))
        fwd, both = (float(x) for x in line.split("|")[4:6])
        assert fwd > 0 and both > 0
