"""The GPU workflow keeps its evidence: .github/workflows/gpu.yml uploads the results and charts
whatever the run's status (a failed row, run.sh's exit 1, is when they are needed most), and fails
the job afterwards. Read as text, step by step (no YAML parser in the pinned requirements)."""

import re
from pathlib import Path

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "gpu.yml"


def steps():
    """{step name: its text} in order, from the `- name:` lines of the job's steps."""
    text = WORKFLOW.read_text()
    parts = re.split(r"^      - name: ", text, flags=re.M)[1:]
    return {p.splitlines()[0].strip(): p for p in parts}


def test_upload_runs_whatever_the_run_returned_then_the_job_fails():
    s = steps()
    names = list(s)
    run = next(n for n in names if "scripts/run.sh" in s[n])
    upload = next(n for n in names if "upload-artifact" in s[n])
    assert names.index(run) < names.index(upload)
    # The run step records its status instead of failing (a failing step skips the later ones).
    assert re.search(r"run\.sh[^\n]*\|\| rc=\$\?", s[run]), s[run]
    assert 'echo "rc=$rc" >> "$GITHUB_OUTPUT"' in s[run]
    assert re.search(r"^\s+if: always\(\)", s[upload], flags=re.M), s[upload]
    fail = [n for n in names[names.index(upload) + 1:] if "steps.run.outputs.rc != '0'" in s[n]]
    assert fail and "exit 1" in s[fail[-1]], "no step after the upload fails the job on the run's status"
    # Every step between the run and the upload that the upload needs runs after a failure too.
    for n in names[names.index(run) + 1:names.index(upload)]:
        assert "if: always()" in s[n], n
