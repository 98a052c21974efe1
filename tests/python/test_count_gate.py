"""count_gate.py: the compare verdicts and exit codes, and the callgrind dump parser.

The counts here are hand-made test inputs (a 30% change is the planted slowdown the gate must
catch); the dump fixture copies the layout callgrind 3.19 writes for a CALLGRIND_DUMP_STATS_AT.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "count_gate.py"
sys.path.insert(0, str(ROOT / "scripts"))

import count_gate  # noqa: E402

BASE_COUNTS = {
    "cpu/elu/naive/f32": 3_000_000,
    "cpu/elu/vectorized/f32": 400_000,
    "cpu/relu/vectorized/f32": 60_000,
}


HOST = {"cpu_model": "test", "cpu_flags": "0123456789abcdef", "valgrind": "valgrind-3.19.0"}


def counts_doc(counts=None, simd="AVX2", n=65536, host=None, source=None, more_targets=None):
    """A version 3 file: counts for `simd`, and for each target of more_targets its own."""
    return {
        "schema": count_gate.SCHEMA,
        "schema_version": count_gate.SCHEMA_VERSION,
        "host": dict(host or HOST),
        "n": n,
        "source": source,
        "targets": {simd: dict(BASE_COUNTS if counts is None else counts), **(more_targets or {})},
        "not_counted": {},
    }


def write(tmp_path, name, doc):
    p = tmp_path / name
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return p


def run_compare(*args):
    r = subprocess.run([sys.executable, str(SCRIPT), "compare", *map(str, args)],
                       capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def test_identical_counts_pass(tmp_path):
    a = write(tmp_path, "a.json", counts_doc())
    b = write(tmp_path, "b.json", counts_doc())
    rc, out, _ = run_compare(a, b)
    assert rc == 0
    assert out.count("SAME") == len(BASE_COUNTS)
    assert "MORE_WORK" not in out


def test_planted_30_percent_more_work_fails_naming_the_variant(tmp_path):
    cand = dict(BASE_COUNTS)
    cand["cpu/elu/vectorized/f32"] = int(cand["cpu/elu/vectorized/f32"] * 1.3)
    a = write(tmp_path, "a.json", counts_doc())
    b = write(tmp_path, "b.json", counts_doc(cand))
    rc, out, _ = run_compare(a, b)
    assert rc == 1
    line = next(l for l in out.splitlines() if l.startswith("cpu/elu/vectorized/f32"))
    assert "+30.00%" in line and "MORE_WORK" in line
    assert out.count("MORE_WORK") == 2  # the row and the summary line naming it
    assert "MORE_WORK (> 10% more instructions): cpu/elu/vectorized/f32" in out


def test_change_within_threshold_is_same(tmp_path):
    cand = dict(BASE_COUNTS)
    cand["cpu/elu/naive/f32"] = int(cand["cpu/elu/naive/f32"] * 1.09)
    a = write(tmp_path, "a.json", counts_doc())
    b = write(tmp_path, "b.json", counts_doc(cand))
    assert run_compare(a, b)[0] == 0
    # The same change fails under a tighter threshold.
    assert run_compare(a, b, "--threshold", "5")[0] == 1


def test_30_percent_less_work_is_a_stale_baseline_that_cannot_judge(tmp_path):
    # The baseline banks the gain: from here the variant could grow by 57% before MORE_WORK, so
    # the gate cannot see its 10% and says so (exit 2) instead of passing.
    cand = dict(BASE_COUNTS)
    cand["cpu/relu/vectorized/f32"] = int(cand["cpu/relu/vectorized/f32"] * 0.7)
    a = write(tmp_path, "a.json", counts_doc())
    b = write(tmp_path, "b.json", counts_doc(cand))
    rc, out, _ = run_compare(a, b)
    assert rc == 2
    line = next(l for l in out.splitlines() if l.startswith("cpu/relu/vectorized/f32"))
    assert "-30.00%" in line and "57.1%" in line and "LESS_WORK" in line
    assert "cannot judge" in out and "regenerate the counts baseline" in out


def test_different_simd_target_cannot_judge(tmp_path):
    cand = {k: v * 2 for k, v in BASE_COUNTS.items()}  # would be MORE_WORK everywhere
    a = write(tmp_path, "a.json", counts_doc())
    b = write(tmp_path, "b.json", counts_doc(cand, simd="AVX3"))
    rc, out, _ = run_compare(a, b)
    assert rc == 2
    assert "cannot judge" in out and "no SIMD target counted in both (baseline AVX2; candidate AVX3)" in out
    assert "MORE_WORK" not in out
    assert run_compare(a, b, "--ignore-host")[0] == 2  # a SIMD target is never ignored


@pytest.mark.parametrize("content,needle", [
    ("{not json", "malformed JSON"),
    (json.dumps({"schema": "elubench-results", "schema_version": 1}), "not an elubench-counts file"),
    (json.dumps(dict(counts_doc(), schema_version=1)), "schema_version 1, this script reads 2, 3"),
    (json.dumps(dict(counts_doc(), targets={"AVX2": {"cpu/elu/naive/f32": "many"}})), "positive integer"),
    (json.dumps(dict(counts_doc(), targets={})), "targets must be a non-empty object"),
    (json.dumps(dict(counts_doc(), host={})), "host.cpu_model"),
    (json.dumps(dict(counts_doc(), source={"commit": 1})), "source"),
])
def test_malformed_input_exits_2_with_one_line(tmp_path, content, needle):
    a = write(tmp_path, "a.json", counts_doc())
    b = write(tmp_path, "b.json", content)
    rc, out, err = run_compare(a, b)
    assert rc == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1


def test_missing_file_exits_2(tmp_path):
    a = write(tmp_path, "a.json", counts_doc())
    rc, _, err = run_compare(a, tmp_path / "nope.json")
    assert rc == 2 and "No such file" in err


def test_different_n_exits_2(tmp_path):
    a = write(tmp_path, "a.json", counts_doc())
    b = write(tmp_path, "b.json", counts_doc(n=1 << 20))
    rc, _, err = run_compare(a, b)
    assert rc == 2 and "different n" in err


def test_variants_in_only_one_file_are_listed(tmp_path):
    base = dict(BASE_COUNTS, **{"cpu/elu/fast/f32": 200_000})
    cand = dict(BASE_COUNTS, **{"cpu/elu/fast/bf16": 250_000})
    a = write(tmp_path, "a.json", counts_doc(base))
    b = write(tmp_path, "b.json", counts_doc(cand))
    rc, out, _ = run_compare(a, b)
    assert rc == 0
    assert any(l.startswith("cpu/elu/fast/f32") and l.endswith("only in baseline") for l in out.splitlines())
    assert any(l.startswith("cpu/elu/fast/bf16") and l.endswith("only in candidate") for l in out.splitlines())


def test_markdown_table(tmp_path):
    cand = dict(BASE_COUNTS)
    cand["cpu/elu/vectorized/f32"] = int(cand["cpu/elu/vectorized/f32"] * 1.3)
    a = write(tmp_path, "a.json", counts_doc())
    b = write(tmp_path, "b.json", counts_doc(cand))
    rc, out, _ = run_compare(a, b, "--markdown")
    assert rc == 1
    assert "| `cpu/elu/vectorized/f32` | 400,000 | 520,000 | +30.00% | — | **MORE_WORK** |" in out


# A dump as callgrind 3.19 writes it for CALLGRIND_DUMP_STATS_AT("cpu/elu/vectorized/f32") (layout
# copied from a real cg.out.N of elubench_count), cut down to a few cost lines. As in the real
# files, "totals:" (the sum of the cost lines) is a few Ir above "summary:"; the parser takes totals.
DUMP = """\
# callgrind format
version: 1
creator: callgrind-3.19.0
pid: 7030
cmd:  /work/main/build/h-count/bench/elubench_count
part: 27


