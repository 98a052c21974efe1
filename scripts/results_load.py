"""The one results loader of every script: read, parse and check a results file, or refuse it.

results/schema.json is the contract with the bench binary. Every consumer (plot.py, compare.py,
validate_results.py, update_readme.py, report.py) reads a results file through load_results(),
which refuses anything it cannot use with an InputError whose message is the one line the user
sees (exit 2 through script_io.run_main()), never a traceback:

  - bytes: not UTF-8 (UTF-16 and invalid bytes are named as such; a UTF-8 BOM is accepted),
    larger than MAX_BYTES, or not a regular readable file;
  - JSON: malformed, nested too deeply for the parser, NaN/Infinity literals or numbers that
    overflow to inf (JSON has neither; a NaN time would compare as SAME with everything);
  - schema and rows: results_schema.py, with the exact message of the first violation.

read_text() and read_json() read any other input (a counts file, a convergence file) by the same
rules. The rows are parsed by orjson a run of ~4 MB at a time (a quarter of the standard
library's time, and the whole parsed document never exists beside the compacted one) and
checked as they are parsed; where orjson is missing or refuses a run, the standard library's
parser reads it row by row, so every error message stays its.

The index (row identity, ceilings, the pairing of every activation with ReLU) is results_index.py.
Names of variants and activations always come from the file, never from a list kept here.
"""

from __future__ import annotations

import gc
import json
import math
import os
import re
import stat
from array import array
from pathlib import Path
from sys import intern

import results_schema
from results_schema import SCHEMA_PATH
from script_io import InputError

try:  # parses a 116 MB file in a quarter of the standard library's time; that parser is the fallback
    import orjson
except ImportError:
    orjson = None

# A fleet's worth of rows (100,000) is about 70 MB; a file 4x larger than that is not a results file
# this machine should parse into memory (Python objects take ~8x the bytes).
MAX_BYTES = 256 << 20


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
# Parsing and checking the rows as they are read


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
    v, failed, no_params = results_schema.get_validator(schema_path), [], []

    def on_rows(start, rows, by_orjson):
        if failed:
            return rows
        bad = results_schema.first_row_problem(v, rows, start)
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
            results_schema.validate(doc, path, schema_path)
            return _hooked(doc, row_hook)
        results_schema.validate(doc, path, schema_path, rows_checked=True)  # each row was checked as it was read
        if failed:
            raise InputError(f"{path}: {failed[0]}")
        results_schema.require_params(doc, path, no_params[0] if no_params else None, schema_path)
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
