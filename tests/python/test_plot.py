"""plot.py and update_readme.py on fixture runs: every chart in both formats, the summary, and
no skipped or failed row drawn."""

import re

import pytest

from conftest import H200, make_run, run_cli, run_script, skipped_row

CHARTS = ("time_vs_size", "gbps_vs_size", "largest_size", "accuracy_vs_speed")
COST = {"cpu_t1": ("relu_cost_cpu_t1_f32", "relu_cost_cpu_t1_f16"), "gpu": ("relu_cost_gpu_f32",)}
SIZES = (2**12, 2**18, 2**24)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """One CPU run (with failed 'fast' rows and GPU rows skipped for want of a GPU) and one GPU
    run of another machine, drawn together once for the tests below."""
    tmp = tmp_path_factory.mktemp("plot")
    failed = [skipped_row("cpu", "elu", "fast", "kernel", "f32", n, "accuracy check: max 9 ULP > 4", "failed")
              for n in SIZES]
    a = make_run(seed=1, sizes=SIZES, dtypes=("f32", "f16"), gpu_skipped=True, extra_rows=failed)
    b = make_run(seed=2, sizes=SIZES, gpu=H200, cpu_model="Other CPU")
    import json
    pa, pb = tmp / "a.json", tmp / "b.json"
    pa.write_text(json.dumps(a))
    pb.write_text(json.dumps(b))
    out = tmp / "charts"
    r = run_script("plot.py", pa, pb, "-o", out)
    assert r.returncode == 0, r.stderr
    return out, r


def svg_texts(path):
    return re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text())


def test_every_chart_in_png_and_svg(drawn):
    out, _ = drawn
    for group in ("cpu_t1", "gpu"):
        for stem in [f"{chart}_{group}" for chart in CHARTS] + list(COST[group]):
            for ext in ("png", "svg"):
                p = out / f"{stem}.{ext}"
                assert p.exists() and p.stat().st_size > 5000, p
                if ext == "png":
                    assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_titles_name_the_devices_and_axes_have_units(drawn):
    out, _ = drawn
    texts = " ".join(svg_texts(out / "gbps_vs_size_cpu_t1.svg"))
    assert "AMD EPYC 7B13 (fixture) vs Other CPU" in texts
    assert "GB/s" in texts and "n (elements)" in texts and "copy ceiling (same run)" in texts
    assert "cache-resident" in texts
    gpu = " ".join(svg_texts(out / "gbps_vs_size_gpu.svg"))
    assert "NVIDIA H200" in gpu and "L2 50 MiB" in gpu
    ratio = " ".join(svg_texts(out / "relu_cost_cpu_t1_f16.svg"))
    assert "time / ReLU time" in ratio and "(f16)" in ratio and "elu (alpha=1)" in ratio
    assert "forward + backward" not in ratio  # no backward rows in these runs
    assert "median time per call (s)" in " ".join(svg_texts(out / "time_vs_size_cpu_t1.svg"))


def test_failed_and_skipped_rows_are_not_drawn_but_counted(drawn):
    out, _ = drawn
    for chart in CHARTS + ("relu_cost",):
        texts = svg_texts(out / (f"{chart}_cpu_t1.svg" if chart != "relu_cost" else "relu_cost_cpu_t1_f32.svg"))
        # Legend entries and point labels are whole text elements: 'fast' must not be one.
        assert not any(t.strip() in ("fast", "elu/fast") for t in texts), chart
        note = next(t for t in texts if t.startswith("Not plotted"))
        assert "3 failed (accuracy check: max 9 ULP &gt; 4 ×3)" in note
        if chart == "relu_cost":
            continue
        gpu_note = next(t for t in svg_texts(out / f"{chart}_gpu.svg") if t.startswith("Not plotted"))
        assert "30 skipped (no CUDA device" in gpu_note  # 5 GPU rows x 3 sizes x 2 dtypes


