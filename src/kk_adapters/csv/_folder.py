"""The folder of a CSV store: locking, atomic replacement of files, and recovery.

**Atomic writes.** A file is never edited in place. A commit writes every file it
changes to a temporary file in the same folder (``.case.csv.<random>.tmp``), flushes
it and ``fsync``s it; then it writes a small *journal* (``.kk-csv.journal``, itself
written to a temporary file and moved in) naming the moves to make; then it moves each
temporary file over its file with ``os.replace`` (atomic on POSIX and Windows),
``fsync``s the folder and removes the journal. A crash before the journal is in place
leaves every file as it was (the temporary files are removed by the next writer); a
crash after it leaves a journal that the next opening of the folder plays to the end,
so a commit that changed a case's main file and its timeline file is all there or not
there at all.

**One writer at a time.** Writers take an exclusive lock on ``.kk-csv.lock``
(``flock`` on POSIX, ``msvcrt.locking`` on Windows; the operating system releases it
if the process dies, so there are no stale locks), waiting at most ``lock_timeout``
seconds and then failing with a `StorageError` that says another program is writing.
Readers take a shared lock only while they open a kind's files, so they always see
one commit's files together. Inside one process, threads wait for each other the same
way.

**The manifest** (``.kk-csv.json``) records the size and modification time of every
file the store wrote. A file that still matches is known to be in the store's order;
a file changed since (edited in a spreadsheet) is checked, and sorted again if needed,
when it is read.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import json
import os
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, Any

import attrs

from kk_adapters.csv._files import fsync_directory
from kk_core.errors import StorageError, quote_value

__all__ = ["FileFormat", "Folder", "Staged", "create_temporary"]

LOCK_NAME = ".kk-csv.lock"
SWAP_LOCK_NAME = ".kk-csv.swap.lock"
JOURNAL_NAME = ".kk-csv.journal"
MANIFEST_NAME = ".kk-csv.json"
_TEMP_SUFFIX = ".tmp"
_MANIFEST_FORMAT = 1


@attrs.frozen
class FileFormat:
    """How files are written: the delimiter and whether they start with a UTF-8 BOM.

    The default is RFC 4180 (``,``, no BOM, CRLF line ends). The Excel-friendly format
    (``excel=True``) has ``;`` and a BOM: Excel in the Indonesian locale opens it in
    columns with every character right; files are read whichever they have.
    """

    delimiter: str = ","
    bom: bool = False

    @classmethod
    def excel(cls) -> FileFormat:
        return cls(";", True)


class _Lock:
    """One lock file of a folder, within this process: a thread lock around the OS
    file lock, re-entrant for the thread holding it exclusively."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.thread_lock = threading.RLock()
        self.depth = 0
        self.handle: int | None = None
        self.owner: int | None = None

    @contextmanager
    def exclusive(self, timeout: float, busy: Callable[[], str]) -> Iterator[None]:
        if not self.thread_lock.acquire(timeout=timeout):
            raise StorageError(busy())
        try:
            if self.depth == 0:
                try:
                    fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
                except OSError as exc:
                    raise StorageError(
                        f"cannot lock {quote_value(str(self.path.parent), limit=160)} for "
                        f"writing: {_reason(exc)}"
                    ) from None
                if not _wait_for(fd, True, timeout):
                    os.close(fd)
                    raise StorageError(busy())
                self.handle = fd
                self.owner = threading.get_ident()
            self.depth += 1
            try:
                yield
            finally:
                self.depth -= 1
                if self.depth == 0 and self.handle is not None:
                    _unlock(self.handle)
                    os.close(self.handle)
                    self.handle = None
                    self.owner = None
        finally:
            self.thread_lock.release()

    @contextmanager
    def shared(self, timeout: float, busy: Callable[[], str]) -> Iterator[None]:
        if self.owner == threading.get_ident():
            yield  # this thread holds it exclusively
            return
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            yield  # no lock file: nobody has written here yet (or a read-only medium)
            return
        try:
            if not _wait_for(fd, False, timeout):
                raise StorageError(busy())
            try:
                yield
            finally:
                _unlock(fd)
        finally:
            os.close(fd)