desc: I1 cache: 
desc: D1 cache: 
desc: LL cache: 

desc: Timerange: Basic block 3529898 - 3612345
desc: Trigger: Client Request: cpu/elu/vectorized/f32

positions: line
events: Ir
summary: 412345


ob=(12) /work/main/build/h-count/bench/elubench_count
fl=(204) ???
fn=(3620) elubench::cpu::vectorized_elu_f32(elubench::RunArgs const&)
0 3
cfn=(3622) elubench::cpu::N_AVX2::VectorizedEluF32(elubench::RunArgs const&)
calls=1 0 
0 412340

totals: 412350
"""


def test_parse_dump_reads_name_and_totals():
    assert count_gate.parse_dump(DUMP) == ("cpu/elu/vectorized/f32", 412350)


def test_parse_dump_falls_back_to_summary():
    text = "\n".join(l for l in DUMP.splitlines() if not l.startswith("totals:"))
    assert count_gate.parse_dump(text) == ("cpu/elu/vectorized/f32", 412345)


def test_parse_dump_termination_dump_has_no_name():
    text = DUMP.replace("Client Request: cpu/elu/vectorized/f32", "Program termination")
    assert count_gate.parse_dump(text) == (None, 412350)


def test_parse_dump_picks_ir_among_several_events():
    text = DUMP.replace("events: Ir", "events: Dr Ir").replace("totals: 412350", "totals: 7 412350")
    text = text.replace("summary: 412345", "summary: 7 412345")
    assert count_gate.parse_dump(text)[1] == 412350


def test_parse_dump_without_totals_is_an_error():
    text = "\n".join(l for l in DUMP.splitlines() if not l.startswith(("totals:", "summary:")))
    with pytest.raises(count_gate.InputError):
        count_gate.parse_dump(text)


def test_collect_dumps_skips_termination_and_rejects_duplicates(tmp_path):
    base = tmp_path / "cg.out"
    (tmp_path / "cg.out.1").write_text(DUMP)
    (tmp_path / "cg.out.2").write_text(DUMP.replace("cpu/elu/vectorized/f32", "cpu/relu/naive/f16")
                                       .replace("412350", "99"))
    (tmp_path / "cg.out").write_text(DUMP.replace("Client Request: cpu/elu/vectorized/f32", "Program termination"))
    assert count_gate.collect_dumps(str(base)) == {"cpu/elu/vectorized/f32": 412350, "cpu/relu/naive/f16": 99}
    (tmp_path / "cg.out.3").write_text(DUMP)
    with pytest.raises(count_gate.InputError, match="two callgrind dumps"):
        count_gate.collect_dumps(str(base))


def test_write_atomic_refuses_to_overwrite(tmp_path):
    out = tmp_path / "counts.json"
    count_gate.write_atomic(str(out), counts_doc(), force=False)
    assert json.loads(out.read_text())["targets"]["AVX2"] == BASE_COUNTS
    with pytest.raises(count_gate.InputError, match="exists"):
        count_gate.write_atomic(str(out), counts_doc({"x": 1}), force=False)
    count_gate.write_atomic(str(out), counts_doc({"x": 1}), force=True)
    assert json.loads(out.read_text())["targets"]["AVX2"] == {"x": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["counts.json"]  # no temp file left behind


# ---------------------------------------------------------------------------------------------
# A planted slower kernel where the committed counts do not describe this machine's code.
# Both fixtures are real counts from the 2-core Xeon development VM (callgrind, AVX2): the code
# at 1c89578 (what the committed baseline held until this change) and at b2b3708.

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PLANTED = "cpu/elu/vectorized/f32"


def planted_doc(doc, factor=1.3):
    """doc's counts with PLANTED doing `factor` times the work: a slower kernel."""
    out = json.loads(json.dumps(doc))
    out["counts"][PLANTED] = round(out["counts"][PLANTED] * factor)
    out["source"] = None
    return out


