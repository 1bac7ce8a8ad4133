"""One walk of a knowledge folder that never fails on what a folder can hold: broken and looping
symlinks, unreadable sub-folders, files removed while it looks. Those become problems to report.

Symlinked files are followed (an editor may link an article kept elsewhere); symlinked folders
are not (a link to `..` would loop), as `Path.rglob` did before.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import NamedTuple


class Entry(NamedTuple):
    """A visible file or sub-folder with what tells a change: size and mtime (ns)."""

    path: Path
    relative: str
    mtime_ns: int
    size: int
    is_file: bool


class Problem(NamedTuple):
    """Something in the folder that cannot be read, and why (Vietnamese)."""

    path: Path
    reason: str


class FolderScan(NamedTuple):
    entries: list[Entry]
    problems: list[Problem]


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "liên kết tượng trưng lặp vòng (trỏ qua lại vào nhau), bỏ qua"
    if exc.errno == errno.ENOENT:
        return "liên kết tượng trưng trỏ tới tệp không còn tồn tại, bỏ qua"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "không có quyền đọc, bỏ qua"
    return f"không đọc được ({exc.strerror or exc}), bỏ qua"


def _entry(path: Path, root: Path, problems: list[Problem]) -> Entry | None:
    """Stat through symlinks; a broken one is a problem, a file gone meanwhile is nothing."""
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        if path.is_symlink():
            problems.append(Problem(path, _reason(exc)))
        return None
    except OSError as exc:
        problems.append(Problem(path, _reason(exc)))
        return None
    is_file = not path.is_dir()
    relative = str(path.relative_to(root))
    return Entry(path, relative, info.st_mtime_ns, info.st_size, is_file)


def scan_folder(root: Path) -> FolderScan:
    """Every visible file and sub-folder under `root` (hidden ones and their contents skipped)."""
    entries: list[Entry] = []
    problems: list[Problem] = []

    def unreadable(exc: OSError) -> None:
        path = Path(exc.filename) if exc.filename else root
        problems.append(Problem(path, f"thư mục {_reason(exc)}"))

    for folder, dirs, files in os.walk(root, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        names = [*dirs, *sorted(f for f in files if not f.startswith("."))]
        for name in names:
            if (entry := _entry(Path(folder, name), root, problems)) is not None:
                entries.append(entry)
    return FolderScan(entries, problems)


def newest_change(root: Path, scan: FolderScan) -> float:
    """Latest mtime (s) of the folder itself and everything in it: edits, additions, removals."""
    stamps = [root.stat().st_mtime_ns, *(entry.mtime_ns for entry in scan.entries)]
    return max(stamps) / 1e9
