"""A results row's fields as people read them, and data strings made safe for every output.

Strings from a results file are data: plain_text() puts one on a line any output can hold (a
chart's SVG), md_text() makes Markdown render exactly that text. Every Markdown and chart writer
puts a file's strings through these.
"""

from __future__ import annotations

import math
import re

DTYPE_BYTES = {"f32": 4, "f16": 2, "bf16": 2}


# ---------------------------------------------------------------------------------------------
# Reading one row (the index of a document is results_index.py)


def device_name(doc: dict, device: str) -> str:
    """The machine a row ran on: the GPU's name for GPU rows, the CPU model for CPU rows."""
    if device == "gpu" and doc.get("gpu"):
        return doc["gpu"]["name"]
    if device == "gpu":
        return "no GPU"
    return doc["host"]["cpu_model"]


def max_ulp(row: dict):
    """The row's max ULP as a float (inf for "inf"), or None when not checked."""
    acc = row.get("accuracy")
    if not acc:
        return None
    v = acc["max_ulp"]
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return math.inf
    return float(v)


def throttle_mark(row: dict):
    """The list of throttle reasons of a GPU row marked as throttled, else None (also for
    rows of schema version 1, which carry no clock data)."""
    t = row.get("gpu_timing")
    if t and t.get("throttled"):
        return t.get("throttle") or ["throttled"]
    return None


def size_label(n: int) -> str:
    """2^k for powers of two (the suite's sizes), the plain number otherwise."""
    if n > 0 and n & (n - 1) == 0:
        return f"2^{n.bit_length() - 1}"
    return str(n)


def fmt_num(v, digits=3) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and math.isinf(v):
        return "inf"
    return f"{v:.{digits}g}"


# ---------------------------------------------------------------------------------------------
# Strings from a results file are data: how they go into Markdown and charts


# Line breaks and other control characters (C0, DEL, C1, Unicode line/paragraph separators): a
# newline inside a data string would end a table row or start a heading.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What starts Markdown inline syntax (CommonMark and GitHub's tables, strikethrough and $ math):
# code, emphasis, links and images ([...]), footnotes, table cells, headings' closing #; and _
# unless it sits between two letters or digits, where it cannot start emphasis (snake_case stays).
_MD_SPECIAL = re.compile(r"([\\`*\[\]#|~$]|(?<![^\W_])_|_(?![^\W_]))")
# What starts a block when a line begins with it: a list item, a setext underline.
_MD_LEADING = re.compile(r"^([-+=]|\d+(?=[.)]))")
# What no UTF-8 file or XML document can hold: lone surrogates (the standard library's JSON parser
# accepts "\ud800") and U+FFFE, U+FFFF.
_NOT_TEXT = re.compile("[\ud800-\udfff\ufffe\uffff]")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def plain_text(s) -> str:
    """A data string on one line that any output can hold (charts' SVG, Markdown): control
    characters as spaces, what is not text as U+FFFD."""
    return _NOT_TEXT.sub("\ufffd", _CONTROL.sub(" ", str(s)))


def md_text(s) -> str:
    """A data string (a CPU model, a reason, a file name) as Markdown that renders as exactly
    that text: on one line without edge spaces, HTML's & < > as entities (no tag, comment or
    autolink can start), and Markdown's punctuation backslash-escaped. Every Markdown writer puts data through this;
    never inside a code span, where no escape works."""
    s = plain_text(s).strip()  # edge spaces would stop **...** around it from being bold
    s = "".join(_HTML.get(c, c) for c in s)
    s = _MD_SPECIAL.sub(r"\\\1", s)
    # "-" becomes "\-"; "1." becomes "1\." (the escape goes on the punctuation).
    return _MD_LEADING.sub(lambda m: m[0] + "\\" if m[0].isdigit() else "\\" + m[0], s)
