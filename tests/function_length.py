#!/usr/bin/env python3
"""No function longer than a screen: every function in the C++, CUDA, Python and JavaScript files
of the tree (kernels/, bench/, scripts/, tests/), counted from its first line to its last.

  C++ and CUDA  comments, strings, character literals and preprocessor lines are blanked first;
                then every `{` at namespace or class level opens either a scope that may hold
                functions (namespace, class, struct, union, enum, extern "C") or a definition.
                A definition whose head (the text since the previous `;`, `{` or `}`) has a
                parameter list is a function, and its first line is the head's first line: for
                a template that is the `template <…>` line. Lambdas and local classes count as
                part of the function that holds them.
  Python        the standard library's parser: every def at any depth, from its first decorator.
  JavaScript    strings, template literals, regular expressions and comments skipped; a `{`
                after `=>`, or after a parameter list that follows `function`, a function's name
                or a method's name (not if/for/while/switch/catch), opens a function; every one
                at any depth is measured, from the line of its parameter list.

usage: function_length.py [--max N] [--top K] [PATH ...]
  PATH: files or folders (default: the tree's kernels bench scripts tests). Prints the K longest
  functions (default 0); exit 1 when one is over N lines (default 60) and is not in ALLOWED, or
  when an entry of ALLOWED is no longer over N; exit 2 on a file it cannot read or parse.
"""
from __future__ import annotations

import ast
import bisect
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREE = ("kernels", "bench", "scripts", "tests")
CPP = (".cpp", ".hpp", ".h", ".cc", ".cu", ".cuh")
LIMIT = 60

# Functions over the limit, as path:name, each with the reason it stays long. An entry that is no
# longer over the limit fails the check (when the whole tree is checked), so none outlives its
# function.
ALLOWED: set[str] = set()


class Function:
    def __init__(self, path: str, name: str, first: int, last: int):
        self.path, self.name, self.first, self.last = path, name, first, last

    @property
    def lines(self) -> int:
        return self.last - self.first + 1

    @property
    def key(self) -> str:
        return f"{self.path}:{self.name}"


def _line_of(starts):
    return lambda offset: bisect.bisect_right(starts, offset)


