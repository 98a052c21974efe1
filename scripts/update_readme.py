#!/usr/bin/env python3
"""Rewrites the results page's section (docs/results.md, where the README links for the full
answer), between <!-- results:begin --> and <!-- results:end -->,
from one results file: the machine it came from, the cost-over-ReLU charts (if drawn), per device
the cost of each activation relative to ReLU at the largest size (best kernel per dtype, forward
and forward + backward), and the table of every row at that size. Everything outside the markers is left byte for byte as it was.

  python scripts/plot.py results/X.json -o results/charts/X
  python scripts/update_readme.py results/X.json --charts results/charts/X   # --readme FILE: another page
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import results_index as rix
import results_load
import results_text
import script_io

PROG = "update_readme.py"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def parse_args(argv):
    p = argparse.ArgumentParser(prog=PROG, description="Rewrite the results section of docs/results.md from a results file.")
    p.add_argument("results", help="the results JSON to show (a committed, measured file)")
    p.add_argument("--readme", default=str(script_io.ROOT / "docs" / "results.md"),
                   help="the Markdown page to edit (default: the project's docs/results.md)")
    p.add_argument("--charts", help="folder plot.py wrote for this file; its tradeoff charts are linked")
    return p.parse_args(argv)


def marker_at(value, where=()):
    """The path (keys and indexes) to the first string of the document, key or value, that
    holds one of the README's markers, or None. Written into the README, such a string would
    move the section's end on the next update."""
    if isinstance(value, str):
        return where if BEGIN in value or END in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in items:
        found = marker_at(k, where + (k,)) if isinstance(k, str) else None
        if found is None:
            found = marker_at(v, where + (k,))
        if found is not None:
            return found
    return None


def link_target(path: str) -> str:
    """A relative path as a Markdown link destination: as it is when plain, else in the <...>
    form with what would end it or be read as an escape percent-encoded."""
    if re.fullmatch(r"[A-Za-z0-9._/-]+", path):
        return path
    return "<" + "".join(f"%{ord(c):02X}" if c in "<>\\% " or ord(c) < 0x20 else c for c in path) + ">"


def section(doc, results_path, readme, charts):
    gpu = doc["gpu"]["name"] if doc.get("gpu") else None
    machine = results_text.md_text(doc["host"]["cpu_model"] + (f" + {gpu}" if gpu else ""))
    rel = lambda p: Path(os.path.relpath(Path(p).resolve(), readme.resolve().parent)).as_posix()  # noqa: E731
    lines = ["", f"Measured on **{machine}** ({results_text.md_text(doc['host']['simd_target'])}, {doc['host']['cores']} cores), "
             f"{results_text.md_text(doc['created'])}, elubench {results_text.md_text(doc['tool']['version'])} at "
             f"{results_text.md_text(doc['tool']['git_revision'])}; "
             f"from [{results_text.md_text(rel(results_path))}]({link_target(rel(results_path))}).", ""]
    if charts:
        # One chart per device and thread count (f32 where drawn): the other dtypes are a click away.
        groups = {}
        for png in sorted(Path(charts).glob("relu_cost_*.png")):
            group, dtype = png.stem.rsplit("_", 1)
            if group not in groups or dtype == "f32":
                groups[group] = png
        for png in groups.values():
            lines += [f"![time relative to ReLU vs size: {results_text.md_text(png.stem)}]({link_target(rel(png))})", ""]
    lines += ["How to read it: each activation's median time divided by ReLU's, the best elubench kernel of "
              "each at the same dtype and size; 1.0 means the math is free (the kernel is memory-bound), above 1 "
              "is what it costs. fwd+bwd divides forward + backward time by ReLU's forward + backward.", "",
              "**Cost relative to ReLU at the largest size, per device:**", ""]
    lines.append(rix.relu_cost_markdown([doc]))
    lines += ["Every row at the largest size: GB/s counts bytes read + written, % ceiling compares with the copy "
              "measured in the same run, × ReLU is the time over ReLU's on the same variant, and max ULP is the "
              "largest error against the float64 reference.", ""]
    lines.append(rix.summary_markdown([doc]))
    return "\n".join(lines)


def main(argv=None):
    return script_io.run_main(PROG, _main, sys.argv[1:] if argv is None else argv)


def _main(argv):
    args = parse_args(argv)
    readme = Path(args.readme)
    doc = rix.variants_by_target(results_load.load_results(args.results))
    found = marker_at(doc)
    if found is not None:
        raise script_io.InputError(f"{args.results}: {'/'.join(map(str, found))} holds a README marker "
                             f"({BEGIN} or {END}); refused")
    try:
        text = readme.read_bytes().decode("utf-8")
    except OSError as e:
        raise script_io.InputError(f"{readme}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise script_io.InputError(f"{readme}: not UTF-8 text") from None
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise script_io.InputError(f"{readme}: needs exactly one '{BEGIN}' followed by one '{END}'")
    if args.charts and not Path(args.charts).is_dir():
        raise script_io.InputError(f"{args.charts}: not a folder (run plot.py -o {args.charts} first)")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = head + BEGIN + section(doc, args.results, readme, args.charts) + "\n" + END + tail
    # Written beside the README and renamed: a full disk or an interruption never leaves half a
    # README, and a failed write removes its temporary file.
    script_io.write_text_atomic(readme, new)
    print(f"{PROG}: rewrote the results section of {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
