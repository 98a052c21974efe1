"""report.py without a browser: what goes into the page, and what bad input gets."""

from __future__ import annotations

import copy
import json
import re

from conftest import H200, make_run, run_cli, run_script, skipped_row


def page_data(path):
    """The DATA object report.py embedded in the page."""
    text = path.read_text()
    m = re.search(r"const DATA = (\{.*?\});\n", text, re.S)
    assert m, "no DATA in the page"
    return json.loads(m.group(1).replace("<\\/", "</"))


def test_self_contained_and_offline(write, tmp_path):
    out = tmp_path / "r.html"
    res = run_script("report.py", write(make_run(), "a.json"), "-o", out)
    assert res.returncode == 0, res.stderr
    text = out.read_text()
    # Nothing the page could fetch: no URL in a src/href, and a CSP that forbids every request.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "default-src 'none'" in text
    assert "{{" not in text and "/*{{" not in text


def test_headline_ratio_is_best_kernel_over_best_relu(write, tmp_path):
    out = tmp_path / "r.html"
    assert run_script("report.py", write(make_run(), "a.json"), "-o", out).returncode == 0
    data = page_data(out)
    (panel,) = data["panels"]
    (h,) = [h for h in panel["headline"] if h["act"] == "elu" and h["dt"] == "f32"]
    doc = make_run()
    for p in h["pts"]:
        rows = [r for r in doc["results"] if r["n"] == p["n"] and r["kind"] == "kernel"]
        best = min((r for r in rows if r["activation"] == "elu"), key=lambda r: r["time_s"]["median"])
        relu = min((r for r in rows if r["activation"] == "relu"), key=lambda r: r["time_s"]["median"])
        assert p["var"] == best["variant"]
        assert abs(p["ratio"] - best["time_s"]["median"] / relu["time_s"]["median"]) < 1e-4 * p["ratio"]
    assert h["boundary"] == [2**20, 2**24]  # fixture cache 8 MiB: 2^20 f32 in + out fits exactly


def test_new_activation_and_several_devices_appear_without_code_changes(write, tmp_path):
    """Names come from the files: an activation the report has never heard of gets a headline,
    and two machines get the side-by-side comparison."""
    a = make_run(gpu=H200)
    for r in [r for r in a["results"] if r["activation"] == "elu"]:
        g = copy.deepcopy(r)
        g.update(activation="mish", name=r["name"].replace("/elu/", "/mish/"))
        a["results"].append(g)
    b = make_run(seed=1, cpu_model="Other CPU (fixture)", scale=1.3)
    out = tmp_path / "r.html"
    # Validated like any file: the schema checks an activation's spelling, not a list of names.
    res = run_script("report.py", write(a, "a.json"), write(b, "b.json"), "-o", out)
    assert res.returncode == 0, res.stderr
    data = page_data(out)
    labels = [p["label"] for p in data["panels"]]
    assert any("NVIDIA H200" in x for x in labels) and any("Other CPU" in x for x in labels)
    assert {h["act"] for p in data["panels"] for h in p["headline"]} == {"elu", "mish"}


def test_skipped_rows_keep_their_reason(write, tmp_path):
    doc = make_run(gpu_skipped=True)
    out = tmp_path / "r.html"
    assert run_script("report.py", write(doc, "a.json"), "-o", out).returncode == 0
    data = page_data(out)
    gpu = [p for p in data["panels"] if p["device"] == "gpu"]
    assert gpu and gpu[0]["only_skipped"]
    assert all(r["reason"].startswith("no CUDA device") for r in data["rows"] if r["st"] != "ok")


def test_throttle_mark_and_failed_row_reach_the_table(write, tmp_path):
    doc = make_run(gpu=H200, extra_rows=[skipped_row("gpu", "elu", "naive", "kernel", "f32", 2**20,
                                                     "max ULP 9 > 2 ULP", status="failed")])
    doc["results"][-2]["throttled"] = True  # a field the GPU side may add; the schema allows it
    out = tmp_path / "r.html"
    assert run_script("report.py", write(doc, "a.json"), "-o", out).returncode == 0
    rows = page_data(out)["rows"]
    assert sum(1 for r in rows if r["thr"]) == 1
    assert [r["reason"] for r in rows if r["st"] == "failed"] == ["max ULP 9 > 2 ULP"]


def test_alpha_costs_per_measured_alpha(write, tmp_path):
    doc = make_run()
    extra = []
    for r in doc["results"]:
        if r["activation"] == "elu":
            g = copy.deepcopy(r)
            g["alpha"] = 0.5
            g["time_s"] = {k: (v * 2 if k != "samples" else [s * 2 for s in v]) for k, v in r["time_s"].items()}
            extra.append(g)
    doc["results"] += extra
    out = tmp_path / "r.html"
    assert run_script("report.py", write(doc, "a.json"), "-o", out).returncode == 0
    (panel,) = page_data(out)["panels"]
    costs = {c["alpha"]: c["ratio"] for c in panel["alpha_costs"]["f32"]}
    assert set(costs) == {0.5, 1.0} and abs(costs[0.5] / costs[1.0] - 2) < 1e-3
    # The headline stays at the run's α (1), not the slower α = 0.5 rows.
    (h,) = [h for h in panel["headline"] if h["dt"] == "f32"]
    assert abs(h["pts"][-1]["ratio"] - costs[1.0]) < 1e-3 * costs[1.0]


def test_bad_input_one_line_exit_2_and_no_file(write, tmp_path):
    out = tmp_path / "r.html"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    res = run_cli("report.py", write(make_run(), "a.json"), bad, "-o", out)
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1 and "malformed JSON" in res.stderr
    assert not out.exists() and list(tmp_path.glob(".r.html.*")) == []


def test_existing_report_is_replaced_whole(write, tmp_path):
    out = tmp_path / "r.html"
    out.write_text("old")
    assert run_script("report.py", write(make_run(), "a.json"), "-o", out).returncode == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert list(tmp_path.glob(".r.html.*")) == []