def _newline_offsets(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _blank(m) -> str:
    """A match replaced by spaces, its newlines kept (line numbers stay right)."""
    return re.sub(r"[^\n]", " ", m.group(0))


# ---------------------------------------------------------------------------------------------
# C++ and CUDA

_CPP_NOISE = re.compile(
    r'//[^\n]*'                                   # line comment
    r'|/\*.*?\*/'                                 # block comment
    r'|^[ \t]*#(?:\\\n|[^\n])*'                   # preprocessor line with its continuations
    r'|R"([^ ()\\\t\n]{0,16})\(.*?\)\1"'          # raw string
    r'|"(?:\\.|[^"\\\n])*"'                       # string
    r"|(?<![0-9A-Za-z_])'(?:\\.|[^'\\\n]){1,8}'",  # character (not a digit separator: 10'000)
    re.S | re.M)
_CONTAINER = re.compile(r"\s*(?:(?:inline\s+)?namespace\b[^(]*$|(?:class|struct|union|enum)\b|extern\s*$)", re.S)  # extern "C" {
_ACCESS = re.compile(r"\s*(?:(?:public|private|protected)\s*:(?!:)\s*)+")
_TEMPLATE = re.compile(r"\s*template\s*<")
_CTOR_BRACE_INIT = re.compile(r"\)\s*(?:noexcept\s*)?:(?!:)[^;]*[\w>]\s*$", re.S)
_NOT_NAMES = {"__launch_bounds__", "__attribute__", "alignas", "__align__", "__declspec", "decltype"}
_OPERATOR = re.compile(r"operator\s*(?:\(\s*\)|[^\s(]+)\s*(?=\()")


def _skip_template(head: str) -> str:
    """head without its leading template <…> parameter lists."""
    while _TEMPLATE.match(head):
        depth, i = 0, head.index("<")
        for i in range(i, len(head)):
            depth += {"<": 1, ">": -1}.get(head[i], 0)
            if depth == 0:
                break
        head = head[i + 1:]
    return head


def _cpp_function_name(head: str) -> str | None:
    """The name of the function whose head this is (before its body's `{`), or None when the
    head opens data (a table, a member's initializer)."""
    head = _OPERATOR.sub("operator", _skip_template(head))
    lambda_ = re.search(r"(\w+)\s*=\s*\[[^\]]*\]\s*(?:\(|[a-z]|$)", head)  # a lambda held by a name
    if lambda_:
        return lambda_.group(1)
    if "(" not in head.split("=")[0]:
        return None
    head = re.sub(r"<[^<>()]*>\s*(?=\()", "", head)  # from_float<float>(float v): the name before <
    for m in re.finditer(r"((?:[A-Za-z_]\w*\s*::\s*)*~?[A-Za-z_]\w*)\s*\(", head):
        outside = head.count("(", 0, m.start()) == head.count(")", 0, m.start())
        if outside and m.group(1) not in _NOT_NAMES:
            return re.sub(r"\s+", "", m.group(1))
    return "?"


def _cpp_class_name(head: str) -> str | None:
    """The name a class scope gives the functions inside it; None for namespaces and the like."""
    m = re.match(r"\s*(?:class|struct|union)\s+(?:alignas\s*\([^)]*\)\s*|__align__\s*\([^)]*\)\s*)?(\w+)",
                 _skip_template(head))
    return m.group(1) if m else None


def _matching_brace(src: str, at: int) -> int:
    depth = 0
    for m in re.finditer(r"[{}]", src[at:]):
        depth += 1 if m.group(0) == "{" else -1
        if depth == 0:
            return at + m.start()
    return len(src)


def cpp_functions(path: str, text: str) -> list[Function]:
    src = _CPP_NOISE.sub(_blank, text)
    line = _line_of(_newline_offsets(src))
    found, classes = [], []  # the class name (or None) of each open namespace-like scope
    stmt, skip_to = 0, -1  # where the statement at scope level began; braces that belong to it
    body = None  # (head, first offset) of the definition being read, and its brace depth
    depth = 0
    for m in re.finditer(r"[{};]", src):
        c, at = m.group(0), m.start()
        if at <= skip_to:
            continue
        if body is not None:
            depth += {"{": 1, "}": -1}.get(c, 0)
            if depth == 0:
                name = _cpp_function_name(body[0])
                if name is not None:
                    found.append(Function(path, "::".join([k for k in classes if k] + [name]), line(body[1]), line(at)))
                body, stmt = None, m.end()
        elif c == ";":
            stmt = m.end()
        elif c == "}":
            if classes:
                classes.pop()
            stmt = m.end()
        else:
            raw = src[stmt:at]
            access = _ACCESS.match(raw)
            head = raw[access.end():] if access else raw
            if head.count("(") > head.count(")") or _CTOR_BRACE_INIT.search(head):
                # braces inside a parameter list (a default argument `= {1, 2}`) or a constructor's
                # initializer list belong to the head
                skip_to = _matching_brace(src, at)
            elif _CONTAINER.match(_skip_template(head)):
                classes.append(_cpp_class_name(head))
                stmt = m.end()
            else:
                first = stmt + len(raw) - len(head.lstrip()) if head.strip() else at
                body, depth = (head, first), 1
    return found


# ---------------------------------------------------------------------------------------------
# Python


def python_functions(path: str, text: str) -> list[Function]:
    found, todo = [], [ast.parse(text, path)]
    while todo:  # statements only: a def is a statement (faster than ast.walk over expressions)
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            found.append(Function(path, node.name, first, node.end_lineno))
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            todo.extend(getattr(node, field, ()))
    return found


# ---------------------------------------------------------------------------------------------
# JavaScript

_JS_TOKEN = re.compile(r"""//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|[`{}()/]|=>""", re.S)
# After these (or only spaces, in the 12 characters looked at), a `/` starts a regular
# expression; after anything else it divides.
_JS_REGEX_AFTER = re.compile(r"(?:^|[(,=:\[!&|?{};+\-*%<>~^]|\b(?:return|typeof|case|do|else|in|of|void|yield))\s*$")
_JS_REGEX = re.compile(r"/(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\[\n])+/[a-z]*")
_JS_CONTROL = {"if", "for", "while", "switch", "catch", "with"}


def _js_skip_template(src: str, i: int) -> int:
    """The offset after the template literal whose opening backquote is at i (`${…}` nested)."""
    i += 1
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":
            return i + 1
        if src.startswith("${", i):
            i = _js_scan(src, i + 2, stop_at_close=True)
            continue
        i += 1
    return i


def _js_function_head(src: str, brace: int, parens: dict) -> tuple[int, str] | None:
    """(offset of the parameter list, name) when the `{` at brace opens a function body."""
    base = max(0, brace - 400)  # a head is never longer: windows keep the scan linear
    before = src[base:brace].rstrip()
    if before.endswith("=>"):
        params = before[:-2].rstrip()
        start = parens.get(base + len(params) - 1) if params.endswith(")") else None
        if start is None:
            m = re.search(r"[A-Za-z_$][\w$]*$", params)
            start = base + (m.start() if m else len(params))
        m = re.search(r"([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s*)?$", src[max(0, start - 200):start])
        return start, m.group(1) if m else "(arrow)"
    if not before.endswith(")") or base + len(before) - 1 not in parens:
        return None
    start = parens[base + len(before) - 1]
    ahead = src[max(0, start - 200):start]
    m = re.search(r"([A-Za-z_$][\w$]*)?\s*$", ahead)
    name = m.group(1) if m else None
    if name in _JS_CONTROL:
        return None
    if name is None and not re.search(r"\bfunction\s*\*?\s*$", ahead):
        return None
    return start, name or "function"


def _js_scan(src: str, i: int, stop_at_close=False, on_function=None) -> int:
    """Scans src from i; calls on_function(open, close, head) for each function body; returns the
    offset after the `}` that closes a `${` (stop_at_close) or the end."""
    stack, parens, open_parens = [], {}, []
    while i < len(src):
        m = _JS_TOKEN.search(src, i)
        if m is None:
            return len(src)
        tok, at = m.group(0), m.start()
        i = m.end()
        if tok == "`":
            i = _js_skip_template(src, at)
        elif tok == "/":
            r = _JS_REGEX.match(src, at) if _JS_REGEX_AFTER.search(src[max(0, at - 12):at]) else None
            if r:
                i = r.end()
        elif tok == "(":
            open_parens.append(at)
        elif tok == ")" and open_parens:
            parens[at] = open_parens.pop()
        elif tok == "{":
            stack.append((at, _js_function_head(src, at, parens)))
        elif tok == "}":
            if not stack:
                if stop_at_close:
                    return i
                continue
            start, head = stack.pop()
            if head is not None and on_function is not None:
                on_function(head[0], at, head[1])
    return i


def js_functions(path: str, text: str) -> list[Function]:
    line = _line_of(_newline_offsets(text))
    found = []
    _js_scan(text, 0, on_function=lambda first, last, name: found.append(Function(path, name, line(first), line(last))))
    return found


# ---------------------------------------------------------------------------------------------


def functions_of(path: Path, shown: str) -> list[Function]:
    text = path.read_text(encoding="utf-8")
    if path.suffix in CPP:
        return cpp_functions(shown, text)
    if path.suffix == ".py":
        return python_functions(shown, text)
    return js_functions(shown, text)


def files_under(paths) -> list[Path]:
    out = []
    for p in map(Path, paths):
        if p.is_file():
            out.append(p)
            continue
        for folder, dirs, files in os.walk(p):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
            out += [Path(folder, f) for f in sorted(files) if f.endswith(CPP + (".py", ".js"))]
    return out


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def main(argv) -> int:
    import argparse
    ap = argparse.ArgumentParser(prog="function_length.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--max", type=int, default=LIMIT)
    ap.add_argument("--top", type=int, default=0)
    ap.add_argument("paths", nargs="*")
    args = ap.parse_args(argv)
    found = []
    for path in files_under(args.paths or [ROOT / d for d in TREE]):
        try:
            found += functions_of(path, _shown(path))
        except (OSError, UnicodeDecodeError, SyntaxError) as e:
            print(f"function_length.py: {path}: {e}", file=sys.stderr)
            return 2
    for f in sorted(found, key=lambda f: -f.lines)[:args.top]:
        print(f"{f.lines:4d} {f.path}:{f.first} {f.name}")
    long = [f for f in found if f.lines > args.max]
    bad = [f for f in long if f.key not in ALLOWED]
    for f in bad:
        print(f"function_length.py: {f.path}:{f.first}: {f.name} is {f.lines} lines (limit {args.max})", file=sys.stderr)
    # Stale entries count only over the whole tree, where every allowed function is looked for.
    stale = sorted(ALLOWED - {f.key for f in long}) if not args.paths else []
    for key in stale:
        print(f"function_length.py: {key} is allowed but no longer over {args.max} lines: "
              f"remove it from ALLOWED", file=sys.stderr)
    return 1 if bad or stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
