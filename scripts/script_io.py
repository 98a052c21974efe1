"""What every script shares to run and to write: one line and exit 2 for input it cannot use,
and outputs that are complete or absent.

InputError is unusable input; its message is the one line the user sees. run_main() turns it,
and every other failure a script can meet on its input or its disk, into that line and exit 2
(a bug still shows its traceback). atomic_path() and write_text_atomic() write a temporary file
beside the target and rename it, so a full or read-only disk never leaves a truncated file.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the checkout (or bundle) the scripts belong to


class InputError(Exception):
    """Input a script cannot use; the message is the one line the user sees."""


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
