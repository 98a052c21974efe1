"""The one results loader of every script: load, validate, index, and write outputs safely.

results/schema.json is the contract with the bench binary. Every consumer (plot.py, compare.py,
validate_results.py, update_readme.py, report.py) reads a results file through load_results(),
which refuses anything it cannot use with an InputError whose message is the one line the user
sees (exit 2 through run_main()), never a traceback:

  - bytes: not UTF-8 (UTF-16 and invalid bytes are named as such; a UTF-8 BOM is accepted),
    larger than MAX_BYTES, or not a regular readable file;
  - JSON: malformed, nested too deeply for the parser, NaN/Infinity literals or numbers that
    overflow to inf (JSON has neither; a NaN time would compare as SAME with everything);
  - schema: results/schema.json, with the exact message of the first violation;
  - rows: what a schema cannot say: an `ok` row needs finite, positive times with
    min <= median <= max, and positive GB/s (a zero time is a division by zero downstream).

Validating 100,000 rows one by one with jsonschema takes about 25 s, so rows are validated by
shape: two rows whose values differ only where the schema cannot tell them apart (the same keys,
types, enum values, pattern matches and sides of every numeric bound) get the same verdict, and
each shape is validated once. The schema's keywords are checked at import: one this shape does
not capture makes every row validate in full, slower but never wrong. Shapes are computed column by
column (numpy over a field of thousands of rows at once), and the rows are parsed by orjson a
run of ~4 MB at a time (a quarter of the standard library's time, and the whole parsed document
never exists beside the compacted one); where orjson is missing or refuses a run, the standard
library's parser reads it row by row, so every error message stays its.

The index (row identity, ceilings, the pairing of every activation with ReLU) is results_index.py.
Names of variants and activations always come from the file, never from a list kept here.
"""

from __future__ import annotations

import bisect
import gc
import json
from array import array
import math
import os
import re
import stat
import sys
import tempfile
from sys import intern
from contextlib import contextmanager
from itertools import chain
from pathlib import Path

try:  # parses a 116 MB file in a quarter of the standard library's time; that parser is the fallback
    import orjson
except ImportError:
    orjson = None
try:  # the column-wise shapes (below); without numpy, rows are shaped one at a time
    import numpy as np
except ImportError:
    np = None

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "results" / "schema.json"
SCHEMA_NAME = "elubench-results"
SCHEMA_VERSION = 3
# Versions this code reads: 2 only adds the GPU timing fields, 3 the rows' `params` (and any
# activation name); files of versions 1 and 2 load too (results_index reads their params).
SCHEMA_VERSIONS = (1, 2, 3, 4)
# A fleet's worth of rows (100,000) is about 70 MB; a file 4x larger than that is not a results file
# this machine should parse into memory (Python objects take ~8x the bytes).
MAX_BYTES = 256 << 20

DTYPE_BYTES = {"f32": 4, "f16": 2, "bf16": 2}


class InputError(Exception):
    """Input a script cannot use; the message is the one line the user sees."""


# ---------------------------------------------------------------------------------------------
# Reading bytes and JSON


def _read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # a FIFO would block, /dev/zero never end
            raise InputError(f"{path}: not a regular file")
        if st.st_size > limit:  # checked before reading: read(limit) would allocate it all
            if limit == MAX_BYTES:
                raise InputError(f"{path}: larger than {MAX_BYTES >> 20} MiB; not read (split the run into several files)")
            raise InputError(f"{path}: larger than {limit:,} bytes; not read")
        with open(path, "rb") as f:
            return f.read(limit + 1)  # a file that grew since the stat is still read no further
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from None


def _decode(path: Path, data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 1 and (data[0] == 0 or data[1] == 0)):
        raise InputError(f"{path}: looks UTF-16 encoded; results files are UTF-8 JSON")
    if data.startswith(b"\xef\xbb\xbf"):  # a BOM some editors add: harmless, skip it
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text (invalid byte at offset {e.start}); results files are UTF-8 JSON") from None


def _no_constant(name):
    raise ValueError(f"{name} is not JSON (a measurement can't be {name})")


def _finite_float(text):
    v = float(text)
    if not math.isfinite(v):
        raise ValueError(f"number {text[:20]} overflows a double")
    return v


