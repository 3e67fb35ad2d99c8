"""Reading input files strictly and writing output files atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kg.errors import InputError, KgError, Problem

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
REFUSED_SUFFIXES = {
    ".rdf": "RDF/XML",
    ".owl": "RDF/XML",
    ".xml": "RDF/XML",
    ".jsonld": "JSON-LD",
    ".json": "JSON-LD",
    ".n3": "N3",
    ".trig": "TriG",
    ".nq": "N-Quads",
}


def max_bytes() -> int:
    """The largest input file accepted, from $KG_MAX_FILE_BYTES (default 512 MiB)."""
    raw = os.environ.get("KG_MAX_FILE_BYTES")
    if not raw:
        return DEFAULT_MAX_BYTES
    try:
        return int(raw)
    except ValueError:
        # A setting, not input: one line and exit 2, rather than the same problem once per file read.
        raise KgError(f"KG_MAX_FILE_BYTES must be a whole number of bytes, not {raw!r}")


def refused_format(path: Path) -> str | None:
    """Why a data file is refused unread, or None if its format is accepted."""
    fmt = REFUSED_SUFFIXES.get(path.suffix.lower())
    if fmt:
        return (f"{fmt} is not accepted here (entity expansion and remote contexts are attack surfaces); "
                "convert it to Turtle or a seed table")
    return None


def check_size(path: Path, shown: str) -> None:
    """Refuse a file larger than max_bytes() before anything reads it."""
    limit = max_bytes()
    size = path.stat().st_size
    if size > limit:
        message = f"file is {size} bytes, over the limit of {limit} (set KG_MAX_FILE_BYTES to raise it)"
        raise InputError([Problem(shown, 0, "error", message, "file-size")])


def read_text(path: Path, shown: str) -> str:
    """The file's text: UTF-8, BOM dropped, CRLF turned to LF; refused if too large or not UTF-8."""
    check_size(path, shown)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the file as UTF-8"
        raise InputError([Problem(shown, line, "error", message, "encoding")])
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n")


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write a file so that readers see the old or the new content, never a half-written one.

    A failed write (a full disk, a file size limit) is one KgError naming the file; the old file stays.
    A device or pipe (/dev/stdout, a FIFO) is written to directly: it cannot be replaced, only written.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if path.exists() and not path.is_file():
        try:
            with path.open("wb") as handle:
                handle.write(raw)
        except OSError as exc:
            raise KgError(f"cannot write {path}: {exc.strerror or exc}")
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise KgError(f"cannot write {path}: {exc.strerror or exc}")
    try:
        # mkstemp makes the file private (0600): keep the mode of the file we replace, or give a new one
        # the mode any other new file would get under the umask.
        os.fchmod(fd, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise KgError(f"cannot write {path}: {exc.strerror or exc}; nothing was written")
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
