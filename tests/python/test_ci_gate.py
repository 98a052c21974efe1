"""scripts/ci_gate.sh's verdict from its two gates: a run where no gate could judge says so in
capitals and fails when kernels/ changed. The functions are sourced, nothing is built or run."""

import subprocess

import pytest

from conftest import ROOT

GATE = ROOT / "scripts" / "ci_gate.sh"


def final(time_result, work_result, touched):
    script = (f'source "{GATE}"; time_result={time_result} time_why="the baseline is for another machine" '
              f'work_result={work_result} work_why="commit 1c89578 did not build" touched={touched}; final_status')
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
    return r.returncode, r.stdout


@pytest.mark.parametrize("time_result,work_result,touched,rc", [
    ("pass", "pass", 1, 0), ("fail", "pass", 0, 1), ("pass", "fail", 0, 1), ("cannot", "fail", 1, 1),
    ("cannot", "pass", 1, 0), ("pass", "cannot", 1, 0),
    ("cannot", "cannot", 1, 2), ("cannot", "cannot", 0, 0),
])
def test_final_status(time_result, work_result, touched, rc):
    got, out = final(time_result, work_result, touched)
    assert got == rc, out
    blind = time_result == work_result == "cannot"
    assert ("NO REGRESSION GATE COULD JUDGE THIS RUN" in out) == blind
    if blind:
        assert "time gate: the baseline is for another machine" in out and "did not build" in out
    if time_result != work_result and "cannot" in (time_result, work_result) and rc == 0:
        assert "could not judge" in out


@pytest.mark.parametrize("paths,touched", [
    ("kernels/cpu", True), ("bench/count_work.cpp\nkernels/include", True),
    ("kernels/cpu/vectorized.cpp (uncommitted)", True), ("(the counts baseline names no source: every counted path)", True),
    ("bench/count_work.cpp", False), ("CMakeLists.txt\ncmake", False),
])
def test_kernels_touched(paths, touched):
    r = subprocess.run(["bash", "-c", f'source "{GATE}"; kernels_touched "$1"', "_", paths])
    assert (r.returncode == 0) == touched
