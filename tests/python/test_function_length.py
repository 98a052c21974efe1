"""tests/function_length.py, the 60-line rule's checker: a function of 61 lines fails in every
language it reads (a C++ template among them), one of 60 passes, and what is inside strings,
comments and regular expressions never moves a function's end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT / "tests" / "function_length.py"
sys.path.insert(0, str(CHECKER.parent))
import function_length as fl  # noqa: E402


def body(k: int, indent="  ", stmt="x += 1;") -> str:
    return "".join(f"{indent}{stmt}\n" for _ in range(k))


# Each maker returns a file's text whose one long function spans `lines` lines, head to close.
def cpp_template_function(lines):
    return "namespace a {\ntemplate <typename T,\n          int N>\nT twice(T x) {\n" + body(lines - 4) + "}\n}  // namespace a\n"


def cpp_member_of_class_template(lines):
    return ("template <class T>\nstruct Box {\n  T v;\n public:\n  template <int K>\n  void fill() {\n"
            + body(lines - 3, "    ") + "  }\n};\n")


def cuda_kernel(lines):
    return "template <class T>\n__global__ void __launch_bounds__(256) k(T* y) {\n" + body(lines - 4) + "  y[0] = T{};\n}\n"


def python_function(lines):
    return "import os\n\n\n@staticmethod\ndef long_one(x):\n" + body(lines - 3, "    ", "x += 1") + "    return x\n"


def js_function(lines):
    return "const A = 1;\nfunction longOne(x) {\n" + body(lines - 2, "  ", "x += 1;") + "}\n"


def js_arrow(lines):
    return "const longArrow = (x) => {\n" + body(lines - 2, "  ", 'x += `${"}"}`.length;') + "};\n"


CASES = [("t.hpp", cpp_template_function, "twice"), ("box.cpp", cpp_member_of_class_template, "Box::fill"),
         ("k.cu", cuda_kernel, "k"), ("m.py", python_function, "long_one"), ("r.js", js_function, "longOne"),
         ("a.js", js_arrow, "longArrow")]


@pytest.mark.parametrize("name,make,function", CASES, ids=[c[0] for c in CASES])
def test_61_lines_fail_and_60_pass(tmp_path, capsys, name, make, function):
    path = tmp_path / name
    path.write_text(make(61))
    assert fl.main([str(path)]) == 1
    assert f"{function} is 61 lines (limit 60)" in capsys.readouterr().err
    path.write_text(make(60))
    assert fl.main([str(path)]) == 0, capsys.readouterr().err


def test_the_command_line_fails_on_a_long_function(tmp_path):
    (tmp_path / "t.hpp").write_text(cpp_template_function(61))
    r = subprocess.run([sys.executable, str(CHECKER), str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 1 and "twice is 61 lines (limit 60)" in r.stderr, r.stderr


def test_the_function_starts_at_its_template_line():
    got = fl.cpp_functions("t.hpp", cpp_template_function(61))
    assert [(f.name, f.first, f.lines) for f in got] == [("twice", 2, 61)]


# Lines that hold braces, quotes and comment markers the scanner must not take for code.
CPP_NOISE = ['auto s = "{ not a brace";', "char c = '{';", "// } no brace here", "/* { */",
             'auto r = R"x( } " )x";', "int big = 10'000'000;", "#define OPEN {", "if (x) { y(); }",
             "auto f = [](int v) { return v; };", 'const char* q = "\\"}";']
JS_NOISE = ['const s = "{";', "const t = '}';", "// }", "/* { */", "const r = /[{'\"]/g;",
            "const u = `a ${ {b: 1}.b } }`;", "if (x) { y(); }", "const g = v => { return v; };",
            "const d = a / b / c;"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(CPP_NOISE), min_size=1, max_size=70))
def test_cpp_noise_never_moves_the_end(lines):
    text = "template <class T>\nvoid f(T x) {\n" + "".join(f"  {s}\n" for s in lines) + "}\nint after() { return 1; }\n"
    got = [(f.name, f.first, f.lines) for f in fl.cpp_functions("n.cpp", text)]
    assert got == [("f", 1, len(lines) + 3), ("after", len(lines) + 4, 1)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(JS_NOISE), min_size=1, max_size=70))
def test_js_noise_never_moves_the_end(lines):
    text = "function f(x) {\n" + "".join(f"  {s}\n" for s in lines) + "}\nfunction after() { return 1; }\n"
    outer = [(f.name, f.first, f.lines) for f in fl.js_functions("n.js", text) if f.name in ("f", "after")]
    assert outer == [("f", 1, len(lines) + 2), ("after", len(lines) + 3, 1)]


def test_a_stale_allowance_fails(monkeypatch, capsys):
    """An allowed function that is no longer over the limit must leave the list."""
    monkeypatch.setattr(fl, "ALLOWED", {"bench/nowhere.cpp:gone"})
    monkeypatch.setattr(fl, "TREE", ("tests/cmake",))  # a small part of the tree: fast
    assert fl.main([]) == 1
    assert "bench/nowhere.cpp:gone is allowed but no longer over 60 lines" in capsys.readouterr().err