def read_text(path, limit: int = MAX_BYTES) -> str:
    """A regular UTF-8 file of at most `limit` bytes (the bounded reader of every input)."""
    path = Path(path)
    data = _read_bytes(path, limit)
    if len(data) > limit:
        raise InputError(f"{path}: larger than {limit:,} bytes; not read")
    return _decode(path, data)


def read_json(path, limit: int = MAX_BYTES) -> object:
    """Any JSON file, read as strictly as a results file: UTF-8, no NaN/Infinity, bounded depth,
    at most `limit` bytes."""
    path = Path(path)
    text = read_text(path, limit)
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: malformed JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply to read") from None
    except ValueError as e:  # NaN/Infinity, overflowing floats, integers over 4300 digits
        raise InputError(f"{path}: unusable number: {str(e).splitlines()[0]}") from None


# ---------------------------------------------------------------------------------------------
# Validation


_validators = {}


def _load_schema(schema_path: Path) -> dict:
    try:
        return json.loads(Path(schema_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(f"{schema_path}: cannot read the schema: {e}") from None


# Keywords whose verdict depends only on what _shape() keeps of a value.
_SHAPE_SAFE = {"$schema", "$id", "$ref", "$defs", "title", "description", "format", "type", "enum",
               "const", "required", "properties", "additionalProperties", "items", "oneOf", "anyOf",
               "allOf", "not", "if", "then", "else", "minimum", "maximum", "exclusiveMinimum",
               "exclusiveMaximum", "minItems", "maxItems", "minLength", "maxLength", "pattern",
               "propertyNames"}  # an object's shape keeps its keys, so their names are seen


class _Validator:
    """The schema compiled once: a whole-document validator, a per-row validator, and what a
    row's shape must keep (the enum strings, the patterns, the numeric and length bounds)."""

    def __init__(self, schema: dict):
        self.doc = jsonschema.Draft202012Validator(schema)
        self.items = {}  # the schema of one results row and of one ceilings entry
        for name, ref in (("result", "#/$defs/result"), ("ceiling", "#/properties/ceilings/items")):
            sub = {k: schema[k] for k in ("$schema", "$defs", "properties") if k in schema}
            sub["$ref"] = ref
            self.items[name] = jsonschema.Draft202012Validator(sub)
        self.enums, self.patterns, self.bounds, self.lengths = set(), [], set(), set()
        self.shape_ok = True
        self._walk(schema)
        self.patterns = [re.compile(p) for p in sorted(set(self.patterns))]
        # ±inf as bounds: a number that overflowed to inf (1e999) gets a shape of its own, which
        # item_error then refuses (json's fast parser turns 1e999 into inf without a word).
        self.bounds |= {math.inf, -math.inf}
        self.bounds, self.lengths = sorted(self.bounds), sorted(self.lengths)
        self.valid_shapes, self._strings = set(), {}
        # Whether some array of a row or ceiling wants integer items: then a list's shape must say
        # whether all its numbers are integral (a slower look at every sample).
        items = _find_items(schema.get("$defs", {})) + _find_items(schema.get("properties", {}).get("ceilings", {}))
        self.int_items = any(isinstance(it, dict) and "integer" in json.dumps(it.get("type")) for it in items)

    def _walk(self, node):
        if isinstance(node, list):
            for x in node:
                self._walk(x)
            return
        if not isinstance(node, dict):
            return
        for k, v in node.items():
            if k in ("properties", "$defs"):
                for sub in v.values():
                    self._walk(sub)
                continue
            if k not in _SHAPE_SAFE:
                self.shape_ok = False
            if k == "enum":
                self.enums.update(x for x in v if isinstance(x, str))
            elif k == "const" and isinstance(v, str):
                self.enums.add(v)
            elif k == "pattern":
                self.patterns.append(v)
            elif k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                self.bounds.add(v)
            elif k in ("minItems", "maxItems", "minLength", "maxLength"):
                self.lengths.add(v)
            elif k not in ("description", "title", "$schema", "$id", "$ref", "format", "type", "required"):
                self._walk(v)

    def _num(self, v):
        """A number's shape as one negative int: whether it is integral, where it falls among the
        schema's bounds and whether it equals one. Negative, so it never equals a bool or None."""
        bounds = self.bounds
        i = bisect.bisect_left(bounds, v)
        on = i < len(bounds) and bounds[i] == v
        return -1 - ((2 * i + on) * 2 + (type(v) is int or v.is_integer()))

    def _len(self, n):
        return (bisect.bisect_left(self.lengths, n), n in self.lengths)

    def shape(self, v):
        """What the schema can see of v; equal shapes get equal verdicts (see the module doc)."""
        t = type(v)
        if t is float or t is int:
            return self._num(v)
        if t is str:
            got = self._strings.get(v)  # names, variants, tolerances repeat across rows
            if got is None:
                got = ("e", v) if v in self.enums else \
                    ("s", self._len(len(v)), tuple(p.search(v) is not None for p in self.patterns))
                if len(self._strings) < 100_000:
                    self._strings[v] = got
            return got
        if t is dict:
            return self._object(v)
        if t is list:
            types = set(map(type, v))
            if v and types <= {int, float}:  # samples: bounded by their extremes, typed as a whole
                whole = all(float(x).is_integer() for x in v) if self.int_items else None
                return ("N", self._len(len(v)), whole, self._num(min(v)), self._num(max(v)))
            return ("a", self._len(len(v)), *[self.shape(x) for x in v])
        if v is None or t is bool:
            return v
        return ("?", t.__name__)

    def _object(self, d):
        """shape() of a dict, inlined for the common values: a results row is ~25 of them, and
        this runs once per row of files of 100,000 rows (a call per value took 8 s a file)."""
        out, strings, bounds, bisect_left = [], self._strings, self.bounds, bisect.bisect_left
        nb = len(bounds)
        for x in d.values():
            t = type(x)
            if t is float or t is int:  # self._num(x), inlined
                i = bisect_left(bounds, x)
                out.append(-1 - ((2 * i + (i < nb and bounds[i] == x)) * 2 + (t is int or x.is_integer())))
            elif t is str:
                got = strings.get(x)
                out.append(got if got is not None else self.shape(x))
            elif x is None:
                out.append(None)
            else:
                out.append(self.shape(x))
        return ("o", tuple(d), tuple(out))

    # Shapes column by column: the shape of every value of one field of 100,000 rows at once (numpy
    # for numbers, one shape per distinct string), combined into one code per row. Rows with equal
    # codes have equal shape() (different codes may share one: a validation more, never a wrong
    # verdict). Anything not plainly numbers, strings or objects of them is shaped one by one.

    def codes(self, col):
        """One int64 per value of the list col, equal where shape() is equal."""
        types = set(map(type, col))
        got = None
        if not col:
            return np.zeros(0, np.int64)
        if types <= {float, int}:
            got = self._num_codes(col, types)
        elif types <= {float, int, type(None)}:  # a number or null (cols, threads): null is code 0
            where = [i for i, x in enumerate(col) if x is not None]
            got = self._num_codes([col[i] for i in where], types - {type(None)})
            if got is not None:
                out = np.zeros(len(col), np.int64)
                out[where] = got  # negative: never 0
                got = out
        elif types <= {str, bool, type(None)}:  # hashed as keys: no two of these types collide
            ids, sid = {}, {}
            for x in set(col):
                sid[x] = ids.setdefault(self.shape(x), len(ids))
            got = np.fromiter(map(sid.__getitem__, col), np.int64, len(col))
        elif types <= {dict, type(None)}:
            got = self._dict_codes(col)
        elif types == {list}:
            got = self._list_codes(col)
        if got is None:
            ids = {}
            got = np.fromiter((ids.setdefault(self.shape(x), len(ids)) for x in col), np.int64, len(col))
        return got

    def _num_codes(self, col, types):
        """_num() of every number of col, or None when floats could not hold them exactly."""
        try:
            a = np.array(col, dtype=np.float64)
        except OverflowError:
            return None
        if np.isnan(a).any() or (int in types and np.abs(a).max() >= 2.0 ** 53):
            return None
        b = np.array(self.bounds, dtype=np.float64)
        i = np.searchsorted(b, a, side="left")
        on = (i < len(b)) & (b[np.minimum(i, len(b) - 1)] == a)
        integral = np.isfinite(a) & (a == np.floor(a))
        return -1 - ((2 * i + on) * 2 + integral)

    def _list_codes(self, lists):
        """The shape of lists of numbers (samples): length, min and max; None for other lists."""
        if self.int_items:
            return None
        lens = np.fromiter(map(len, lists), np.int64, len(lists))
        if not lens.all() or not set(map(type, chain.from_iterable(lists))) <= {float, int}:
            return None
        lo, hi = list(map(min, lists)), list(map(max, lists))
        lo, hi = self._num_codes(lo, set(map(type, lo))), self._num_codes(hi, set(map(type, hi)))
        if lo is None or hi is None:
            return None
        bl = np.array(self.lengths, dtype=np.int64)
        length = np.searchsorted(bl, lens, side="left") * 2 + np.isin(lens, bl)
        return _combine([length, lo, hi])

    def _dict_codes(self, dicts):
        """Objects (or null): one group per key order, each field's column shaped as a whole."""
        groups = {}
        for i, d in enumerate(dicts):
            groups.setdefault(None if d is None else tuple(d), []).append(i)
        out, offset = np.empty(len(dicts), np.int64), 0
        for keys, idx in groups.items():
            if keys is None or not keys:
                out[idx] = offset
                offset += 1
                continue
            sub = dicts if len(idx) == len(dicts) else [dicts[i] for i in idx]
            got = _combine([self.codes([d[k] for d in sub]) for k in keys])
            out[idx] = got + offset
            offset += int(got.max()) + 1
        return out

    def first_error(self, kind, items):
        """(index, error) of the first row or ceiling the schema refuses, or None: each distinct
        shape validated once, in the order of its first item."""
        if np is None or not self.shape_ok or len(items) < 32:  # few: numpy's overhead would dominate
            return next(((i, e) for i, e in ((i, self.item_error(kind, x)) for i, x in enumerate(items))
                         if e is not None), None)
        _, first = np.unique(self.codes(items), return_index=True)
        for i in sorted(first.tolist()):
            error = self.item_error(kind, items[i])
            if error is not None:
                return i, error
        return None

    def item_error(self, kind, item):
        """The schema's first complaint about one row or ceiling (or its first number that is
        not finite), or None."""
        if self.shape_ok:
            key = (kind, self.shape(item))
            if key in self.valid_shapes:
                return None
        where = _nonfinite(item)
        if where is not None:
            return _Problem(where, "a number overflows a double (JSON has no inf)")
        error = jsonschema.exceptions.best_match(self.items[kind].iter_errors(item))
        if error is None and self.shape_ok:
            self.valid_shapes.add(key)
        return error


def _combine(columns):
    """One code per row of the columns' codes together (equal only where every column is): each
    column numbered densely, then mixed in as digits (renumbered before the int64 would overflow)."""
    acc, size = np.zeros(len(columns[0]), np.int64), 1
    for c in columns:
        values, c = np.unique(c, return_inverse=True)
        if size * len(values) >= 1 << 62:
            acc = np.unique(acc, return_inverse=True)[1].reshape(-1)
            size = int(acc.max()) + 1
        acc = acc * len(values) + c.reshape(-1)
        size *= len(values)
    return acc


class _Problem:
    """A complaint shaped like a jsonschema error (absolute_path, message)."""

    def __init__(self, path, message):
        self.absolute_path, self.message = path, message


def _nonfinite(v, path=()):
    """The path to the first inf or NaN number in v, or None."""
    t = type(v)
    if t is float:
        return None if math.isfinite(v) else list(path)
    if t is dict:
        items = v.items()
    elif t is list:
        items = enumerate(v)
    else:
        return None
    for k, x in items:
        got = _nonfinite(x, (*path, k))
        if got is not None:
            return got
    return None


def _find_items(node):
    """Every "items" subschema under node."""
    if isinstance(node, list):
        return [x for n in node for x in _find_items(n)]
    if not isinstance(node, dict):
        return []
    return ([node["items"]] if "items" in node else []) + [x for v in node.values() for x in _find_items(v)]


def _get_validator(schema_path=SCHEMA_PATH) -> _Validator:
    global jsonschema
    try:
        import jsonschema
    except ImportError:
        raise InputError("python package 'jsonschema' is missing (scripts/install_deps.sh installs it)") from None
    key = str(schema_path)
    if key not in _validators:
        _validators[key] = _Validator(_load_schema(schema_path))
    return _validators[key]


def _brief(message):
    """jsonschema quotes the offending value whole: keep the line readable."""
    return message if len(message) <= 160 else message[:150] + " …"


def _where(error, prefix=()):
    return "/".join(str(p) for p in (*prefix, *error.absolute_path)) or "(top level)"


def _check_row_values(row) -> str | None:
    """What the schema cannot say about an ok row; None when it holds."""
    if row["status"] != "ok":
        return None
    t = row["time_s"]
    if not t["samples"]:
        return "an ok row has no samples"
    if min(t["samples"]) <= 0 or t["median"] <= 0 or t["min"] <= 0:
        return "an ok row has a zero time (no kernel takes 0 s)"
    if not t["min"] <= t["median"] <= t["max"]:
        return f"min {t['min']:g} <= median {t['median']:g} <= max {t['max']:g} does not hold"
    if not row["gbps"] > 0:
        return "an ok row has GB/s <= 0"
    return None


def validate(doc, path, schema_path=SCHEMA_PATH, rows_checked=False) -> None:
    """Raises InputError with the first violation of the schema or of the row checks."""
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA_NAME:
        raise InputError(f"{path}: not an elubench results file (no \"schema\": \"{SCHEMA_NAME}\")")
    # Checked before the full validation so a file from another version says so plainly.
    if doc.get("schema_version") not in SCHEMA_VERSIONS:
        raise InputError(f"{path}: schema_version {doc.get('schema_version')!r} is not supported "
                         f"(this script reads versions {', '.join(map(str, SCHEMA_VERSIONS))})")
    rows = doc.get("results")
    if not isinstance(rows, list):
        raise InputError(f"{path}: \"results\" must be a list of rows, not {type(rows).__name__}")
    if not rows:
        raise InputError(f"{path}: \"results\" is empty: the run measured nothing")
    v = _get_validator(schema_path)
    head = dict(doc, results=[], ceilings=[])  # rows and ceilings are validated one shape at a time
    where = _nonfinite(head)
    if where is not None:
        raise InputError(f"{path}: unusable number at {'/'.join(map(str, where))}: overflows a double (JSON has no inf)")
    error = jsonschema.exceptions.best_match(v.doc.iter_errors(head))
    if error is not None:
        raise InputError(f"{path}: does not match results/schema.json at {_where(error)}: {_brief(error.message)}")
    if not isinstance(doc["ceilings"], list):
        raise InputError(f"{path}: \"ceilings\" must be a list")
    ceilings = doc["ceilings"]
    found = v.first_error("ceiling", ceilings)
    for i in range(found[0] if found else len(ceilings)):  # valid ceilings, before the first that is not
        if not ceilings[i]["median_s"] > 0:
            raise InputError(f"{path}: ceilings/{i}: median_s must be > 0")
    if found:
        raise InputError(f"{path}: does not match results/schema.json at {_where(found[1], ('ceilings', found[0]))}: "
                         f"{_brief(found[1].message)}")
    if not rows_checked:
        bad = _first_row_problem(v, rows)
        if bad:
            raise InputError(f"{path}: {bad}")
        _require_params(doc, path, next((i for i, r in enumerate(rows) if "params" not in r), None))


def _require_params(doc, path, first_missing):
    """Schema 3 rows carry `params` (the schema says so too, but rows are validated one at a time,
    without the document's version); older files have none and results_index reads them."""
    if first_missing is not None and doc["schema_version"] >= 3:
        raise InputError(f"{path}: results/{first_missing} has no \"params\" (required from schema_version 3)")


def _first_row_problem(v, rows, start=0):
    """The first problem of any of rows (results[start:start + len(rows)]) as the message's tail,
    or None. The schema's verdicts come shape by shape (first_error); the value checks run on
    the rows before the first row the schema refuses, which they may be the first problem of."""
    found = v.first_error("result", rows)
    for i in range(found[0] if found else len(rows)):
        bad = _check_row_values(rows[i])
        if bad:
            return f"results/{start + i} ({rows[i]['name']} n={rows[i]['n']}): {bad}"
    if found:
        i, error = found
        return f"does not match results/schema.json at {_where(error, ('results', start + i))}: {_brief(error.message)}"
    return None


_WS = re.compile(r"[ \t\n\r]*")
_decoder = json.JSONDecoder(parse_constant=_no_constant)
# Where one row may end and the next begin. Also inside a string or a nested array, but a run of
# rows cut there is not valid JSON, so orjson refuses it and the rows are read one by one instead.
_ROW_GAP = re.compile(r"\}[ \t\n\r]*,[ \t\n\r]*\{")
_LAST_ROW = re.compile(r"\}[ \t\n\r]*\]")
CHUNK_CHARS = 4 << 20  # ~3,500 rows parsed by orjson at a time: fast, and a small memory peak


def _rows_chunk(text, i):
    """(the rows of the ~CHUNK_CHARS of text from i, where the next row starts) as orjson parses
    them, or (None, where to try again): at the last rows, or where orjson refuses the run (a
    NaN, 1e999, a lone surrogate, or a cut inside a string), the standard library reads them
    one by one, for its exact messages. orjson reads integers of 20 to 308 digits as floats,
    which no field of a results file holds; what else it accepts, the standard library does."""
    m = _ROW_GAP.search(text, i + CHUNK_CHARS)
    if m is None:  # the last rows: up to the "]" that closes the array (the first few candidates)
        for k, m in zip(range(4), _LAST_ROW.finditer(text, i)):
            try:
                return orjson.loads("[" + text[i:m.start() + 1] + "]"), m.end() - 1
            except orjson.JSONDecodeError:
                pass
        return None, len(text)
    try:
        return orjson.loads("[" + text[i:m.start() + 1] + "]"), m.end() - 1
    except orjson.JSONDecodeError:
        return None, m.end()


def _stream(text, on_rows):
    """json.loads of a top-level object, except that the elements of "results" are handed to
    on_rows(start, rows, by_orjson) a run at a time as soon as they are parsed, replaced by the list it
    returns: the whole parsed document never exists beside the compacted one. None when the
    text is not shaped so (the caller then parses it plainly, for the exact error)."""
    i = _WS.match(text, 0).end()
    if text[i:i + 1] != "{":
        return None
    doc, i = {}, _WS.match(text, i + 1).end()
    if text[i:i + 1] == "}":
        return doc
    while True:
        key, i = _decoder.raw_decode(text, i)
        i = _WS.match(text, i).end()
        if not isinstance(key, str) or text[i:i + 1] != ":":
            return None
        i = _WS.match(text, i + 1).end()
        if key == "results" and text[i:i + 1] == "[":
            rows, i = [], _WS.match(text, i + 1).end()
            retry = i if orjson is not None else len(text)
            while text[i:i + 1] != "]":
                if i >= retry:
                    got, at = _rows_chunk(text, i)
                    if got is not None:
                        rows += on_rows(len(rows), got, True)
                        i = at
                        continue
                    retry = at
                row, i = _decoder.raw_decode(text, i)
                rows += on_rows(len(rows), [row], False)
                i = _WS.match(text, i).end()
                if text[i:i + 1] == ",":
                    i = _WS.match(text, i + 1).end()
                    if text[i:i + 1] == "]":
                        return None  # a trailing comma: let json.loads name the error
                elif text[i:i + 1] != "]":
                    return None
            doc[key], i = rows, i + 1
        else:
            doc[key], i = _decoder.raw_decode(text, i)
        i = _WS.match(text, i).end()
        if text[i:i + 1] == "}":
            return doc if _WS.match(text, i + 1).end() == len(text) else None
        if text[i:i + 1] != ",":
            return None
        i = _WS.match(text, i + 1).end()


def _stream_without_gc(text, on_rows):
    """_stream with the cyclic collector paused: rows hold no cycles, and its passes over a heap
    that grows by 100,000 rows cost about a tenth of the load."""
    was = gc.isenabled()
    gc.disable()
    try:
        return _stream(text, on_rows)
    finally:
        if was:
            gc.enable()


def _shared(d):
    """d with its keys and string values shared with every other row's (one json.loads shares
    keys across a document; one raw_decode per row does not: 1.3 KB a row)."""
    return {intern(k): (intern(v) if type(v) is str else v) for k, v in d.items()}


def _share_values(d):
    for k, v in d.items():
        if type(v) is str:
            d[k] = intern(v)  # an existing key: the dict does not change size while iterated


def _compact(row, samples_as_array, keys_shared=False):
    """A validated row with shared strings and, for samples_as_array, samples unboxed into an
    array of doubles: a 100,000-row file then takes about half the memory, which is what keeps
    two of them under 500 MB in compare.py. keys_shared: the parser shared the keys already
    (orjson does), so only the string values are, in place (a third of the time of new dicts)."""
    if keys_shared:
        _share_values(row)
    else:
        row = _shared(row)
    for k in ("time_s", "accuracy", "params"):
        if type(row.get(k)) is dict:
            if keys_shared:
                _share_values(row[k])
            else:
                row[k] = _shared(row[k])
    if samples_as_array and row["time_s"] is not None:
        row["time_s"]["samples"] = array("d", row["time_s"]["samples"])
    return row


def _hooked(doc, row_hook):
    if row_hook:
        doc["results"] = [row_hook(r) for r in doc["results"]]
    return doc


def load_results(path, schema_path=SCHEMA_PATH, compact=False, row_hook=None) -> dict:
    """Reads and validates one results file; raises InputError with a one-line reason.
    compact=True returns each row's samples as array('d') (not JSON-serializable), for scripts
    that read large files; rows are validated as they are parsed, and row_hook(row), when given,
    replaces each valid row as soon as it is read (compare.py keeps only what it needs)."""
    path = Path(path)
    text = _decode(path, _read_bytes(path))
    v, failed, no_params = _get_validator(schema_path), [], []

    def on_rows(start, rows, by_orjson):
        if failed:
            return rows
        bad = _first_row_problem(v, rows, start)
        if bad:
            failed.append(bad)
            return rows
        if not no_params:
            no_params.extend(start + i for i, r in enumerate(rows) if "params" not in r)
            del no_params[1:]  # the first is the one named
        if row_hook:  # the hook keeps what it needs; sharing the rest would be wasted work
            return [row_hook(r) for r in rows]
        return [_compact(r, compact, by_orjson) for r in rows]
    try:
        doc = _stream_without_gc(text, on_rows)
        del text
        if doc is None:
            doc = read_json(path)
            validate(doc, path, schema_path)
            return _hooked(doc, row_hook)
        validate(doc, path, schema_path, rows_checked=True)  # each row was checked as it was read
        if failed:
            raise InputError(f"{path}: {failed[0]}")
        _require_params(doc, path, no_params[0] if no_params else None)
        # The rows live as long as the script: later collections need not walk them again (a
        # full one over 100,000 rows each time compare.py made its arrays cost ~2 s).
        gc.freeze()
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: malformed JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply to read") from None
    except ValueError as e:  # NaN/Infinity, integers over 4300 digits
        raise InputError(f"{path}: unusable number: {str(e).splitlines()[0]}") from None
    return doc


# ---------------------------------------------------------------------------------------------
# Running a script and writing its outputs


def fail(prog: str, message: str) -> int:
    """Prints the one line for unusable input and returns the exit status for it."""
    print(f"{prog}: error: {message}", file=sys.stderr)
    return 2


def run_main(prog: str, main, argv=None) -> int:
    """main(argv) with every failure a script can meet turned into one line and exit 2:
    InputError (unusable input), OSError (a full or read-only disk while writing), MemoryError
    and RecursionError (input too large or too deep). A bug still shows its traceback."""
    try:
        return main(argv)
    except InputError as e:
        return fail(prog, str(e))
    except OSError as e:
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        return fail(prog, f"{where}{e.strerror or e}")
    except MemoryError:
        return fail(prog, "out of memory reading the input")
    except RecursionError:
        return fail(prog, "input nested too deeply")


@contextmanager
def atomic_path(path):
    """Yields a temporary path beside `path`; renamed onto it only when the block succeeds, so a
    full or read-only disk never leaves a truncated file, and no temporary file stays behind."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise InputError(f"{path}: cannot write: {e.strerror or e}") from None
    os.close(fd)
    try:
        yield tmp
        try:  # keep the mode of the file replaced; mkstemp's 0600 would hide a new one from others
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except OSError:
            mode = 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as e:
        raise InputError(f"{path}: cannot write: {e.strerror or e}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text_atomic(path, text: str) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())


def make_output_dir(path) -> Path:
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"{out}: cannot create the folder: {e.strerror or e}") from None
    return out


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
