"""Schema version 2's GPU timing fields: files of version 1 and 2 both load; a throttled GPU row
is marked in the summary table and ringed in the charts, with a footnote; validate_results.py
checks that sample_count matches the samples."""

import json

from conftest import H200, make_run, run_cli, run_script

SIZES = (2**12, 2**18)


def gpu_timing(samples, throttled):
    return {"stop_reason": "stdrel", "sample_count": samples, "batch": 1, "relative_standard_error": 0.004,
            "clocks": {"sm_mhz": {"min": 1700 if throttled else 1980, "max": 1980},
                       "mem_mhz": {"min": 3201, "max": 3201}, "temperature_max_c": 60, "power_max_w": 650.0,
                       "throttle_reasons": ["sw_power_cap"] if throttled else [], "readings": 5},
            "clocks_reason": None, "throttled": throttled,
            "throttle": ["sm_clock_moved", "sw_power_cap"] if throttled else []}


def v2_run():
    doc = make_run(seed=3, sizes=SIZES, dtypes=("f32",), gpu=H200, threads=(1,))
    doc["schema_version"] = 2
    doc["config"]["gpu_timing"] = {
        "stop_rule": {"stdrel": 0.005, "min_samples": 10, "max_samples": 10000, "max_time_s": 0.5},
        "hot_min_sample_s": 5e-4, "hot_max_batch": 128, "blocking_kernel": True,
        "flush": {"method": "write then read a buffer of 2x L2", "bytes": 2 * H200["l2_bytes"]},
        "warmup": {"n": 2**26, "variants": ["gpu/elu/cub/f32"], "note": None}, "nvml": "available"}
    marked = 0
    for r in doc["results"]:
        if r["device"] == "gpu" and r["status"] == "ok":
            hit = r["variant"] == "vectorized" and r["activation"] == "elu" and r["n"] == max(SIZES)
            marked += hit
            r["gpu_timing"] = gpu_timing(len(r["time_s"]["samples"]), hit)
        else:
            r["gpu_timing"] = None
    assert marked == 1
    return doc


def test_v1_and_v2_files_plot_and_v2_marks_throttled_rows(tmp_path):
    v1 = make_run(seed=4, sizes=SIZES, dtypes=("f32",), gpu=H200, threads=(1,))
    p1, p2 = tmp_path / "v1.json", tmp_path / "v2.json"
    p1.write_text(json.dumps(v1))
    p2.write_text(json.dumps(v2_run()))
    for p in (p1, p2):
        r = run_script("plot.py", p, "-o", tmp_path / p.stem)
        assert r.returncode == 0, r.stderr
    summary = (tmp_path / "v2" / "summary.md").read_text().split("## Every row", 1)[1]
    gpu_table = summary.split("(gpu)", 1)[1]
    line = next(l for l in gpu_table.splitlines() if l.startswith("| elu/vectorized | f32 |"))
    assert "throttled (sm_clock_moved, sw_power_cap)" in line
    assert "throttled" not in (tmp_path / "v1" / "summary.md").read_text()
    svg = (tmp_path / "v2" / "gbps_vs_size_gpu.svg").read_text()
    assert "Hollow ring = throttled: 1 row" in svg
    assert "Hollow ring" not in (tmp_path / "v1" / "gbps_vs_size_gpu.svg").read_text()


def test_validate_results_checks_sample_count(tmp_path):
    doc = v2_run()
    p = tmp_path / "ok.json"
    p.write_text(json.dumps(doc))
    assert run_cli("validate_results.py", p).returncode == 0
    row = next(r for r in doc["results"] if r["gpu_timing"])
    row["gpu_timing"]["sample_count"] += 1
    p.write_text(json.dumps(doc))
    r = run_cli("validate_results.py", p)
    assert r.returncode == 1 and "sample_count" in r.stderr
    row["gpu_timing"]["stop_reason"] = "tired"
    p.write_text(json.dumps(doc))
    # Not the schema's shape: unusable input for every script (results_load), one line, exit 2.
    r = run_cli("validate_results.py", p)
    assert r.returncode == 2 and "stop_reason" in r.stderr