def test_planted_kernel_counted_on_a_machine_whose_counts_differ(tmp_path):
    committed = json.loads((FIXTURES / "counts-b2b3708-xeon.json").read_text())
    # Machine B counts the same code 24% lower (the two figures for elu/vectorized/f32,
    # 237,767 / 312,368): simulated by scaling every variant, under B's own host description.
    ratio = 237_767 / 312_368
    here = dict(committed, host=dict(committed["host"], cpu_model="AMD EPYC", cpu_flags="feedfacefeedface"),
                counts={k: round(v * ratio) for k, v in committed["counts"].items()})
    a = write(tmp_path, "committed.json", committed)
    b = write(tmp_path, "base-here.json", here)          # the baseline's commit, counted on B
    c = write(tmp_path, "planted-here.json", planted_doc(here))
    # The old design compared the committed counts with B's: the planted kernel is -1%, SAME,
    # and nothing is MORE_WORK, which was all the old gate failed on.
    rc, out, _ = run_compare(a, c, "--ignore-host")
    line = next(l for l in out.splitlines() if l.startswith(PLANTED))
    assert rc != 1 and "-1.05%" in line and line.endswith("SAME") and "MORE_WORK" not in out
    # Now those two refuse to compare (cannot judge), and the same-machine pair catches it.
    rc, out, _ = run_compare(a, c)
    assert rc == 2 and "different machines" in out and "cpu_model 'Intel(R) Xeon(R) Processor' vs 'AMD EPYC'" in out
    rc, out, _ = run_compare(b, c)
    assert rc == 1 and f"MORE_WORK (> 10% more instructions): {PLANTED}" in out
    assert "+30.00%" in next(l for l in out.splitlines() if l.startswith(PLANTED))


