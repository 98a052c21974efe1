"""Checking a results document against results/schema.json, the contract with the bench binary,
with the exact message of the first violation, plus what a schema cannot say: an `ok` row needs
finite, positive times with min <= median <= max, and positive GB/s (a zero time is a division by
zero downstream). The name and versions a file may declare are the schema's own (its `schema`
const and `schema_version` enum; the enum's description is the versions' changelog).

Validating 100,000 rows one by one with jsonschema takes about 25 s, so rows are validated by
shape: two rows whose values differ only where the schema cannot tell them apart (the same keys,
types, enum values, pattern matches and sides of every numeric bound) get the same verdict, and
each shape is validated once. The schema's keywords are checked when it is compiled: one this
shape does not capture makes every row validate in full, slower but never wrong. Shapes are
computed column by column (numpy over a field of thousands of rows at once).
"""

from __future__ import annotations

import bisect
import json
import math
import re
from itertools import chain
from pathlib import Path

from script_io import ROOT, InputError

try:  # the column-wise shapes (below); without numpy, rows are shaped one at a time
    import numpy as np
except ImportError:
    np = None

SCHEMA_PATH = ROOT / "results" / "schema.json"

_schemas, _validators = {}, {}


def _load_schema(schema_path) -> dict:
    key = str(schema_path)
    if key not in _schemas:
        try:
            _schemas[key] = json.loads(Path(schema_path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise InputError(f"{schema_path}: cannot read the schema: {e}") from None
    return _schemas[key]


def identity(schema_path=SCHEMA_PATH) -> tuple[str, tuple[int, ...]]:
    """(the `schema` name, the `schema_version` values) a results file may declare, as the schema
    states them; the newest version is the one elubench writes."""
    props = _load_schema(schema_path).get("properties", {})
    try:
        return props["schema"]["const"], tuple(props["schema_version"]["enum"])
    except (KeyError, TypeError):
        raise InputError(f"{schema_path}: the schema states no \"schema\" const and \"schema_version\" enum") from None


def params_required_from(schema_path=SCHEMA_PATH) -> int | None:
    """The schema_version from which every row must carry `params`, read from the schema's
    if/then (None where it has none)."""
    schema = _load_schema(schema_path)
    then = schema.get("then", {}).get("properties", {}).get("results", {}).get("items", {})
    if "params" not in then.get("required", []):
        return None
    return schema["if"]["properties"]["schema_version"]["minimum"]


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


def get_validator(schema_path=SCHEMA_PATH) -> _Validator:
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
    name, versions = identity(schema_path)
    if not isinstance(doc, dict) or doc.get("schema") != name:
        raise InputError(f"{path}: not an elubench results file (no \"schema\": \"{name}\")")
    # Checked before the full validation so a file from another version says so plainly.
    if doc.get("schema_version") not in versions:
        raise InputError(f"{path}: schema_version {doc.get('schema_version')!r} is not supported "
                         f"(this script reads versions {', '.join(map(str, versions))})")
    rows = doc.get("results")
    if not isinstance(rows, list):
        raise InputError(f"{path}: \"results\" must be a list of rows, not {type(rows).__name__}")
    if not rows:
        raise InputError(f"{path}: \"results\" is empty: the run measured nothing")
    v = get_validator(schema_path)
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
        bad = first_row_problem(v, rows)
        if bad:
            raise InputError(f"{path}: {bad}")
        require_params(doc, path, next((i for i, r in enumerate(rows) if "params" not in r), None), schema_path)


def require_params(doc, path, first_missing, schema_path=SCHEMA_PATH):
    """Rows carry `params` from the version the schema's if/then names (rows are validated one at
    a time, without the document's version, so this is checked here); older files have none and
    results_index reads them. first_missing: the index of the first row without, or None."""
    since = params_required_from(schema_path)
    if first_missing is not None and since is not None and doc["schema_version"] >= since:
        raise InputError(f"{path}: results/{first_missing} has no \"params\" (required from schema_version {since})")


def first_row_problem(v, rows, start=0):
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