def test_variant_names_come_from_the_file(drawn):
    out, _ = drawn
    texts = svg_texts(out / "largest_size_gpu.svg")
    assert "cub" in texts and "vectorized" in texts and "naive" not in texts


def test_summary_table(drawn):
    out, _ = drawn
    md = (out / "summary.md").read_text()
    assert "| variant | dtype | n | GB/s | % ceiling | × ReLU | max ULP | status |" in md
    assert "| elu/fast | f32 | 2^24 | — | — | — | — | failed: accuracy check: max 9 ULP &gt; 4 |" in md  # escaped
    row = next(l for l in md.splitlines() if l.startswith("| elu/naive | f32 | 2^24"))
    ratio = float(row.split("|")[6])
    assert 15 < ratio < 25  # fixture: naive ELU at 0.6 GB/s against ReLU at 12 GB/s
    assert "skipped: no CUDA device" in md and "NVIDIA H200" in md


def test_bad_input_exit_2(tmp_path, write):
    r = run_cli("plot.py", tmp_path / "nope.json", "-o", tmp_path / "o")
    assert r.returncode == 2 and "cannot read" in r.stderr and "Traceback" not in r.stderr
    doc = make_run(seed=1, sizes=(1024,))
    doc["schema_version"] = 7
    r = run_script("plot.py", write(doc, "v7.json"), "-o", tmp_path / "o")
    assert r.returncode == 2 and "schema_version 7 is not supported" in r.stderr
    assert not (tmp_path / "o").exists()


README = "# T\n\nintro\n\n<!-- results:begin -->\nold table\n<!-- results:end -->\n\n## After\n\ntext\n"


def test_update_readme_replaces_only_between_markers(tmp_path, write):
    readme = tmp_path / "README.md"
    readme.write_text(README)
    res = write(make_run(seed=1, sizes=(1024, 2**20)), "run.json")
    charts = tmp_path / "charts"
    charts.mkdir()
    (charts / "relu_cost_cpu_t1_f32.png").write_bytes(b"")
    r = run_script("update_readme.py", res, "--readme", readme, "--charts", charts)
    assert r.returncode == 0, r.stderr
    new = readme.read_text()
    assert new.startswith("# T\n\nintro\n\n<!-- results:begin -->\n")
    assert new.endswith("\n<!-- results:end -->\n\n## After\n\ntext\n")
    assert "old table" not in new
    assert "AMD EPYC 7B13 (fixture)" in new and "](charts/relu_cost_cpu_t1_f32.png)" in new
    assert "| elu/vectorized | f32 | 2^20 |" in new
    # Idempotent: a second run gives the same file.
    assert run_script("update_readme.py", res, "--readme", readme, "--charts", charts).returncode == 0
    assert readme.read_text() == new


def test_update_readme_without_markers_exit_2(tmp_path, write):
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n")
    r = run_script("update_readme.py", write(make_run(seed=1, sizes=(1024,)), "r.json"), "--readme", readme)
    assert r.returncode == 2 and "needs exactly one" in r.stderr
    assert readme.read_text() == "# no markers\n"


def test_copy_ceiling_named_like_a_kernel_is_drawn_as_the_ceiling(tmp_path, write):
    """elubench names its Highway copy "vectorized", like the vectorized kernels: the series of
    each must be told apart by kind, not by variant name (CI's gate run crashed on this)."""
    doc = make_run(sizes=SIZES, cpu_copies=[("vectorized", 13.0)])
    # Ceilings first, as elubench writes them: a lookup by name then finds the kernel last.
    doc["results"].sort(key=lambda r: r["kind"] != "ceiling")
    out = tmp_path / "charts"
    r = run_script("plot.py", write(doc, "a.json"), "-o", out)
    assert r.returncode == 0, r.stderr
    legend = svg_texts(out / "time_vs_size_cpu_t1.svg")
    assert "vectorized" in legend and "copy ceiling" in legend