def test_planted_kernel_against_a_stale_baseline_cannot_pass(tmp_path):
    # The issue's own numbers: the committed counts (312,368 for elu/vectorized/f32) were those of
    # the code at 1c89578; the kernels since do 24% less work, so a kernel planted 30% slower
    # counted -1% against them and passed. Counted side by side on one machine, the banked gain
    # shows as LESS_WORK: the gate says it cannot judge (regenerate) instead of passing.
    old = json.loads((FIXTURES / "counts-1c89578-xeon.json").read_text())
    now = json.loads((FIXTURES / "counts-b2b3708-xeon.json").read_text())
    assert old["counts"][PLANTED] == 312_368 and now["counts"][PLANTED] == 237_729
    a = write(tmp_path, "base.json", old)
    c = write(tmp_path, "planted.json", planted_doc(now))
    rc, out, _ = run_compare(a, c)
    assert rc == 2, out
    assert "-1.06%" in next(l for l in out.splitlines() if l.startswith(PLANTED))
    assert "cannot judge" in out and "regenerate the counts baseline" in out
    # Regenerated at b2b3708 (the counts of the code just before the plant), it is caught.
    rc, out, _ = run_compare(write(tmp_path, "fresh.json", now), c)
    assert rc == 1 and PLANTED in out.splitlines()[-1]


# ---------------------------------------------------------------------------------------------
# Which code a counts file counted, and whether this checkout's differs (a scratch git repo).

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin"}


def git_in(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=GIT_ENV).stdout.strip()


def commit_files(repo, files, message):
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    git_in(repo, "add", "-A")
    git_in(repo, "commit", "-q", "-m", message)
    return git_in(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path):
    r = tmp_path / "repo"
    r.mkdir()
    git_in(r, "init", "-q")
    commit_files(r, {"kernels/cpu/vectorized.cpp": "v1\n", "kernels/cuda/vectorized.cu": "g1\n",
                     "bench/count_work.cpp": "c1\n", "CMakeLists.txt": "m1\n", "README.md": "r1\n"}, "first")
    return r


def run_changed(repo, counts_path):
    r = subprocess.run([sys.executable, str(SCRIPT), "changed", str(counts_path), "--repo", str(repo)],
                       capture_output=True, text=True)
    return r.returncode, r.stdout.splitlines(), r.stderr


def test_changed_sees_counted_code_only(repo, tmp_path):
    first = git_in(repo, "rev-parse", "HEAD")
    counts = write(tmp_path, "counts.json", counts_doc(source=count_gate.source_of(str(repo), "HEAD")))
    assert run_changed(repo, counts)[:2] == (0, [first, f"the counted code is unchanged since {first}"])
    # A README or a CUDA kernel does not change what elubench_count (CPU only) counts.
    commit_files(repo, {"README.md": "r2\n", "kernels/cuda/vectorized.cu": "g2\n"}, "docs, cuda")
    assert run_changed(repo, counts)[0] == 0
    (repo / "kernels/cpu/vectorized.cpp").write_text("v2\n")  # uncommitted
    assert run_changed(repo, counts)[:2] == (1, [first, "kernels/cpu/vectorized.cpp (uncommitted)"])
    commit_files(repo, {}, "v2")
    rc, lines, _ = run_changed(repo, counts)
    assert rc == 1 and lines == [first, "kernels/cpu"]  # the commit to rebuild, then what changed


def test_changed_finds_the_counted_code_under_another_commit(repo, tmp_path):
    # After a squash merge the counted commit is gone; a commit with the same counted code stands in.
    src = count_gate.source_of(str(repo), "HEAD")
    same = git_in(repo, "rev-parse", "HEAD")
    src["commit"] = "0" * 40
    counts = write(tmp_path, "counts.json", counts_doc(source=src))
    commit_files(repo, {"kernels/cpu/vectorized.cpp": "v2\n"}, "v2")
    assert run_changed(repo, counts)[:2] == (1, [same, "kernels/cpu"])
    # Neither it nor an equivalent: the recorded commit (ci_gate.sh then tries to fetch it).
    src["objects"]["kernels/cpu"] = "f" * 40
    counts = write(tmp_path, "counts.json", counts_doc(source=src))
    assert run_changed(repo, counts)[1][0] == "0" * 40


def test_counts_without_a_source_count_as_changed(repo, tmp_path):
    rc, lines, _ = run_changed(repo, write(tmp_path, "counts.json", counts_doc(source=None)))
    assert rc == 1 and lines[0] == "none" and "names no source" in lines[1]