_LOCKS: dict[Path, tuple[_Lock, _Lock]] = {}
_LOCKS_GUARD = threading.Lock()


def _locks_for(root: Path) -> tuple[_Lock, _Lock]:
    """The write lock and the swap lock of a folder (one pair per folder per process)."""
    key = root.resolve()
    with _LOCKS_GUARD:
        found = _LOCKS.get(key)
        if found is None:
            found = _LOCKS[key] = (_Lock(key / LOCK_NAME), _Lock(key / SWAP_LOCK_NAME))
        return found


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int, exclusive: bool) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int, exclusive: bool) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)


def create_temporary(folder: Path, prefix: str) -> tuple[Path, IO[str]]:
    """A new temporary file in ``folder`` (``.<prefix>.<random>.tmp``), open for writing
    text. Made with the folder's usual permissions (``tempfile`` would make it private)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        path = folder / f".{prefix}.{secrets.token_hex(6)}{_TEMP_SUFFIX}"
        try:
            fd = os.open(path, flags, 0o666)
        except FileExistsError:
            continue
        return path, os.fdopen(fd, "w", encoding="utf-8", newline="")
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(folder))


def _wait_for(fd: int, exclusive: bool, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    pause = 0.002
    while not _try_lock(fd, exclusive):
        if time.monotonic() >= deadline:
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
    return True


@attrs.define
class Staged:
    """A file being written: a temporary file in the folder and its csv writer."""

    name: str
    temporary: Path
    handle: IO[str]
    writer: Any  # a csv writer (the csv module has no public type for it)


class Folder:
    """The files of one store; see the module."""

    def __init__(
        self,
        root: Path,
        *,
        writable: bool,
        durable: bool = True,
        lock_timeout: float = 10.0,
        file_format: FileFormat = FileFormat(),
    ) -> None:
        self.root = root
        self.writable = writable
        self.durable = durable
        self.lock_timeout = lock_timeout
        self.format = file_format
        self._write_lock, self._swap_lock = _locks_for(root)

    def path(self, name: str) -> Path:
        return self.root / name

    # -- locks -------------------------------------------------------------------------

    def _shown(self) -> str:
        return quote_value(str(self.root), limit=160)

    def exclusive(self) -> AbstractContextManager[None]:
        """Hold the folder's write lock (re-entrant within a thread): one writer at a
        time, for the whole of a commit."""
        return self._write_lock.exclusive(self.lock_timeout, self._busy)

    def swapping(self) -> AbstractContextManager[None]:
        """Hold the swap lock while files are moved in (a short moment of a commit)."""
        return self._swap_lock.exclusive(self.lock_timeout, self._busy_swapping)

    def shared(self) -> AbstractContextManager[None]:
        """Hold the swap lock shared while a kind's files are opened, so that they are
        all of one commit; readers never wait for a writer's whole commit, only for the
        moment its files are moved in."""
        return self._swap_lock.shared(self.lock_timeout, self._busy_swapping)

    def _busy(self) -> str:
        return (
            f"{self._shown()} is being written by another program or thread (waited "
            f"{self.lock_timeout:g} s for its lock {LOCK_NAME}); try again when it is done"
        )

    def _busy_swapping(self) -> str:
        return (
            f"{self._shown()} is being written by another program (waited "
            f"{self.lock_timeout:g} s for its lock {SWAP_LOCK_NAME}); try again"
        )

    # -- recovery ----------------------------------------------------------------------

    def check_journal(self) -> None:
        """Finish an interrupted commit before reading (or refuse, when read-only)."""
        if not self.path(JOURNAL_NAME).exists():
            return
        if not self.writable:
            # a writer may be moving its files in right now: wait for it
            with self.shared():
                pass
            if self.path(JOURNAL_NAME).exists():
                raise StorageError(
                    f"{self._shown()} holds an interrupted write ({JOURNAL_NAME}); open it "
                    "once without read_only to finish it"
                )
            return
        with self.exclusive():
            self.recover()

    def recover(self) -> None:
        """Under the write lock: play a journal to the end, remove stray temporary files."""
        journal = self.path(JOURNAL_NAME)
        try:
            with self.swapping():
                self._play(journal)
            for stray in self.root.glob(f".*{_TEMP_SUFFIX}"):
                stray.unlink(missing_ok=True)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StorageError(
                f"cannot finish the interrupted write in {self._shown()}: {_reason(exc)}"
            ) from None

    def _play(self, journal: Path) -> None:
        """Make the moves a journal names (those not made yet), then drop it."""
        if not journal.exists():
            return
        moves = [(str(a), str(b)) for a, b in json.loads(journal.read_text("utf-8"))["moves"]]
        for temporary, final in moves:
            if self.path(temporary).exists():
                os.replace(self.path(temporary), self.path(final))
        self._sync()
        journal.unlink()
        self._sync()

    def _sync(self) -> None:
        if self.durable:
            fsync_directory(self.root)

    # -- the manifest ------------------------------------------------------------------

    def manifest(self) -> dict[str, tuple[int, int]]:
        """File name → (size, modification time in ns) of the files the store wrote."""
        try:
            data = json.loads(self.path(MANIFEST_NAME).read_text("utf-8"))
            files = data["files"] if data.get("format") == _MANIFEST_FORMAT else {}
            return {str(k): (int(v[0]), int(v[1])) for k, v in files.items()}
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            return {}

    # -- writing -----------------------------------------------------------------------

    def stage(self, name: str) -> Staged:
        """A temporary file to write ``name``'s new content into, in this folder."""
        temporary, handle = create_temporary(self.root, name)
        if self.format.bom:
            handle.write("\ufeff")
        writer = csv.writer(handle, delimiter=self.format.delimiter, lineterminator="\r\n")
        return Staged(name, temporary, handle, writer)

    def finish(self, staged: Staged) -> None:
        """Flush a staged file to disk and close it."""
        staged.handle.flush()
        if self.durable:
            os.fsync(staged.handle.fileno())
        staged.handle.close()

    def discard(self, staged: list[Staged]) -> None:
        for item in staged:
            with contextlib.suppress(OSError):
                item.handle.close()
            with contextlib.suppress(OSError):
                item.temporary.unlink(missing_ok=True)

    def replace(self, staged: list[Staged]) -> None:
        """Move finished staged files in, all or none (through the journal)."""
        manifest = self.manifest()
        for item in staged:
            info = item.temporary.stat()
            manifest[item.name] = (info.st_size, info.st_mtime_ns)
        name, out = create_temporary(self.root, MANIFEST_NAME.lstrip("."))
        with out:
            json.dump({"format": _MANIFEST_FORMAT, "files": manifest}, out, sort_keys=True)
            out.flush()
            if self.durable:
                os.fsync(out.fileno())
        moves = [(item.temporary.name, item.name) for item in staged]
        moves.append((name.name, MANIFEST_NAME))
        journal, out = create_temporary(self.root, JOURNAL_NAME.lstrip("."))
        with out:
            json.dump({"moves": moves}, out)
            out.flush()
            if self.durable:
                os.fsync(out.fileno())
        with self.swapping():
            os.replace(journal, self.path(JOURNAL_NAME))
            self._sync()
            # from here on the commit happens: a crash now is finished by the next writer
            for temporary, final in moves:
                os.replace(self.path(temporary), self.path(final))
            self._sync()
            self.path(JOURNAL_NAME).unlink()
            self._sync()


def _reason(exc: BaseException) -> str:
    """An OS error's reason without the paths it names (the folder is named already)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__
