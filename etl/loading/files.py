"""Which files to load and in what order: never following a link, never opening a fifo."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from etl.names import shown_name
from etl.readers import open_return

RETURN_SUFFIXES = {".csv", ".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".htm", ".html"}


class NotARegularFile(OSError):
    """The path is a symbolic link, a folder, a fifo, a socket or a device: never opened."""

    @property
    def reasons(self) -> tuple[str, str]:
        """What the path is instead (zh, en)."""
        return (str(self.args[0]), str(self.args[1]))


# What a path that is not a regular file is, for messages (zh, en).
_NOT_REGULAR = {
    stat.S_IFLNK: ("符号链接（不跟随）", "a symbolic link (not followed)"),
    stat.S_IFDIR: ("文件夹（不搜索子文件夹）", "a folder (folders inside are not searched)"),
    stat.S_IFIFO: ("命名管道（不打开）", "a named pipe, fifo (not opened)"),
    stat.S_IFSOCK: ("套接字（不打开）", "a socket (not opened)"),
    stat.S_IFCHR: ("字符设备（不打开）", "a character device (not opened)"),
    stat.S_IFBLK: ("块设备（不打开）", "a block device (not opened)"),
}


def _what_it_is(mode: int) -> tuple[str, str]:
    return _NOT_REGULAR.get(stat.S_IFMT(mode), ("不是普通文件", "not a regular file"))


def open_regular(path: Path) -> int:
    """A read-only descriptor of ``path``, which must be a regular file itself.

    O_NOFOLLOW refuses a symbolic link and O_NONBLOCK keeps a fifo from
    blocking the open; what was opened is then checked to be a regular file.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        if os.path.islink(path):  # ELOOP from O_NOFOLLOW
            raise NotARegularFile(*_what_it_is(stat.S_IFLNK)) from err
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotARegularFile(*_what_it_is(mode))
    return fd


def sha256_of(path: Path) -> tuple[str, int]:
    """The SHA-256 and size of a regular file (NotARegularFile for anything else)."""
    digest = hashlib.sha256()
    size = 0
    with os.fdopen(open_regular(path), "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@dataclass(frozen=True)
class Skipped:
    """A path that was not loaded, and why: said once, the file left where it is."""

    path: Path
    reason_zh: str
    reason_en: str
    # A symbolic link or anything but a regular file or folder: not followed,
    # not opened. (Lock files and other names are merely passed over.)
    refused: bool = False

    def line(self) -> str:
        return f"跳过 skipped: {shown_name(self.path)} — {self.reason_zh} / {self.reason_en}"


def _return_suffix(name: str) -> bool:
    # ".csv" alone is a hidden file with no extension; "..csv" or ".x.csv" is a CSV.
    stem, dot, suffix = name.rpartition(".")
    return bool(dot and stem) and f".{suffix.lower()}" in RETURN_SUFFIXES


def scan_paths(
    paths: Iterable[Path], skip_folders: Iterable[str] = ()
) -> tuple[list[Path], list[Skipped]]:
    """Regular files to load, and what was passed over; nothing is opened or followed.

    A path given is loaded when it is a regular file, searched (not
    recursively) when it is a folder. In a folder, a regular file is loaded
    when its extension is a return's (names starting with a dot included);
    Office lock files (``~$x.xlsx``), other files and subfolders (but
    ``skip_folders``) are skipped with the reason. Symbolic links, fifos,
    sockets and devices are refused wherever they are.
    """
    found: list[Path] = []
    skipped: list[Skipped] = []
    passed_over = set(skip_folders)
    for path in paths:
        try:
            mode = os.lstat(path).st_mode
        except OSError as err:
            skipped.append(Skipped(path, f"无法访问：{err.strerror}", str(err.strerror), True))
            continue
        if stat.S_ISREG(mode):
            found.append(path)
            continue
        if not stat.S_ISDIR(mode):
            skipped.append(Skipped(path, *_what_it_is(mode), refused=True))
            continue
        try:
            with os.scandir(path) as entries:
                listed = sorted(entries, key=lambda e: os.fsencode(e.name))
        except OSError as err:
            skipped.append(
                Skipped(path, f"无法读取文件夹：{err.strerror}", str(err.strerror), True)
            )
            continue
        for entry in listed:
            inside = Path(entry.path)
            if entry.is_symlink():
                skipped.append(Skipped(inside, *_what_it_is(stat.S_IFLNK), refused=True))
            elif entry.is_dir(follow_symlinks=False):
                if entry.name not in passed_over:
                    skipped.append(Skipped(inside, *_what_it_is(stat.S_IFDIR)))
            elif not entry.is_file(follow_symlinks=False):
                mode = entry.stat(follow_symlinks=False).st_mode
                skipped.append(Skipped(inside, *_what_it_is(mode), refused=True))
            elif entry.name.startswith("~$"):
                skipped.append(
                    Skipped(
                        inside,
                        "Office 锁定文件：工作簿正在 Excel 中打开，保存并关闭后其本身会被载入",
                        "an Office lock file: the workbook is open in Excel; the workbook"
                        " itself is loaded once saved and closed",
                    )
                )
            elif not _return_suffix(entry.name):
                suffixes = " ".join(sorted(RETURN_SUFFIXES))
                skipped.append(
                    Skipped(
                        inside,
                        f"不是报表文件（扩展名应为 {suffixes}）",
                        f"not a return file (the extension should be one of {suffixes})",
                    )
                )
            else:
                found.append(inside)
    return found, skipped


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Regular files as given; a folder contributes every return file in it (see scan_paths)."""
    return scan_paths(paths)[0]


def load_order(paths: list[Path], kind: str | None = None) -> list[Path]:
    """Master data first (units, then targets), then the rest by name."""

    def key(path: Path) -> tuple[int, str]:
        try:
            reader = open_return(path, kind)
        except Exception:  # ingest_file meets it again and rejects the file with the reason
            return (10, path.name)
        order = reader.kind.load_order if reader.kind is not None else 10
        return (order, path.name)

    return sorted(paths, key=key)
