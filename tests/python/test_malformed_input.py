"""Every consumer script, fed every malformed input: exit 2, exactly one line on stderr, no
traceback, and no output file left behind (not even a partial or temporary one).

The scripts: compare.py (either side), plot.py, validate_results.py, update_readme.py, and
count_gate.py compare (whose counts files go through the same strict JSON reader)."""

import copy
import errno
import json
import os
import shutil
import subprocess

import pytest

import count_gate
from conftest import make_run, run_cli, run_script

GOOD = make_run(seed=5)


def doc_with(edit):
    d = copy.deepcopy(GOOD)
    edit(d)
    return d


def set_times(d, value, i=0):
    t = d["results"][i]["time_s"]
    t.update(median=value, min=value, max=value, mean=value, samples=[value] * len(t["samples"]))
    return d


def nested(depth):
    return "[" * depth + "]" * depth


def dumps(d):
    return json.dumps(d).encode()


# name -> bytes of the results file. Each is something a results file must never be.
CASES = {
    "empty file": b"",
    "truncated": dumps(GOOD)[: len(dumps(GOOD)) // 2],
    "invalid UTF-8": dumps(GOOD).replace(b"fixture-host", b"fixture-\xc3\x28host"),
    "UTF-16 with BOM": json.dumps(GOOD).encode("utf-16"),
    "UTF-16LE without BOM": json.dumps(GOOD).encode("utf-16-le"),
    "deep nesting (parser)": nested(100_000).encode(),
    "deep nesting in a field": dumps(GOOD).replace(b'"reason": null', b'"reason": ' + nested(990).encode(), 1),
    "results an object": dumps(doc_with(lambda d: d.update(results={"a": GOOD["results"][0]}))),
    "results empty": dumps(doc_with(lambda d: d.update(results=[]))),
    "results null": dumps(doc_with(lambda d: d.update(results=None))),
    "empty samples": dumps(doc_with(lambda d: d["results"][0]["time_s"].update(samples=[]))),
    "NaN literal": dumps(GOOD).replace(b'"median": ', b'"median": NaN, "x": ', 1),
    "every time NaN": json.dumps(doc_with(lambda d: [set_times(d, float("nan"), i)
                                                     for i in range(len(d["results"]))])).encode(),
    "Infinity literal": json.dumps(doc_with(lambda d: set_times(d, float("inf")))).encode(),
    "-Infinity literal": json.dumps(doc_with(lambda d: set_times(d, float("-inf")))).encode(),
    "number overflowing to inf": dumps(doc_with(lambda d: set_times(d, 1.5))).replace(b"1.5", b"1e999"),
    "overflow in one sample": dumps(doc_with(lambda d: d["results"][2]["time_s"]["samples"].__setitem__(3, 7.25)))
    .replace(b"7.25", b"-7e999"),
    "overflow in the header": dumps(GOOD).replace(b'"cores": 2', b'"cores": 2e400', 1),
    "zero times": dumps(doc_with(lambda d: set_times(d, 0.0))),
    "negative time": dumps(doc_with(lambda d: set_times(d, -1e-3))),
    "median outside min..max": dumps(doc_with(lambda d: d["results"][0]["time_s"].update(median=1e9))),
    "zero GB/s": dumps(doc_with(lambda d: d["results"][0].update(gbps=0.0))),
    "zero ceiling": dumps(doc_with(lambda d: d["ceilings"][0].update(median_s=0.0))),
    "integer of 5000 digits": dumps(GOOD).replace(b'"cores": 2', b'"cores": ' + b"9" * 5000, 1),
    "row missing a field": dumps(doc_with(lambda d: d["results"][3].pop("time_s"))),
    "row of the wrong type": dumps(doc_with(lambda d: d["results"].append("cpu/elu/naive/f32"))),
    "top level a list": b"[1, 2, 3]",
    "wrong schema version": dumps(doc_with(lambda d: d.update(schema_version=99))),
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("malformed")
    good = tmp / "good.json"
    good.write_bytes(dumps(GOOD))
    paths = {}
    for i, (name, data) in enumerate(CASES.items()):
        paths[name] = tmp / f"case{i}.json"
        paths[name].write_bytes(data)
    paths["a folder"] = tmp / "folder.json"
    paths["a folder"].mkdir()
    paths["missing"] = tmp / "missing.json"
    return good, paths


def files_under(d):
    return sorted(p.relative_to(d) for p in d.rglob("*")) if d.exists() else []


def assert_one_line(r, what):
    assert r.returncode == 2, (what, r.returncode, r.stdout[-500:], r.stderr[-2000:])
    assert "Traceback" not in r.stderr, (what, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, (what, r.stderr)
    assert len(lines[0]) < 400, (what, lines[0])


ALL = list(CASES) + ["a folder", "missing"]


@pytest.mark.parametrize("case", ALL)
def test_compare_either_side(inputs, case):
    good, paths = inputs
    for args in ((good, paths[case]), (paths[case], good), (good, good, paths[case])):
        r = run_script("compare.py", *args)
        assert_one_line(r, (case, args))
        assert r.stdout == ""


@pytest.mark.parametrize("case", ALL)
def test_validate_results(inputs, case):
    _, paths = inputs
    assert_one_line(run_script("validate_results.py", paths[case]), case)


@pytest.mark.parametrize("case", ALL)
def test_plot_leaves_no_file(inputs, case, tmp_path):
    good, paths = inputs
    out = tmp_path / "charts"
    assert_one_line(run_script("plot.py", good, paths[case], "-o", out), case)
    assert files_under(out) == []


@pytest.mark.parametrize("case", ALL)
def test_update_readme_leaves_readme_alone(inputs, case, tmp_path):
    _, paths = inputs
    readme = tmp_path / "README.md"
    before = "# x\n<!-- results:begin -->\nold\n<!-- results:end -->\n"
    readme.write_text(before)
    assert_one_line(run_script("update_readme.py", paths[case], "--readme", readme), case)
    assert readme.read_text() == before
    assert files_under(tmp_path) == [readme.relative_to(tmp_path)]


# A valid counts file, so that each test's one bad input is what it is refused for.
COUNTS = {"schema": count_gate.SCHEMA, "schema_version": count_gate.SCHEMA_VERSION,
          "host": {"cpu_model": "x", "cpu_flags": "0123", "valgrind": "valgrind-3.19.0"},
          "source": None, "n": 65536, "targets": {"AVX2": {"cpu/elu/naive/f32": 1000}}, "not_counted": {}}


@pytest.mark.parametrize("case", ALL)
def test_count_gate_compare(inputs, case, tmp_path):
    """The counts file goes through the same reader: every byte-level and JSON-level case applies
    (the results-specific ones are simply not a counts file)."""
    _, paths = inputs
    good = tmp_path / "counts.json"
    good.write_text(json.dumps(COUNTS))
    for args in ((good, paths[case]), (paths[case], good)):
        assert_one_line(run_script("count_gate.py", "compare", *args), (case, args))


@pytest.mark.parametrize("value", [float("nan"), 0, -5, "many", None, 1.5])
def test_count_gate_bad_counts(tmp_path, value):
    good, bad = tmp_path / "a.json", tmp_path / "b.json"
    good.write_text(json.dumps(COUNTS))
    bad.write_text(json.dumps(dict(COUNTS, targets={"AVX2": {"cpu/elu/naive/f32": value}})))
    assert run_script("count_gate.py", "compare", good, good).returncode == 0
    r = run_script("count_gate.py", "compare", good, bad)
    assert_one_line(r, value)
    assert ("NaN is not JSON" if value != value else "count of cpu/elu/naive/f32 must be a positive integer") in r.stderr


def test_a_bom_is_accepted(inputs, tmp_path):
    good, _ = inputs
    p = tmp_path / "bom.json"
    p.write_bytes(b"\xef\xbb\xbf" + good.read_bytes())
    r = run_script("validate_results.py", p)
    assert r.returncode == 0, r.stderr


# ---------------------------------------------------------------------------------------------
# compare.py: input it cannot judge is exit 2, not a pass


def test_compare_unusable_pairs(write):
    cpu = make_run(seed=1)
    gpu_only = make_run(seed=1)
    for r in gpu_only["results"]:
        r.update(device="gpu", name=r["name"].replace("cpu/", "gpu/"), threads=None, cache="cold")
    gpu_only["ceilings"] = [dict(c, device="gpu", threads=None) for c in gpu_only["ceilings"]]
    failed = copy.deepcopy(cpu)
    for r in failed["results"]:
        r.update(status="failed", reason="accuracy check", time_s=None)
    a, g, f = write(cpu, "cpu.json"), write(gpu_only, "gpu.json"), write(failed, "failed.json")
    for args, needle in (((a, g), "share no row"), ((a, f), "none of the"), ((f, a), "none of the")):
        r = run_script("compare.py", *args)
        assert_one_line(r, args)
        assert needle in r.stderr


@pytest.mark.parametrize("opt", [("--threshold", "nan"), ("--threshold", "-1"), ("--threshold", "inf"),
                                 ("--alpha", "nan"), ("--alpha", "0"), ("--alpha", "1"), ("--alpha", "2"),
                                 ("--drift-k", "nan"), ("--max-allowance", "-3"), ("--tail-fraction", "0"),
                                 ("--min-samples", "0")])
def test_compare_bad_options(write, opt):
    a = write(make_run(seed=1), "a.json")
    r = run_script("compare.py", a, a, *opt)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert opt[0] in r.stderr


# ---------------------------------------------------------------------------------------------
# Output that cannot be written: one line, no truncated file, no temporary file


def enospc(*_, **__):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_plot_disk_full_while_saving(inputs, tmp_path, monkeypatch):
    """savefig writes half a PNG, then the disk is full: no chart and no temp file remain."""
    import matplotlib.figure
    good, _ = inputs
    real = matplotlib.figure.Figure.savefig

    def half_then_full(self, fname, *a, **k):
        with open(fname, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n half")
        enospc()
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", half_then_full)
    out = tmp_path / "charts"
    r = run_script("plot.py", good, "-o", out)
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", real)
    assert_one_line(r, "ENOSPC")
    assert "No space left" in r.stderr
    assert files_under(out) == []


def test_update_readme_disk_full(inputs, tmp_path, monkeypatch):
    good, _ = inputs
    readme = tmp_path / "README.md"
    before = "<!-- results:begin -->\n<!-- results:end -->\n"
    readme.write_text(before)
    monkeypatch.setattr(os, "fsync", enospc)
    r = run_script("update_readme.py", good, "--readme", readme)
    monkeypatch.undo()
    assert_one_line(r, "ENOSPC")
    assert readme.read_text() == before and files_under(tmp_path) == [readme.relative_to(tmp_path)]


def test_count_gate_write_disk_full(tmp_path, monkeypatch):
    import count_gate
    monkeypatch.setattr(count_gate.json, "dump", enospc)
    with pytest.raises(count_gate.InputError, match="No space left"):
        count_gate.write_atomic(str(tmp_path / "counts.json"), COUNTS, force=False)
    monkeypatch.undo()
    assert files_under(tmp_path) == []


def _can_mount():
    return os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.fixture
def small_fs(tmp_path):
    """A real 256 KiB tmpfs and a real read-only one (root only: mount needs it; skipped with
    that reason elsewhere, the monkeypatched tests above still run)."""
    if not _can_mount():
        pytest.skip("needs root to mount a small tmpfs")
    full, ro = tmp_path / "full", tmp_path / "ro"
    full.mkdir(), ro.mkdir()
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(full)], capture_output=True)
    ok2 = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(ro)], capture_output=True)
    try:
        if ok.returncode or ok2.returncode:
            pytest.skip(f"mount refused: {(ok.stderr or ok2.stderr).decode().strip()}")
        yield full, ro
    finally:
        for d in (full, ro):
            subprocess.run(["umount", str(d)], capture_output=True)


