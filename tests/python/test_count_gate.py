"""count_gate.py: the compare verdicts and exit codes, and the callgrind dump parser.

The counts here are hand-made test inputs (a 30% change is the planted slowdown the gate must
catch); the dump fixture copies the layout callgrind 3.19 writes for a CALLGRIND_DUMP_STATS_AT.
"""

from __future__ import annotations

import json
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


def counts_doc(counts=None, simd="AVX2", n=65536):
    return {
        "schema": "elubench-counts",
        "schema_version": 1,
        "host": {"cpu_model": "test", "simd_target": simd},
        "n": n,
        "counts": dict(BASE_COUNTS if counts is None else counts),
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


def test_30_percent_less_work_passes(tmp_path):
    cand = dict(BASE_COUNTS)
    cand["cpu/relu/vectorized/f32"] = int(cand["cpu/relu/vectorized/f32"] * 0.7)
    a = write(tmp_path, "a.json", counts_doc())
    b = write(tmp_path, "b.json", counts_doc(cand))
    rc, out, _ = run_compare(a, b)
    assert rc == 0
    line = next(l for l in out.splitlines() if l.startswith("cpu/relu/vectorized/f32"))
    assert "-30.00%" in line and "LESS_WORK" in line


def test_different_simd_target_does_not_compare(tmp_path):
    cand = {k: v * 2 for k, v in BASE_COUNTS.items()}  # would be MORE_WORK everywhere
    a = write(tmp_path, "a.json", counts_doc())
    b = write(tmp_path, "b.json", counts_doc(cand, simd="AVX3"))
    rc, out, _ = run_compare(a, b)
    assert rc == 0
    assert "counts from different SIMD targets don't compare" in out
    assert "MORE_WORK" not in out


@pytest.mark.parametrize("content,needle", [
    ("{not json", "malformed JSON"),
    (json.dumps({"schema": "elubench-results", "schema_version": 1}), "not an elubench-counts file"),
    (json.dumps(dict(counts_doc(), schema_version=2)), "schema_version"),
    (json.dumps(dict(counts_doc(), counts={"cpu/elu/naive/f32": "many"})), "positive integer"),
    (json.dumps(dict(counts_doc(), host={})), "simd_target"),
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
    assert "| `cpu/elu/vectorized/f32` | 400,000 | 520,000 | +30.00% | **MORE_WORK** |" in out


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
    assert json.loads(out.read_text())["counts"] == BASE_COUNTS
    with pytest.raises(count_gate.InputError, match="exists"):
        count_gate.write_atomic(str(out), counts_doc({"x": 1}), force=False)
    count_gate.write_atomic(str(out), counts_doc({"x": 1}), force=True)
    assert json.loads(out.read_text())["counts"] == {"x": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["counts.json"]  # no temp file left behind
