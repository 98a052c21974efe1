#!/usr/bin/env python3
"""The room checker catches what it is for: on a temporary copy of bench/, each planted fault
makes tests/include_rooms.py fail naming it, and the unchanged copy passes.
usage: include_rooms_planted.py BENCH_DIR"""
import contextlib
import io
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import include_rooms  # noqa: E402  (the checker itself, run in this process: no interpreter start per case)


def plant_include(bench, path, header):
    with open(os.path.join(bench, path), encoding="utf-8") as f:
        text = f.read()
    with open(os.path.join(bench, path), "w", encoding="utf-8") as f:
        f.write(f'#include "{header}"\n' + text)


# (what is planted, how, a piece of the line the checker must print)
FAULTS = [
    ("an upward include", lambda b: plant_include(b, "results/row.hpp", "run/case.hpp"), "points up"),
    ("an upward include in a .cu file", lambda b: plant_include(b, "timing/gpu_sync.cu", "trust/timed_check.hpp"),
     "points up"),
    ("an include without its room", lambda b: plant_include(b, "plan/rows.cpp", "row.hpp"), "names no room"),
    ("an include of a missing header", lambda b: plant_include(b, "run/case.cpp", "cli/nothing.hpp"), "no such file"),
    ("a folder that is no room", lambda b: os.mkdir(os.path.join(b, "misc")), "does not list as a room"),
    ("a source file outside the rooms", lambda b: open(os.path.join(b, "loose.cpp"), "w").close(), "outside the rooms"),
]


def run_checker(bench):
    """(exit code, what it printed) of include_rooms.py BENCH."""
    said = io.StringIO()
    with contextlib.redirect_stderr(said):
        rc = include_rooms.main(["include_rooms.py", bench])
    return rc, said.getvalue()


def main(argv):
    source = argv[1]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for what, plant, said in [("nothing", lambda b: None, None)] + FAULTS:
            bench = os.path.join(tmp, "bench")
            shutil.rmtree(bench, ignore_errors=True)
            shutil.copytree(source, bench, ignore=shutil.ignore_patterns(".*"))
            plant(bench)
            rc, printed = run_checker(bench)
            ok = rc == 0 if said is None else rc == 1 and said in printed
            print(f"{'ok ' if ok else 'BAD'} planted {what}: exit {rc} {printed.strip()}")
            failures += not ok
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
