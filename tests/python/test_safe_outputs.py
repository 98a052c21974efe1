"""Outputs that are safe to open: strings from a results file are data in every HTML, Markdown
and SVG output. Each known way in is a test here, and Hypothesis
drives random strings through every writer: report.py (also in Chromium:
test_report_browser.py), plot.py (summary.md, its tables, the SVG charts), update_readme.py,
compare.py --markdown and the fleet merge (test_fleet_merge.py)."""

from __future__ import annotations

import copy
import hashlib
import base64
import html.parser
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import plot
import report
import results_index as rix
import results_text
import update_readme
from conftest import ROOT, make_run, run_script, skipped_row
from hostile import (FRAGMENTS, MATHTEXT, MD_INJECTION, README_BREAK, XSS, few, hostile_text, many, md_structure,
                     md_text, norm, readme_text)


def hostile_run(strings, sizes=(2**10, 2**20), **kw):
    """A schema-valid run (v3, a failed row, a GPU skipped) whose free strings are `strings`,
    cycled: CPU model, hostname, SIMD target, versions, command line, reasons."""
    s = iter(list(strings) * 12)
    failed = [skipped_row("cpu", "elu", "fast", "kernel", "f32", 2**20, next(s), "failed", params={"alpha": 1.0})]
    doc = make_run(v3=True, sizes=sizes, extra_rows=failed, **kw)
    doc["host"].update(cpu_model=next(s), hostname=next(s), simd_target=next(s))
    doc["tool"].update(version=next(s), git_revision=next(s))
    doc["build"]["flags"] = next(s)
    doc["config"]["command_line"] = next(s)
    return doc


# ---------------------------------------------------------------------------------------------
# Names: a pattern in the schema


@pytest.mark.parametrize("edit", [
    lambda r: r.update(variant=XSS, name=f"cpu/elu/{XSS}/f32"),
    lambda r: r.update(variant="vec<b>"),  # the name stays valid: the variant alone is checked
    lambda r: r.update(params={XSS: 1.0}),
])
def test_names_that_are_not_names_are_refused(write, tmp_path, edit):
    """A variant named like markup would reach the report as markup: variants and parameter
    names are spelled like the registry's names (a pattern in the schema) or refused."""
    doc = make_run(v3=True, sizes=(1024,))
    edit(doc["results"][2])
    res = run_script("report.py", write(doc, "a.json"), "-o", tmp_path / "r.html")
    assert res.returncode == 2 and "does not match results/schema.json at results/2" in res.stderr
    assert not (tmp_path / "r.html").exists()


# elubench results files; convergence files have their own schema and loader (below).
COMMITTED = [p for p in sorted((ROOT / "results").glob("*.json"))
             if not p.name.endswith("schema.json") and not p.name.startswith("convergence-")]
CONVERGENCE = sorted((ROOT / "results").glob("convergence-*.json"))


@pytest.mark.parametrize("path", [p for p in CONVERGENCE if not p.name.endswith("schema.json")], ids=lambda p: p.name)
def test_committed_convergence_results_validate(path):
    """Committed convergence runs pass their own schema and checks (convergence_io.load)."""
    import convergence_io
    assert convergence_io.load(path)["runs"]


@pytest.mark.parametrize("path", COMMITTED + [ROOT / "results/baselines/ci-cpu.json"], ids=lambda p: p.name)
def test_committed_results_still_validate(path):
    """The names' patterns and the accuracy check against each row's tolerance hold for every
    committed file."""
    res = run_script("validate_results.py", path)
    assert res.returncode == 0, res.stderr


# ---------------------------------------------------------------------------------------------
# Markdown: one escaping function


@many
@given(hostile_text)
@example(README_BREAK)
@example(MD_INJECTION)
def test_md_text_renders_as_exactly_its_text(s):
    """results_text.md_text in a table cell, in bold, in a heading and at the start of a line: the
    rendered document has the structure it has with a plain word, and shows the string."""
    def docs(x):
        return (f"| a | b |\n|---|---|\n| {x} | z |\n", f"**{x}** ({x})\n", f"### {x} x\n", f"{x}\n")
    for plain, hostile in zip(docs("word" if norm(s) else ""), docs(results_text.md_text(s))):
        assert md_structure(hostile) == md_structure(plain), (s, hostile)
        if norm(s):
            assert norm(s) in md_text(hostile), (s, hostile)
    assert "\n" not in results_text.md_text(s) and "<" not in results_text.md_text(s)