def test_real_full_and_read_only_disks(inputs, small_fs):
    good, _ = inputs
    full, ro = small_fs
    (full / "filler").write_bytes(b"\0" * (200 << 10))  # leave ~56 KiB: less than one chart
    for out in (full / "charts", ro / "charts", ro):
        before = files_under(out.parent)
        r = run_script("plot.py", good, "-o", out)
        assert_one_line(r, out)
        after = [p for p in files_under(out.parent) if p not in before]
        # plot.py writes whole charts or nothing: what is left must be complete files
        for p in after:
            q = out.parent / p
            if q.is_file():
                assert not q.name.startswith(".") and not q.name.endswith(".tmp"), q
                if q.suffix == ".png":
                    assert q.read_bytes()[-8:] == b"IEND\xaeB`\x82", q  # PNG end chunk: not truncated
    readme = full / "README.md"
    readme.write_text("<!-- results:begin -->\n<!-- results:end -->\n")
    (full / "filler2").write_bytes(b"\0" * max(0, shutil.disk_usage(full).free - 1024))
    r = run_script("update_readme.py", good, "--readme", readme)
    assert_one_line(r, "README on a full disk")
    assert readme.read_text() == "<!-- results:begin -->\n<!-- results:end -->\n"
    assert not [p for p in full.iterdir() if p.name.endswith(".tmp")]


# ---------------------------------------------------------------------------------------------
# The real command line, once per script (the tests above call main() in-process)


@pytest.mark.parametrize("script,args", [
    ("compare.py", ["{good}", "{bad}"]), ("plot.py", ["{bad}", "-o", "{out}"]),
    ("validate_results.py", ["{bad}"]), ("update_readme.py", ["{bad}", "--readme", "{readme}"]),
    ("count_gate.py", ["compare", "{bad}", "{bad}"]),
])
def test_command_line_one_line(inputs, tmp_path, script, args):
    good, paths = inputs
    readme = tmp_path / "README.md"
    readme.write_text("<!-- results:begin -->\n<!-- results:end -->\n")
    fill = dict(good=good, bad=paths["deep nesting (parser)"], out=tmp_path / "o", readme=readme)
    r = run_cli(script, *[a.format(**fill) for a in args])
    assert_one_line(r, script)
