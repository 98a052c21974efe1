#!/usr/bin/env python3
"""Lines of every top-level definition (function, class, table) in C++ files, largest first:
brace depth outside namespaces, string/char literals and comments stripped."""
import re, sys
for path in sys.argv[1:]:
    src = open(path).read()
    src = re.sub(r'R"\((.|\n)*?\)"', lambda m: '""' + '\n' * m.group(0).count('\n'), src)  # raw strings
    src = re.sub(r'//[^\n]*', '', src)
    src = re.sub(r'"(\\.|[^"\\])*"', '""', src)
    src = re.sub(r"'(\\.|[^'\\])'", "''", src)
    depth, start, rows, stmt_start = 0, None, [], None
    for ln, line in enumerate(src.split('\n'), 1):
        s = line.strip()
        if depth == 0 and s and stmt_start is None and not s.startswith(('#', '}')): stmt_start = ln
        if depth == 0 and re.match(r'(namespace\b.*|extern "C".*)\{\s*$', s): stmt_start = None; continue
        if depth == 0 and s.startswith('}  // namespace'): stmt_start = None; continue
        for ch in line:
            if ch == '{':
                if depth == 0: start = stmt_start or ln
                depth += 1
            elif ch == '}':
                depth -= 1
                if depth == 0: rows.append((ln - start + 1, f"{path}:{start}"))
        if depth == 0 and s.endswith((';', '}')): stmt_start = None
    for n, where in sorted(rows, reverse=True)[:3]: print(f"{n:4d} {where}")
