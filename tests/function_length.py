#!/usr/bin/env python3
"""Lines of every top-level definition (function, class, table) in C++ files, largest first
(TOP=N of them per file, default 3): brace depth counted outside namespaces, with string and
character literals and comments stripped first. With --max N: exit 1 when a function (a
definition whose first line has a parameter list) is longer than N lines.
usage: function_length.py [--max N] FILE.cpp ..."""
import os, re, sys

args = sys.argv[1:]
limit = None
if args[:1] == ["--max"]:
    limit, args = int(args[1]), args[2:]
too_long = []
for path in args:
    src = open(path).read()
    src = re.sub(r'R"\((.|\n)*?\)"', lambda m: '""' + '\n' * m.group(0).count('\n'), src)  # raw strings
    src = re.sub(r'"(\\.|[^"\\\n])*"', '""', src)
    src = re.sub(r"'(\\.|[^'\\])'", "''", src)
    src = re.sub(r'//[^\n]*', '', src)
    stack, depth, rows, stmt_start = [], 0, [], None
    for ln, line in enumerate(src.split('\n'), 1):
        s = line.strip()
        if depth == 0 and s and stmt_start is None and not s.startswith(('#', '}')): stmt_start = ln
        ns = depth == 0 and re.match(r'(namespace\b[^{]*|extern ""\s*)\{\s*$', s)
        for ch in line:
            if ch == '{':
                if ns: stack.append('ns'); continue
                if depth == 0: start, head = stmt_start or ln, src.split('\n')[(stmt_start or ln) - 1]
                depth += 1
            elif ch == '}':
                if depth == 0 and stack: stack.pop(); continue
                depth -= 1
                if depth == 0:
                    rows.append((ln - start + 1, f"{path}:{start}"))
                    # A function: "name(" on its first line, not a table or class ("= {", "class X {").
                    if limit and ln - start + 1 > limit and re.search(r'\w\s*\(', head) and '=' not in head.split('(')[0]:
                        too_long.append(f"{path}:{start}: {ln - start + 1} lines (limit {limit})")
        if depth == 0 and (ns or s.endswith((';', '}'))): stmt_start = None
    for n, where in sorted(rows, reverse=True)[:int(os.environ.get("TOP", "3"))]: print(f"{n:4d} {where}")
for t in too_long: print(f"function_length.py: {t}", file=sys.stderr)
sys.exit(1 if too_long else 0)
