"""Helpers for the CSV store's tests: folders, and writes that fail part of the way."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from unittest import mock

from kk_adapters.csv import _folder as folder_module

__all__ = ["csv_files", "csv_url", "disk_full_after", "snapshot"]


def csv_url(folder: Path, query: str = "") -> str:
    url = f"csv://{folder.as_posix()}"
    return f"{url}?{query}" if query else url


def csv_files(folder: Path) -> list[str]:
    """Every file in the folder (hidden ones too), sorted."""
    return sorted(p.name for p in folder.iterdir())


def snapshot(folder: Path) -> dict[str, bytes]:
    """The content of every file of the folder but the lock file."""
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != folder_module.LOCK_NAME
    }


class _FullDisk:
    """A text file that takes ``room`` characters, then fails as a full disk does."""

    def __init__(self, handle: IO[str], room: list[int]) -> None:
        self._handle = handle
        self._room = room

    def write(self, text: str) -> int:
        if len(text) > self._room[0]:
            raise OSError(errno.ENOSPC, "No space left on device")
        self._room[0] -= len(text)
        return self._handle.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


@contextmanager
def disk_full_after(characters: int) -> Iterator[None]:
    """Inside, every write to the folders' temporary files fails once ``characters``
    characters have been written in all (a disk filling up part of the way through)."""
    real = folder_module.create_temporary
    room = [characters]

    def create(folder: Path, prefix: str) -> tuple[Path, Any]:
        path, handle = real(folder, prefix)
        return path, _FullDisk(handle, room)

    with mock.patch.object(folder_module, "create_temporary", create):
        yield