# ---------------------------------------------------------------------------------------------
# report.py


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text, self._in = [], {}, None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in:
            self.text[self._in] = self.text.get(self._in, "") + data


def page_parts(page: str):
    p = _Tags()
    p.feed(page)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    return p.tags, p.text, csp


def sha(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def check_page(page: str, expect: dict):
    """One script and one style, each allowed by its hash and nothing else; DATA holds the
    strings exactly; the template's placeholders all filled."""
    tags, text, csp = page_parts(page)
    assert tags.count("script") == 1 and tags.count("style") == 1
    assert f"script-src {sha(text['script'])};" in csp and f"style-src {sha(text['style'])};" in csp
    assert "unsafe-inline" not in csp
    data = json.loads(re.search(r"const DATA = (\{.*\});\n", text["script"]).group(1))
    files = data["files"][0]
    assert [files["host"]["cpu_model"], files["path"], files["command"]] == list(expect.values())
    assert "{{" not in page.replace(text["script"], "")


def test_a_placeholder_in_the_data_stays_data(write, tmp_path):
    """A string holding "/*{{JS}}*/" must not splice the script into the data (a blank page):
    the template is filled in one pass; the policy allows the page's one script by its hash."""
    doc = make_run(v3=True, sizes=(1024,))
    doc["host"]["cpu_model"] = "/*{{JS}}*/ {{TITLE}} </script><!--<script>"
    doc["config"]["command_line"] = "/*{{DATA}}*/"
    out = tmp_path / "r.html"
    path = write(doc, "a.json")
    assert run_script("report.py", path, "-o", out).returncode == 0
    check_page(out.read_text(), {"cpu": doc["host"]["cpu_model"], "path": str(path), "cmd": "/*{{DATA}}*/"})


@few
@given(st.lists(hostile_text, min_size=3, max_size=3))
def test_random_strings_in_the_report_stay_data(strings):
    """Hypothesis: random strings in every free field, the file name included, through
    report.render: the page keeps its one script and style and holds the strings as they are."""
    doc = hostile_run(strings)
    doc["config"]["command_line"] = strings[2]
    page = report.render([doc], [strings[1]], "t")
    check_page(page, {"cpu": doc["host"]["cpu_model"], "path": strings[1], "cmd": strings[2]})


# ---------------------------------------------------------------------------------------------
# update_readme.py, plot.py's summary.md, compare.py --markdown

README = "# T\n\n<!-- results:begin -->\nold\n<!-- results:end -->\n\n## After\n"


def test_readme_refuses_a_string_holding_its_markers(write, tmp_path):
    """A cpu_model holding "<!-- results:end -->" would put an extra marker into the README, on
    which the next update fails. Such a file is refused; the README is untouched."""
    doc = make_run(v3=True, sizes=(1024,))
    doc["host"]["cpu_model"] = README_BREAK
    readme = tmp_path / "README.md"
    readme.write_text(README)
    res = run_script("update_readme.py", write(doc, "a.json"), "--readme", readme)
    assert res.returncode == 2 and "host/cpu_model holds a README marker" in res.stderr
    assert readme.read_text() == README


def readme_for(doc, tmp_path, name="a.json"):
    readme = tmp_path / "README.md"
    readme.write_text(README)
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    for _ in range(2):  # the second update must find its markers again
        res = run_script("update_readme.py", path, "--readme", readme)
        assert res.returncode == 0, res.stderr
    return readme.read_text()


def test_readme_shows_markup_as_text(tmp_path):
    """Script, a heading and an image from a cpu_model appear as the text they are."""
    md = readme_for(hostile_run([MD_INJECTION]), tmp_path)
    assert md.count("<!-- results:") == 2
    assert md_structure(md) == md_structure(readme_for(hostile_run(["word"]), tmp_path))
    assert norm(MD_INJECTION) in md_text(md)


@few
@given(st.lists(readme_text, min_size=2, max_size=2))
def test_random_strings_in_the_readme_stay_text(tmp_path_factory, strings):
    md = readme_for(hostile_run(strings), tmp_path_factory.mktemp("readme"), name="run.json")
    if "readme" not in BENIGN:
        BENIGN["readme"] = md_structure(readme_for(hostile_run(["w", "w"]), tmp_path_factory.mktemp("r"), "run.json"))
    assert md_structure(md) == BENIGN["readme"]
    for s in strings:
        assert norm(s) in md_text(md)


BENIGN = {}  # the structure of each writer's output for plain words, computed once


@few
@given(st.lists(hostile_text, min_size=3, max_size=3))
@example([MD_INJECTION, "a|b", "x"])
def test_random_strings_in_summary_md_stay_text(strings):
    """plot.py's summary.md and results_index's tables (also the README's), with random CPU
    models, reasons, file names and the notes for groups with nothing to plot."""
    docs = [hostile_run(strings), hostile_run(strings[::-1], seed=1)]
    paths = [strings[0] + ".json", strings[1] + ".json"]
    md = plot.summary_markdown(docs, paths, [strings[2]])
    plain = plot.summary_markdown([hostile_run(["w"] * 3), hostile_run(["w"] * 3, seed=1)], ["w.json"] * 2, ["w"])
    assert md_structure(md) == md_structure(plain)
    for s in strings:
        assert norm(s) in md_text(md)


def compare_markdown(tmp, strings):
    """compare.py --markdown over two runs of different CPUs (strings[0], strings[1]), each with a
    failed row (reasons strings[2], strings[3])."""
    base = make_run(v3=True, sizes=(1024,), cpu_model=strings[0])
    cand = make_run(v3=True, sizes=(1024,), cpu_model=strings[1] + " (candidate)", seed=1)
    for d, why in ((base, strings[2]), (cand, strings[3])):
        d["results"][0].update(status="failed", reason=why, time_s=None, gbps=None, elements_per_s=None)
    (tmp / "a.json").write_text(json.dumps(base))
    (tmp / "b.json").write_text(json.dumps(cand))
    res = run_script("compare.py", tmp / "a.json", tmp / "b.json", "--markdown", "--ignore-device")
    assert res.returncode in (0, 1), res.stderr
    return res.stdout


@given(st.lists(hostile_text, min_size=4, max_size=4))
@example([MD_INJECTION, "x | y", XSS, MATHTEXT])
@settings(few, max_examples=4)
def test_compare_markdown_keeps_device_names_and_reasons_as_text(tmp_path_factory, strings):
    """compare.py --markdown (a CI summary): the note naming two CPUs and the reasons of rows
    not compared are data. Hypothesis: 4 random examples (a comparison each, ~0.5 s)."""
    md = compare_markdown(tmp_path_factory.mktemp("compare"), strings)
    if "plain" not in BENIGN:
        BENIGN["plain"] = md_structure(compare_markdown(tmp_path_factory.mktemp("plain"), ["w"] * 4))
    assert md_structure(md) == BENIGN["plain"]
    for s in strings:
        assert norm(s) in md_text(md)



# ---------------------------------------------------------------------------------------------
# plot.py: charts draw data as plain text


def svg_text(path: Path) -> str:
    """Every text element of an SVG (which must parse as XML), and no script or foreign
    content in it."""
    root = ET.parse(path).getroot()
    tags = {el.tag.rsplit("}", 1)[-1] for el in root.iter()}
    assert not tags & {"script", "foreignObject", "a", "iframe"}, tags
    return " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("}text"))


