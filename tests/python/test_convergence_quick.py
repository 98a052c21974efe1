"""scripts/convergence.py --quick under the system interpreter with Debian's PyTorch (CI's check of
the plumbing and the schema, not of the claim): 2 models x ReLU and ELU x 2 seeds on 2,000
images, one epoch; the file it writes validates in the .venv, and plot_convergence.py draws from
it. Also: an existing output is refused, a truncated IDX file or an interrupted run leaves no
output behind. Skips, with the reason, where /usr/bin/python3 has no torch (python3-torch,
installed by scripts/install_deps.sh). ~25 s on a loaded 2-core VM (the --quick run ~15 s)."""

from __future__ import annotations

import gzip
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import SCRIPTS
from test_torch_rows import SYSTEM_PYTHON, _system_torch

import convergence_io as cio

FASHION = Path("/usr/share/datasets/fashion-mnist")
pytestmark = [
    pytest.mark.skipif(not _system_torch(), reason=f"{SYSTEM_PYTHON} cannot import torch and jsonschema "
                       "(Debian: python3-torch python3-jsonschema, installed by scripts/install_deps.sh)"),
    pytest.mark.skipif(not FASHION.is_dir(), reason=f"{FASHION} missing (Debian: dataset-fashion-mnist, "
                       "installed by scripts/install_deps.sh)"),
]


def convergence(*args, **kw):
    return subprocess.Popen([SYSTEM_PYTHON, str(SCRIPTS / "convergence.py"), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def finish(p, timeout=300):
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, err


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    d = tmp_path_factory.mktemp("quick")
    out, charts = d / "quick.json", d / "charts"
    rc, stdout, stderr = finish(convergence("--quick", "-o", out, "--charts", charts))
    assert rc == 0, stderr
    return out, charts, stdout, stderr


def test_quick_run_validates_and_covers_its_plan(quick):
    out, _, stdout, stderr = quick
    doc = cio.load(out)
    assert doc["complete"] and doc["protocol"]["quick"] and doc["protocol"]["seeds"] == [0, 1]
    assert {(r["model"], r["activation"], r["seed"]) for r in doc["runs"]} == \
        {(m, a, s) for m in ("mlp_8x128", "conv_2layer") for a in ("relu", "elu") for s in (0, 1)}
    assert doc["data"]["train_images"] == 2000 and doc["framework"]["deterministic"]
    assert doc["framework"]["blas"]["gflops"] > 0 and doc["device"]["threads"] == 1
    assert len(doc["step_timing"]["rows"]) == 4
    assert "ETA" in stderr and f"results: {out}" in stdout


SAME_START = """
import sys, torch
sys.path.insert(0, sys.argv[1])
import convergence as c
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)
he = [c.build_model(torch, m, a, p, "he_normal", 3).state_dict() for m in c.MODELS for a, p, _ in c.ACTIVATIONS[:6]]
same = all(torch.equal(x[k], he[0 if i < 6 else 6][k]) for i, x in enumerate(he) for k in x)
selu = c.build_model(torch, "mlp_8x128", "selu", {}, "lecun_normal", 3).state_dict()
lecun = all(torch.allclose(selu[k], he[0][k] / 2 ** 0.5) for k in selu)
other = not torch.equal(c.build_model(torch, "mlp_8x128", "relu", {}, "he_normal", 4).state_dict()["0.weight"],
                        he[0]["0.weight"])
x = torch.randn(640, 784); y = torch.randint(0, 10, (640,))
ctx = c.Context(torch, "cpu"); ctx.data = (x, y, x, y)
spec = {"optimizer": {"lr": 0.01, "momentum": 0.9}, "batch_size": 64, "epochs": 1, "eval_steps": [4, 10], "targets": [0.2]}
runs = [c.train_run(ctx, "conv_2layer", spec, ("elu", {"alpha": 1.0}, "he_normal"), 5, 0) for _ in range(2)]
learned = [[(k["test_accuracy"], k["train_loss"], k["test_loss"]) for k in r["checkpoints"]] for r in runs]  # not the times
print(same, lecun, other, learned[0] == learned[1], runs[0]["steps"])
"""


def test_same_seed_same_start_and_deterministic():
    """Seed s gives every activation the same starting weights (SELU's LeCun normal: the same draw
    scaled by 1/sqrt(2)) and another seed other weights; a run repeated in one process gives the
    same checkpoints to the last bit (deterministic algorithms)."""
    r = subprocess.run([SYSTEM_PYTHON, "-c", SAME_START, str(SCRIPTS)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["True", "True", "True", "True", "10"], r.stdout


def test_charts_and_summary(quick):
    _, charts, stdout, _ = quick
    names = {p.name for p in charts.iterdir()}
    for m in ("mlp_8x128", "conv_2layer"):
        assert {f"curves_{m}.png", f"curves_{m}.svg", f"to_target_{m}.png", f"to_target_{m}.svg"} <= names
    assert {"alpha_sweep.png", "summary.md"} <= names
    assert "plumbing check" in (charts / "summary.md").read_text()
    assert "mlp_8x128:" in stdout


def test_existing_output_is_refused(quick):
    out, *_ = quick
    before = out.read_bytes()
    rc, _, err = finish(convergence("--quick", "-o", out))
    assert rc == 2 and err.strip().count("\n") == 0 and "exists; pass --force" in err
    assert out.read_bytes() == before


def test_truncated_idx_file_one_line_exit_2(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FASHION, data)
    labels = data / "t10k-labels-idx1-ubyte.gz"
    labels.write_bytes(gzip.compress(gzip.decompress(labels.read_bytes())[:5000]))
    rc, _, err = finish(convergence("--quick", "--data", data, "-o", tmp_path / "out.json"))
    assert rc == 2 and err.strip().count("\n") == 0 and "truncated" in err, err
    assert not (tmp_path / "out.json").exists()


def test_interrupted_run_keeps_what_it_finished(tmp_path):
    """SIGINT after the first run: exit 130, and the file holds that run, complete: false, valid."""
    out = tmp_path / "out.json"
    p = convergence("--quick", "-o", out, "--no-charts")
    deadline, line = time.monotonic() + 240, ""
    while not line.startswith("[1/") and time.monotonic() < deadline and p.poll() is None:
        line = p.stderr.readline()
    p.send_signal(signal.SIGINT)
    rc, _, err = finish(p)
    assert rc == 130 and "finished runs kept in" in err, err
    doc = cio.load(out)
    assert not doc["complete"] and 1 <= len(doc["runs"]) < 8
