"""report.py --convergence: the section that puts elubench's per-call cost beside the training
run's per-step cost and time to accuracy. Checked on a synthetic convergence file with a known
answer (convergence_fixtures) and a fixture elubench run of the same device: the numbers of the
side-by-side sentence, the words when ELU does not converge faster, every file string escaped
(also report.py's own placeholders), one line and exit 2 for a bad file, and in headless
Chromium: no console error under the page's CSP and every chart image decoded. ~15 s."""

from __future__ import annotations

import json
import re

import pytest

from conftest import make_run, run_script
from convergence_fixtures import ELU, RELU, SLOW, make_doc, with_edit

import report_convergence as rc

HOSTILE = '<script>alert(1)</script>"{{TITLE}}/*{{DATA}}*/'


def elubench_doc():
    return make_run(cpu_model="Fixture CPU", sizes=(2**12, 2**16, 2**20), threads=(1,))


def test_side_by_side_numbers():
    html = rc.section_html(make_doc(), [elubench_doc()], charts=False)
    # elubench: best ELU kernel 11 GB/s vs ReLU's 12.5 GB/s (conftest.CPU_ROWS); the model's
    # 8,192-element activation lies between the measured 2^12 and 2^16: both are given.
    got = re.findall(r"<strong>([0-9.]+)×</strong> ReLU at n = (2\^\d+) \(vectorized / vectorized\)", html)
    assert [n for _, n in got] == ["2^12", "2^16"], html[:3000]
    assert all(float(x) == pytest.approx(12.5 / 11.0, rel=0.03) for x, _ in got)
    assert "(elubench: best f32 kernels, 1 thread; this model's largest activation is 8,192 elements" in html
    assert "per training step, <strong>1.20×</strong>" in html
    assert "steps to each target × ReLU's: 50%: 0.50× [0.50, 0.50], p = 0.031; 70%: 0.50×" in html
    assert "to reach 70% test accuracy it needs <strong>0.50×</strong> the steps" in html
    assert "<strong>0.60×</strong> the time" in html and "give 0.60×" in html  # measured and derived agree
    assert "ELU converges faster here (fewer steps), and that pays for its cost" in html


def test_measured_size_is_used_alone():
    html = rc.section_html(make_doc(), [make_run(cpu_model="Fixture CPU", sizes=(2**12, 2**13, 2**16))], charts=False)
    assert re.findall(r"ReLU at n = (2\^\d+)", html) == ["2^13"]


def test_says_when_elu_does_not_converge_faster():
    html = rc.section_html(make_doc(curves={RELU: SLOW, ELU: SLOW}), [elubench_doc()], charts=False)
    assert "ELU does not converge faster here" in html


def test_other_device_is_not_used_for_the_per_call_cost():
    html = rc.section_html(make_doc(), [make_run(cpu_model="Another CPU")], charts=False)
    assert "no elubench results for Fixture CPU in this report" in html and "per call, ELU costs <strong>" not in html


def test_every_file_string_is_escaped():
    doc = with_edit(make_doc(), lambda d: (d["host"].update(note=HOSTILE), d.update(command_line=HOSTILE),
                                           d["device"].update(name=HOSTILE)))
    html = rc.section_html(doc, [elubench_doc()], charts=False)
    assert "<script>" not in html and "{{" not in html and "/*{{" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#123;&#123;TITLE&#125;&#125;" in html


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    d = tmp_path_factory.mktemp("report")
    run, conv, page = d / "run.json", d / "conv.json", d / "report.html"
    run.write_text(json.dumps(elubench_doc()))
    conv.write_text(json.dumps(with_edit(make_doc(), lambda c: c["host"].update(note=HOSTILE))))
    r = run_script("report.py", run, "--convergence", conv, "-o", page, "--title", "t")
    assert r.returncode == 0, r.stderr
    return page


def test_report_py_places_the_section_once(page):
    text = page.read_text()
    assert text.count('<section id="convergence"') == 1
    assert text.index('<section id="convergence"') < text.index('<section id="alpha-explorer"')
    assert "<script>alert(1)" not in text and "<title>t</title>" in text
    section = text[text.index('<section id="convergence"'):text.index('<section id="alpha-explorer"')]
    assert section.count("<img ") == 3 and section.count('src="data:image/png;base64,') == 3  # 2 per model + α sweep


def test_report_py_refuses_a_bad_convergence_file(tmp_path):
    run, conv = tmp_path / "run.json", tmp_path / "conv.json"
    run.write_text(json.dumps(elubench_doc()))
    conv.write_text(json.dumps(with_edit(make_doc(), lambda d: d["runs"].pop())))
    r = run_script("report.py", run, "--convergence", conv, "-o", tmp_path / "r.html")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "runs are missing" in r.stderr
    assert not (tmp_path / "r.html").exists()


def test_section_in_chromium(page):
    """No console error (the CSP allows images from data: only) and every chart decoded."""
    tb = pytest.importorskip("test_report_browser")
    chromium, driver_path = tb._binaries()
    if not chromium or not driver_path:
        pytest.skip("chromium and chromium-driver are not installed (scripts/install_deps.sh installs them)")
    driver = next(tb.browser.__wrapped__())
    try:
        driver.get(page.resolve().as_uri())
        severe = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
        assert not severe, severe
        widths = driver.execute_script(
            "return [...document.querySelectorAll('#convergence img')].map(i => i.complete ? i.naturalWidth : -1)")
        assert len(widths) == 3 and all(w > 500 for w in widths), widths
    finally:
        driver.quit()
