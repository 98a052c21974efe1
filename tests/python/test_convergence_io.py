"""The convergence results schema and its one loader (convergence_io): a valid file loads, and
each thing a file must never be is refused with one line naming it (also through
plot_convergence.py: exit 2, nothing written). ~3 s."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import SCRIPTS
from convergence_fixtures import make_doc, with_edit

import convergence_io as cio
import script_io

GOOD = make_doc()
NEWER = cio.identity()[1] + 1  # a version the schema does not state


def first_run(d):
    return d["runs"][0]


# name -> (edit of a valid document, words the one line must contain)
BAD = {
    "not ours": (lambda d: d.update(schema="elubench-results"), "not a convergence results file"),
    "other version": (lambda d: d.update(schema_version=NEWER), f"schema_version {NEWER} is not supported"),
    "missing host": (lambda d: d.pop("host"), "'host' is a required property"),
    "extra field": (lambda d: d.update(surprise=1), "surprise"),
    "accuracy above 1": (lambda d: first_run(d)["checkpoints"][1].update(test_accuracy=1.5), "runs/0/checkpoints/1"),
    "negative time": (lambda d: first_run(d)["checkpoints"][1].update(train_seconds=-1.0), "runs/0/checkpoints/1"),
    "name with markup": (lambda d: first_run(d).update(activation="<b>elu</b>"), "runs/0/activation"),
    "load of two numbers": (lambda d: d["host"].update(loadavg_start=[1.0, 2.0]), "host/loadavg_start"),
    "unknown model": (lambda d: first_run(d).update(model="resnet"), "model not among"),
    "unknown activation": (lambda d: first_run(d).update(params={"alpha": 3.0}, alpha=3.0), "activation not among"),
    "alpha not params.alpha": (lambda d: first_run(d).update(alpha=0.5), "is not params.alpha"),
    "unknown seed": (lambda d: first_run(d).update(seed=99), "seed not among"),
    "run twice": (lambda d: d["runs"].append(json.loads(json.dumps(d["runs"][0]))), "a second run"),
    "checkpoints out of order": (lambda d: first_run(d)["checkpoints"].reverse(), "start at step 0"),
    "time going back": (lambda d: first_run(d)["checkpoints"][2].update(train_seconds=0.001), "seconds go down"),
    "checkpoint off the eval steps": (lambda d: [c.update(step=c["step"] + 1) for c in first_run(d)["checkpoints"][1:]]
                                      + [first_run(d).update(steps=81)], "eval_steps"),
    "target not where reached": (lambda d: first_run(d)["targets"][0].update(steps=10), "target 0.5"),
    "targets not the model's": (lambda d: first_run(d)["targets"].pop(), "targets are not"),
    "complete but missing runs": (lambda d: d["runs"].pop(), "runs are missing"),
    "step timing short a round": (lambda d: d["step_timing"]["rows"][0]["per_step_seconds"].pop(), "for 7 rounds"),
    "step timing missing a pair": (lambda d: d["step_timing"]["rows"].pop(), "step_timing has 1 of the 2"),
    "complete without step timing": (lambda d: d.update(step_timing=None), "step_timing is null"),
    "last eval not the end": (lambda d: d["models"][0].update(steps_per_epoch=100), "end of training"),
}


def test_valid_document_loads(tmp_path):
    p = tmp_path / "c.json"
    cio.write(GOOD, p)
    assert cio.load(p) == GOOD


def test_partial_document_loads():
    """What an interrupted run leaves: complete false, fewer runs, is a valid file."""
    cio.validate(with_edit(GOOD, lambda d: (d.update(complete=False), d["runs"].pop())), "partial")


@pytest.mark.parametrize("case", sorted(BAD))
def test_refused_with_one_line(case):
    edit, words = BAD[case]
    with pytest.raises(script_io.InputError) as e:
        cio.validate(with_edit(GOOD, edit), "c.json")
    msg = str(e.value)
    assert msg.startswith("c.json: ") and "\n" not in msg
    assert words in msg, msg


def test_write_refuses_an_invalid_document_and_keeps_the_old_file(tmp_path):
    p = tmp_path / "c.json"
    cio.write(GOOD, p)
    before = p.read_bytes()
    with pytest.raises(script_io.InputError):
        cio.write(with_edit(GOOD, lambda d: d["runs"].pop()), p)
    assert p.read_bytes() == before and [q.name for q in tmp_path.iterdir()] == ["c.json"]


@pytest.mark.parametrize("text", ["{", json.dumps(GOOD).replace('"cores": 2', '"cores": 1e999')],
                         ids=["malformed", "number overflowing"])
def test_plot_convergence_exit_2_one_line_nothing_written(tmp_path, text):
    src, out = tmp_path / "c.json", tmp_path / "charts"
    src.write_text(text)
    r = subprocess.run([sys.executable, str(SCRIPTS / "plot_convergence.py"), str(src), "-o", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, r.stderr
    assert not out.exists()


def test_readme_block_between_markers(tmp_path):
    """plot_convergence.py --readme rewrites only what is between its markers, escaped; a README
    without them is one line and exit 2, left as it was."""
    import plot_convergence as pc
    src = tmp_path / "c.json"
    cio.write(with_edit(GOOD, lambda d: d["device"].update(name="CPU *with* <b>markup</b>")), src)
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\n{pc.README_BEGIN}\nold\n{pc.README_END}\n\nrest\n")
    assert pc.main([str(src), "-o", str(tmp_path / "charts"), "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert text.startswith("# title\n\n<!-- convergence:begin -->\n") and text.endswith("<!-- convergence:end -->\n\nrest\n")
    assert "old" not in text and "- mlp: to reach 70% test accuracy" in text
    assert r"CPU \*with\* \<b\>markup\</b\>" in text and "<b>" not in text
    readme.write_text("no markers\n")
    r = subprocess.run([sys.executable, str(SCRIPTS / "plot_convergence.py"), str(src), "-o", str(tmp_path / "c2"),
                        "--readme", str(readme)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "needs one '<!-- convergence:begin -->'" in r.stderr and readme.read_text() == "no markers\n"
