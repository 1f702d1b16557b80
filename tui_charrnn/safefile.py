"""Opening files named by the user: only regular files, never blocking, with any path
shown printable and short enough for a one-line message.

A FIFO, a device (/dev/zero, a tty) or a socket is refused from its stat, before it is
opened; the open itself is non-blocking and the opened file is checked again (fstat), so
a FIFO swapped in between cannot hang the program. Callers read in bounded chunks.

Stdlib only: the CLI imports this (through catalog.py) before anything heavy.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

SHOWN_MAX = 160  # a longer path is shown as its first SHOWN_HEAD ... last SHOWN_TAIL characters
SHOWN_HEAD = 40
SHOWN_TAIL = 60
PATH_MAX = 4096  # Linux: bytes in a whole path, with its NUL
NAME_MAX = 255  # Linux: bytes in one file or folder name

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class RefusedFile(OSError):
    """A file that is not read; the message is one line naming it. An OSError, so code
    that handles a file it cannot read handles this one too."""


def printable(text) -> str:
    """text (a str, bytes or path) as printable one-line text: bytes that are not UTF-8
    (surrogate-escaped in a str path) become \\xNN, control characters are escaped."""
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    text = os.fspath(text) if isinstance(text, os.PathLike) else str(text)
    if text.isprintable():
        return text
    out = []
    for c in text:
        if "\udc80" <= c <= "\udcff":  # a byte that was not UTF-8 (os.fsdecode)
            out.append(f"\\x{ord(c) - 0xDC00:02x}")
        elif c.isprintable():
            out.append(c)
        else:
            out.append(c.encode("unicode_escape", "backslashreplace").decode("ascii"))
    return "".join(out)


def show_path(path) -> str:
    """A path for a message: printable, and shortened to its start ... end if long."""
    text = printable(path)
    if len(text) > SHOWN_MAX:
        text = f"{text[:SHOWN_HEAD]}...{text[-SHOWN_TAIL:]}"
    return text


def os_reason(e: OSError, path=None) -> str:
    """Why an OSError happened, in a few words (no path, no errno number)."""
    if e.errno == errno.ENAMETOOLONG and path is not None:
        raw = os.fsencode(os.fspath(path))
        if len(raw) >= PATH_MAX:
            return (
                f"the path is too long ({len(printable(path)):,} characters;"
                f" the limit is {PATH_MAX - 1:,} bytes)"
            )
        longest = max((len(part) for part in raw.split(b"/")), default=0)
        return (
            f"a file or folder name in the path is too long ({longest:,} bytes;"
            f" the limit is {NAME_MAX})"
        )
    if e.errno in (errno.ENOENT, errno.ENOTDIR):
        return "no such file"
    if e.errno == errno.ENAMETOOLONG:
        return "the path or a name in it is too long"
    if e.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if e.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    return e.strerror or str(e).splitlines()[0] or type(e).__name__


def kind_of(mode: int) -> str | None:
    """What a non-regular, non-directory file is ("a FIFO (named pipe)", ...); None for a
    regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "not a regular file"


def _require_regular(mode: int, path, what: str, link_note: str = "") -> None:
    shown = show_path(path)
    if stat.S_ISDIR(mode):
        raise RefusedFile(f"{shown}: is a directory, not a {what}")
    kind = kind_of(mode)
    if kind is not None:
        raise RefusedFile(
            f"{shown}: is {kind}{link_note}, not a regular file; only regular files are read"
        )


def _link_note(path) -> str:
    try:
        if os.path.islink(path):
            return f" (through a link to {show_path(os.path.realpath(path))})"
    except (OSError, ValueError):
        pass
    return ""


def check_regular(path, what: str = "file") -> os.stat_result:
    """stat(path) (following links); RefusedFile unless it is a regular file."""
    try:
        st = os.stat(path)
    except (OSError, ValueError) as e:  # ValueError: a NUL in the path
        reason = os_reason(e, path) if isinstance(e, OSError) else "not a valid path"
        raise RefusedFile(f"{show_path(path)}: {reason}") from None
    if not stat.S_ISREG(st.st_mode):
        _require_regular(st.st_mode, path, what, _link_note(path))
    return st


def open_regular(path, what: str = "file") -> BinaryIO:
    """Open a regular file for reading (binary, buffered, seekable). Anything else is a
    RefusedFile at once, before it is opened for reading; the open cannot block."""
    check_regular(path, what)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise RefusedFile(f"{show_path(path)}: cannot open: {os_reason(e, path)}") from None
    try:
        _require_regular(os.fstat(fd).st_mode, path, what)  # swapped since the stat?
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path, limit: int, what: str = "file", chunk: int = 1 << 20) -> bytes:
    """The whole of a small regular file, at most `limit` bytes (RefusedFile beyond),
    read in chunks so that a signal is handled between them."""
    with open_regular(path, what) as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise RefusedFile(
                f"{show_path(path)}: too large for a {what} ({size:,} bytes; at most {limit:,})"
            )
        parts, total = [], 0
        while total <= limit:
            part = f.read(min(chunk, limit + 1 - total))
            if not part:
                break
            parts.append(part)
            total += len(part)
    if total > limit:  # it grew while being read
        raise RefusedFile(f"{show_path(path)}: too large for a {what} (more than {limit:,} bytes)")
    return b"".join(parts)