def test_measure_refuses_to_name_a_commit_it_did_not_count(repo):
    # A baseline counted from uncommitted kernels would name a commit whose code it never counted.
    (repo / "kernels/cpu/vectorized.cpp").write_text("dirty\n")
    args = count_gate.parse_args(["measure", "--binary", "x", "-o", "y", "--repo", str(repo)])
    with pytest.raises(count_gate.InputError, match="uncommitted changes in the counted code"):
        count_gate.measured_source(args)
    args = count_gate.parse_args(["measure", "--binary", "x", "-o", "y", "--repo", str(repo), "--commit", "HEAD"])
    assert count_gate.measured_source(args)["commit"] == git_in(repo, "rev-parse", "HEAD")


# ---------------------------------------------------------------------------------------------
# Counts per SIMD target (valgrind runs AVX2 and SSE4; AVX-512 never)


def test_each_target_compared_and_a_regression_on_one_named_with_it(tmp_path):
    sse4 = {k: v * 2 for k, v in BASE_COUNTS.items()}  # SSE4's own counts: never compared with AVX2's
    planted = dict(sse4, **{PLANTED: round(sse4[PLANTED] * 1.3)})
    a = write(tmp_path, "a.json", counts_doc(more_targets={"SSE4": sse4}))
    b = write(tmp_path, "b.json", counts_doc(more_targets={"SSE4": planted}))
    rc, out, _ = run_compare(a, b)
    assert rc == 1, out
    assert f"MORE_WORK (> 10% more instructions): {PLANTED} (SSE4)" in out
    lines = [l for l in out.splitlines() if l.startswith(PLANTED)]
    assert [l.split()[1] for l in lines] == ["AVX2", "SSE4"]
    assert lines[0].endswith("SAME") and lines[1].endswith("MORE_WORK")
    assert run_compare(a, a)[0] == 0


def test_a_target_in_one_file_only_is_listed_not_compared(tmp_path):
    base = counts_doc()
    base["not_counted"] = {"SSE4": "the binary ran AVX2 when asked for SSE4 (built before ELUBENCH_SIMD_TARGET)"}
    a = write(tmp_path, "a.json", base)
    b = write(tmp_path, "b.json", counts_doc(more_targets={"SSE4": BASE_COUNTS}))
    rc, out, _ = run_compare(a, b)
    assert rc == 0, out
    assert "SSE4 counted in the candidate only, not compared (the binary ran AVX2" in out


def test_version_2_files_read_as_their_one_target(tmp_path):
    v2 = {"schema": count_gate.SCHEMA, "schema_version": 2, "host": dict(HOST, simd_target="AVX2"), "n": 65536,
          "source": None, "counts": dict(BASE_COUNTS)}
    doc = count_gate.load_counts(str(write(tmp_path, "v2.json", v2)))
    assert doc["targets"] == {"AVX2": BASE_COUNTS}
    planted = dict(BASE_COUNTS, **{PLANTED: round(BASE_COUNTS[PLANTED] * 1.3)})
    rc, out, _ = run_compare(write(tmp_path, "v2.json", v2), write(tmp_path, "v3.json", counts_doc(planted)))
    assert rc == 1 and f"{PLANTED} (AVX2)" in out


def test_avx512_targets_are_refused_naming_valgrind():
    assert count_gate.parse_targets("avx2,sse4,AVX2") == ["AVX2", "SSE4"]
    r = subprocess.run([sys.executable, str(SCRIPT), "measure", "--binary", "x", "-o", "y", "--targets", "AVX3"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "valgrind does not run AVX-512" in r.stderr


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind missing (scripts/install_deps.sh installs it)")
def test_a_binary_that_ignores_the_pin_is_not_counted_for_that_target(tmp_path):
    # What the gate meets in a baseline's binary built before ELUBENCH_SIMD_TARGET: it runs the
    # target valgrind offers whatever the variable says.
    fake = tmp_path / "old_count"
    fake.write_text("#!/bin/sh\necho simd_target AVX2\necho n 1024\n")
    fake.chmod(0o755)
    valgrind = shutil.which("valgrind")
    assert count_gate.pinned_target(valgrind, str(fake), "AVX2") is None
    why = count_gate.pinned_target(valgrind, str(fake), "SSE4")
    assert why == "the binary ran AVX2 when asked for SSE4 (built before ELUBENCH_SIMD_TARGET)"
