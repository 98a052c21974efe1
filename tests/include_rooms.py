#!/usr/bin/env python3
"""No include points up across bench/'s rooms.

bench/README.md lists the rooms lowest first, one heading each ("### 1. buffers/ ..."). A file in
a room may include headers of its own room and of the rooms below it, each written
"room/file.hpp"; kernel headers ("elubench/...") and the generated build_info.hpp and
git_revision.hpp are below every room. Refused, one line each: an include of a higher room, an
include that names no room or a header that does not exist, a folder of bench/ that is not a
listed room (or a listed room that is not a folder), and a source file outside the rooms.
usage: include_rooms.py BENCH_DIR   (exit 1 on any refusal, 2 on unusable input)"""
import os
import re
import sys

SOURCES = (".cpp", ".hpp", ".cu", ".cuh", ".h", ".in")
BELOW_EVERY_ROOM = ("elubench/",)
GENERATED = ("build_info.hpp", "git_revision.hpp")
ROOM_HEADING = re.compile(r"^###\s+(\d+)\.\s+`?(\w+)/")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def rooms_in_order(bench):
    """The rooms bench/README.md lists, lowest first, as {name: level}."""
    with open(os.path.join(bench, "README.md"), encoding="utf-8") as f:
        found = [(int(m.group(1)), m.group(2)) for m in map(ROOM_HEADING.match, f) if m]
    if not found or [n for n, _ in found] != list(range(1, len(found) + 1)):
        raise ValueError(f"{bench}/README.md: no room list numbered 1, 2, ... ('### 1. room/ ...')")
    return {name: level for level, name in found}


def problems_of(bench, path, room, levels):
    rel = os.path.relpath(path, bench)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for header in INCLUDE.findall(text):
        target = header.split("/", 1)[0]
        if header.startswith(BELOW_EVERY_ROOM) or header in GENERATED:
            continue
        if "/" not in header or target not in levels:
            yield f"{rel}: #include \"{header}\" names no room (write \"room/file.hpp\")"
        elif not os.path.isfile(os.path.join(bench, header)):
            yield f"{rel}: #include \"{header}\": no such file in bench/"
        elif levels[target] > levels[room]:
            yield f"{rel}: #include \"{header}\" points up: {target}/ ({levels[target]}) is above {room}/ ({levels[room]})"


def check(bench):
    levels = rooms_in_order(bench)
    folders = {e.name for e in os.scandir(bench) if e.is_dir() and not e.name.startswith(".")}
    for name in sorted(folders - levels.keys()):
        yield f"{name}/: a folder of bench/ that bench/README.md does not list as a room"
    for name in sorted(levels.keys() - folders):
        yield f"{name}/: bench/README.md lists a room that is not a folder of bench/"
    for e in sorted(os.scandir(bench), key=lambda e: e.name):
        if e.is_file() and e.name.endswith(SOURCES):
            yield f"{e.name}: a source file outside the rooms"
    for room in sorted(folders & levels.keys()):
        for top, _, files in os.walk(os.path.join(bench, room)):
            for name in sorted(files):
                if name.endswith(SOURCES):
                    yield from problems_of(bench, os.path.join(top, name), room, levels)


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    try:
        problems = list(check(argv[1]))
    except (OSError, ValueError) as e:
        print(f"include_rooms.py: {e}", file=sys.stderr)
        return 2
    for p in problems:
        print(f"include_rooms.py: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
