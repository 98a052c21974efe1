"""torch_rows.py against a real PyTorch: Debian's python3-torch (CPU; 1.13 on Debian 12).

The project's .venv does not see system packages (it may be built on another Python than the
distribution's, as on this machine), so torch_rows.py runs under the system interpreter
/usr/bin/python3, which has python3-torch and python3-jsonschema from scripts/install_deps.sh;
what it writes is then checked here, in the venv, against results/schema.json and fed to
plot.py, compare.py and report.py. Skips, with the reason, where that interpreter has no torch.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import SCRIPTS, make_run, run_script

SYSTEM_PYTHON = "/usr/bin/python3"


def _system_torch():
    """Whether the system interpreter has torch and jsonschema, without importing torch (which
    takes seconds); the version comes from the file torch_rows.py writes."""
    code = "import importlib.util as u, sys; sys.exit(not (u.find_spec('torch') and u.find_spec('jsonschema')))"
    try:
        return subprocess.run([SYSTEM_PYTHON, "-c", code], timeout=60).returncode == 0
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _system_torch(), reason=f"{SYSTEM_PYTHON} cannot import torch and jsonschema "
                                "(Debian: python3-torch python3-jsonschema, installed by scripts/install_deps.sh)")


def torch_rows(*args):
    return subprocess.run([SYSTEM_PYTHON, str(SCRIPTS / "torch_rows.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    d = tmp_path_factory.mktemp("torch")
    src = d / "run.json"
    src.write_text(json.dumps(make_run(sizes=(2**10, 2**14), dtypes=("f32", "f16", "bf16"), threads=(1, 2))))
    out = d / "merged.json"
    r = torch_rows(src, "-o", out, "--max-time", "0.05")
    assert r.returncode == 0, r.stderr
    return src, out


def test_rows_validate_and_cover_the_files_rows(merged):
    import results_load
    src, out = merged
    doc = results_load.load_results(out)  # raises on anything outside results/schema.json
    before = json.loads(src.read_text())
    assert doc["build"]["torch"]  # the torch version, as torch.__version__ says it
    torch = [r for r in doc["results"] if r["variant"].startswith("pytorch_")]
    assert doc["results"][:len(before["results"])] == before["results"]  # elubench's rows untouched
    want = {(r["activation"], r["dtype"], r["n"], r["threads"]) for r in before["results"] if r["kind"] != "ceiling"}
    for variant in ("pytorch_eager", "pytorch_compile"):
        got = {(r["activation"], r["dtype"], r["n"], r["threads"]) for r in torch if r["variant"] == variant}
        assert got == want
    assert all(r["kind"] == "peer" for r in torch)


def test_f32_eager_rows_are_checked_then_timed(merged):
    _, out = merged
    doc = json.loads(out.read_text())
    rows = [r for r in doc["results"] if r["variant"] == "pytorch_eager" and r["dtype"] == "f32"]
    assert rows and all(r["status"] == "ok" for r in rows)
    for r in rows:
        assert r["accuracy"]["checked"] == r["n"]
        assert len(r["time_s"]["samples"]) >= 10
        assert r["pct_of_ceiling"] is not None  # against the ceiling in the same file
        if r["activation"] == "relu":
            assert r["accuracy"]["max_ulp"] == 0


def test_what_torch_cannot_do_is_skipped_with_its_reason(merged):
    _, out = merged
    doc = json.loads(out.read_text())
    compiled = [r for r in doc["results"] if r["variant"] == "pytorch_compile"]
    torch_version = doc["build"]["torch"]
    if not torch_version.startswith(("0.", "1.")):
        pytest.skip(f"torch {torch_version} has torch.compile")
    assert all(r["status"] == "skipped" and "torch.compile needs PyTorch >= 2.0" in r["reason"] for r in compiled)


def test_a_wrong_result_gets_no_time():
    """An input distribution the reference disagrees with cannot be faked from outside, so the
    checker itself is tested: torch_rows.check under the system interpreter flags a 2-ULP f16
    error and a lost NaN, and passes a correct result."""
    code = r"""
import sys; sys.path.insert(0, sys.argv[1])
import torch, torch_rows as t
x = torch.tensor([-1.0, 0.5, float('nan')], dtype=torch.float16)
ref = torch.where(x.double() > 0, x.double(), torch.expm1(x.double()))
y = ref.to(torch.float16).clone()
assert t.check(torch, x, y, ref, t.tolerance('elu', 'f16'))[2] is None
y2 = y.clone(); y2[0:1] = (y[0:1].view(torch.int16) - 2).view(torch.float16)  # 2 ULP toward 0
print(t.check(torch, x, y2, ref, t.tolerance('elu', 'f16'))[2])
y3 = y.clone(); y3[2] = 0
print(t.check(torch, x, y3, ref, t.tolerance('elu', 'f16'))[0])
"""
    r = subprocess.run([SYSTEM_PYTHON, "-c", code, str(SCRIPTS)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    first, second = r.stdout.strip().splitlines()
    assert first.startswith("x=-1 gave")
    assert second == "inf"


def test_plot_report_and_compare_treat_them_as_peers(merged, tmp_path):
    _, out = merged
    assert run_script("plot.py", out, "-o", tmp_path / "charts").returncode == 0
    assert "pytorch_eager (peer)" in (tmp_path / "charts" / "summary.md").read_text()
    res = run_script("report.py", out, "-o", tmp_path / "r.html")
    assert res.returncode == 0, res.stderr
    text = (tmp_path / "r.html").read_text()
    assert '"var":"pytorch_eager"' in text and "torch " in text
    # A file against itself: nothing is slower; --max-blind 100 because whether each row's 10
    # samples could see 5% is not what this test is about (compare.py exits 2 for such rows).
    res = run_script("compare.py", out, out, "--max-blind", "100")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "pytorch_eager" in res.stdout


def test_bad_input_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    r = torch_rows(bad, "-o", tmp_path / "o.json")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o.json").exists()
    good = tmp_path / "good.json"
    good.write_text(json.dumps(make_run(sizes=(2**10,))))
    existing = tmp_path / "exists.json"
    existing.write_text("{}")
    r = torch_rows(good, "-o", existing)
    assert r.returncode == 2 and "exists" in r.stderr and existing.read_text() == "{}"
