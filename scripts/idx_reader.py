#!/usr/bin/env python3
"""IDX files (the MNIST / Fashion-MNIST format), read directly: no download, no framework.

  idx_reader.py FILE [FILE ...]      prints each file's type and dimensions; exit 2 on a bad file

Format (LeCun's MNIST page): two zero bytes, a type code (0x08 unsigned byte, 0x09 signed byte,
0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions, each dimension
as a big-endian uint32, then the values in C order, big-endian. Debian's dataset-fashion-mnist
ships the files gzipped; a name ending in .gz is decompressed, and never past what its header
says plus one byte, so a file that claims too little or a gzip bomb is refused without reading it
all. A file that does not hold exactly what its header says (truncated, trailing bytes, a wrong
magic) is an IdxError whose message is the one line the user sees (exit 2 through run_main).
"""

from __future__ import annotations

import gzip
import struct
import sys
import zlib
from pathlib import Path
from typing import NamedTuple

import script_io

PROG = "idx_reader.py"
# type code -> (struct format of one big-endian value, bytes per value, numpy dtype name)
TYPES = {0x08: ("B", 1, "u1"), 0x09: ("b", 1, "i1"), 0x0B: (">h", 2, ">i2"),
         0x0C: (">i", 4, ">i4"), 0x0D: (">f", 4, ">f4"), 0x0E: (">d", 8, ">f8")}
# Fashion-MNIST's largest file is 47 MB; 1 GiB of payload is not an image set this tool reads.
MAX_PAYLOAD = 1 << 30
MAX_DIMS = 8


class IdxError(script_io.InputError):
    """A file that is not a well-formed IDX file; the message names the file and what is wrong."""


class Idx(NamedTuple):
    type_code: int
    dims: tuple
    payload: bytes  # the values, big-endian, exactly prod(dims) * itemsize bytes

    def array(self):
        """The values as a numpy array of shape dims (native byte order)."""
        import numpy as np
        a = np.frombuffer(self.payload, dtype=np.dtype(TYPES[self.type_code][2]))
        return a.reshape(self.dims).astype(a.dtype.newbyteorder("="), copy=False)


def parse_header(data: bytes, name: str = "IDX data") -> tuple[int, tuple, int]:
    """(type code, dims, header length) of data's header; IdxError when it is not one."""
    if len(data) < 4:
        raise IdxError(f"{name}: truncated IDX header ({len(data)} bytes; the magic number alone is 4)")
    if data[0] != 0 or data[1] != 0 or data[2] not in TYPES:
        raise IdxError(f"{name}: not an IDX file (magic number 0x{data[:4].hex()}; want 0x0000 then a type "
                       f"code among {', '.join(f'0x{t:02x}' for t in TYPES)} and a dimension count)")
    ndim = data[3]
    if not 1 <= ndim <= MAX_DIMS:
        raise IdxError(f"{name}: IDX header gives {ndim} dimensions (this reader takes 1 to {MAX_DIMS})")
    head = 4 + 4 * ndim
    if len(data) < head:
        raise IdxError(f"{name}: truncated IDX header ({len(data)} bytes; {ndim} dimensions need {head})")
    dims = struct.unpack(f">{ndim}I", data[4:head])
    return data[2], dims, head


def payload_bytes(type_code: int, dims: tuple) -> int:
    n = TYPES[type_code][1]
    for d in dims:
        n *= d
    return n


def parse_idx(data: bytes, name: str = "IDX data") -> Idx:
    """The IDX file in data; IdxError unless it holds exactly what its header says."""
    code, dims, head = parse_header(data, name)
    want = payload_bytes(code, dims)
    if want > MAX_PAYLOAD:
        raise IdxError(f"{name}: IDX header claims {want} bytes of values (over {MAX_PAYLOAD >> 20} MiB)")
    got = len(data) - head
    if got < want:
        raise IdxError(f"{name}: truncated: the header {'x'.join(map(str, dims))} needs {want} bytes of values, "
                       f"the file has {got}")
    if got > want:
        raise IdxError(f"{name}: {got - want} bytes after the {want} bytes of values its header "
                       f"{'x'.join(map(str, dims))} gives (not one IDX file)")
    return Idx(code, tuple(dims), bytes(data[head:]))


def encode_idx(type_code: int, dims, payload: bytes) -> bytes:
    """The IDX bytes of values already big-endian (the tests' writer, and the format's definition)."""
    return bytes([0, 0, type_code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims) + payload


def _read_gzip(path: Path) -> bytes:
    """The decompressed bytes of a .gz file, at most what its IDX header says plus one byte."""
    try:
        with gzip.open(path, "rb") as f:
            head = f.read(4)
            if len(head) == 4 and head[0] == 0 and head[1] == 0:
                head += f.read(4 * head[3])
            try:
                code, dims, _ = parse_header(head, str(path))
            except IdxError:
                return head  # parse_idx names what is wrong with it
            want = payload_bytes(code, dims)
            return head + f.read(min(want, MAX_PAYLOAD) + 1)
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise IdxError(f"{path}: damaged gzip data ({e}); reinstall dataset-fashion-mnist") from None


def _read_plain(path: Path) -> bytes:
    """An uncompressed file's bytes: a regular file no larger than the largest header plus payload."""
    limit = 4 + 4 * MAX_DIMS + MAX_PAYLOAD
    try:
        if not path.is_file():  # a FIFO would block, /dev/zero never end
            raise IdxError(f"{path}: not a regular file" if path.exists() else f"{path}: no such file")
        if path.stat().st_size > limit:
            raise IdxError(f"{path}: larger than {limit >> 20} MiB; not an image set this tool reads")
        return path.read_bytes()
    except OSError as e:
        raise IdxError(f"{path}: cannot read: {e.strerror or e}") from None


def read_idx(path) -> Idx:
    """One IDX file (gzipped when its name ends in .gz); IdxError or InputError with one line."""
    path = Path(path)
    if path.suffix == ".gz":
        try:
            data = _read_gzip(path)
        except OSError as e:
            raise IdxError(f"{path}: cannot read: {e.strerror or e}") from None
    else:
        data = _read_plain(path)
    return parse_idx(data, str(path))


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        usage = "usage: " + __doc__.strip().splitlines()[2].strip()
        print(usage, file=sys.stdout if args else sys.stderr)
        return 0 if args else 2
    for p in args:
        idx = read_idx(p)
        print(f"{p}: type 0x{idx.type_code:02x}, dims {'x'.join(map(str, idx.dims))}")
    return 0


if __name__ == "__main__":
    sys.exit(script_io.run_main(PROG, main))