def plot_with(tmp_path, strings, name):
    doc = hostile_run(strings, sizes=(2**10,))
    doc["ceilings"][0]["variant"] = strings[-1]  # the bar chart names the copy that won a cell
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / f"{name}-charts"
    res = run_script("plot.py", path, "-o", out)
    assert res.returncode == 0, res.stderr[-2000:]
    return out, doc


@given(st.lists(hostile_text, min_size=3, max_size=3))
@example([MATHTEXT, MATHTEXT + " \x1b[31m\ud800\ufffe", MD_INJECTION])
@settings(few, max_examples=1)
def test_charts_draw_data_as_plain_text(tmp_path_factory, strings):
    """A CPU model "Intel $\\undefinedcmd{x}$ CPU" is matplotlib mathtext (a traceback if drawn
    as such), and control characters make SVGs that do not parse. Every chart draws such strings
    as the text they are, and summary.md shows them as text. Hypothesis adds one random example
    only: each draws 10 charts (1.5 to 4 s); the many-example tests of these strings are the
    Markdown ones above."""
    out, doc = plot_with(tmp_path_factory.mktemp("plot"), strings, "run")
    svgs = sorted(out.glob("*.svg"))
    assert len(svgs) == 5
    for svg in svgs:
        assert norm(doc["host"]["cpu_model"]) in norm(svg_text(svg)), svg.name
    md = (out / "summary.md").read_text()
    assert "<script" not in md and "<img" not in md and "![" not in md
    for s in strings:
        assert norm(s) in md_text(md)
