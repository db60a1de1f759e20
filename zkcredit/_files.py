"""Files that cross the trust boundary: strict JSON in, atomic and non-clobbering writes out.

Every reader and writer of user files in zkcredit (CLI, wallets, keys, presentations,
vectors) goes through these two functions so the rules live in one place:

* `read_json_file` — bounded size, UTF-8, no duplicate keys (ADVERSARIAL C7), no
  NaN/Infinity, bounded nesting (E3); every failure is `InvalidEncoding` naming the file.
* `write_file_atomic` — the bytes land completely or not at all (temporary file in the
  same directory, fsync, then a link or rename); secret files are created with mode 0600
  from the start; an existing file or a symlink is never overwritten unless the caller
  asks to replace it, and even then a symlink is refused (E4).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from zkcredit.errors import InvalidEncoding, OutputExists

__all__ = [
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "loads_strict",
    "read_file_bounded",
    "read_json_file",
    "write_file_atomic",
]

MAX_JSON_BYTES = 64 * 1024 * 1024
"""Files larger than this are refused before parsing (E3)."""

MAX_JSON_DEPTH = 64
"""Deeper nesting than this is refused before parsing (E3): no format of ours needs it."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InvalidEncoding(f"duplicate JSON key {key!r}")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise InvalidEncoding(f"{name} is not valid JSON")


def _check_depth(text: str) -> None:
    """Refuse nesting deeper than `MAX_JSON_DEPTH` with one linear scan (strings skipped)."""
    depth = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise InvalidEncoding(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        elif ch in "]}":
            depth -= 1


def loads_strict(data: bytes | str) -> Any:
    """Parse JSON text under the strict rules (raises `InvalidEncoding`, never ValueError)."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        if len(text) > MAX_JSON_BYTES:
            raise InvalidEncoding(f"{len(text)} characters is too large")
        _check_depth(text)
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except InvalidEncoding:
        raise
    except (ValueError, RecursionError) as exc:
        # UnicodeDecodeError and json.JSONDecodeError are ValueErrors.
        raise InvalidEncoding(f"not valid JSON ({type(exc).__name__})") from None


def read_file_bounded(path: str | os.PathLike[str], what: str, limit: int) -> bytes:
    """A file's bytes, refusing one over ``limit`` bytes before reading it (E3); errors are
    `InvalidEncoding` starting with ``what path:``."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > limit:
            raise InvalidEncoding(f"{what} {p}: {size} bytes is too large")
        return p.read_bytes()
    except OSError as exc:
        raise InvalidEncoding(f"{what} {p}: cannot read ({exc.strerror})") from None


def read_json_file(path: str | os.PathLike[str], what: str) -> Any:
    """Strict JSON from a file; errors are `InvalidEncoding` starting with ``what path:``."""
    data = read_file_bounded(path, what, MAX_JSON_BYTES)
    try:
        return loads_strict(data)
    except InvalidEncoding as exc:
        raise InvalidEncoding(f"{what} {Path(path)}: {exc}") from None


def write_file_atomic(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    secret: bool = False,
    replace: bool = False,
) -> Path:
    """Write ``data`` to ``path`` all-or-nothing and return the path.

    ``secret`` creates the file with mode 0600 (before any byte is written). Without
    ``replace`` an existing path (file, directory or symlink, even a dangling one) raises
    `OutputExists`; with it, an existing regular file is replaced atomically but a symlink
    is still refused, so a planted link cannot redirect a secret.
    """
    target = Path(path)
    try:
        st = target.lstat()
    except FileNotFoundError:
        st = None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise OutputExists(f"{target} is a symlink; refusing to write through it")
        if not replace:
            raise OutputExists(f"{target} already exists; refusing to overwrite it")
        if not stat.S_ISREG(st.st_mode):
            raise OutputExists(f"{target} exists and is not a regular file")
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        # mkstemp creates the file 0600; widen only for non-secret outputs (umask applies).
        if not secret:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp_name, target)
        else:
            try:
                os.link(tmp_name, target)  # fails with EEXIST: never clobbers a racing writer
            except FileExistsError:
                raise OutputExists(f"{target} already exists; refusing to overwrite it") from None
            os.unlink(tmp_name)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    return target
