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
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import attrs

from kk_adapters.csv.files import fsync_directory
from kk_core.errors import StorageError, quote_value

__all__ = ["FileFormat", "Folder", "Staged"]

LOCK_NAME = ".kk-csv.lock"
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
    """The folder's lock within this process: a thread lock around the OS file lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.thread_lock = threading.RLock()
        self.depth = 0
        self.handle: int | None = None
        self.owner: int | None = None


_LOCKS: dict[Path, _Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock_for(root: Path) -> _Lock:
    key = root.resolve()
    with _LOCKS_GUARD:
        lock = _LOCKS.get(key)
        if lock is None:
            lock = _LOCKS[key] = _Lock(key / LOCK_NAME)
        return lock


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
        self._lock = _lock_for(root)

    def path(self, name: str) -> Path:
        return self.root / name

    # -- locks -------------------------------------------------------------------------

    def _shown(self) -> str:
        return quote_value(str(self.root), limit=160)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the folder's write lock (re-entrant within a thread)."""
        lock = self._lock
        if not lock.thread_lock.acquire(timeout=self.lock_timeout):
            raise StorageError(self._busy())
        try:
            if lock.depth == 0:
                try:
                    fd = os.open(lock.path, os.O_RDWR | os.O_CREAT, 0o666)
                except OSError as exc:
                    raise StorageError(
                        f"cannot lock {self._shown()} for writing: {exc.strerror or exc}"
                    ) from None
                if not _wait_for(fd, True, self.lock_timeout):
                    os.close(fd)
                    raise StorageError(self._busy())
                lock.handle = fd
                lock.owner = threading.get_ident()
            lock.depth += 1
            try:
                yield
            finally:
                lock.depth -= 1
                if lock.depth == 0 and lock.handle is not None:
                    _unlock(lock.handle)
                    os.close(lock.handle)
                    lock.handle = None
                    lock.owner = None
        finally:
            lock.thread_lock.release()

    def _busy(self) -> str:
        return (
            f"{self._shown()} is being written by another program or thread (waited "
            f"{self.lock_timeout:g} s for its lock {LOCK_NAME}); try again when it is done"
        )

    @contextmanager
    def shared(self) -> Iterator[None]:
        """Hold the folder's read lock while files are opened, so that they are all of
        one commit; nothing when this thread writes (it holds the write lock)."""
        lock = self._lock
        if lock.owner == threading.get_ident():
            yield
            return
        try:
            fd = os.open(lock.path, os.O_RDONLY)
        except OSError:
            yield  # no lock file: nobody has written here yet (or a read-only medium)
            return
        try:
            if not _wait_for(fd, False, self.lock_timeout):
                raise StorageError(self._busy())
            try:
                yield
            finally:
                _unlock(fd)
        finally:
            os.close(fd)

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
        moves: list[tuple[str, str]] = []
        try:
            if journal.exists():
                moves = [
                    (str(a), str(b)) for a, b in json.loads(journal.read_text("utf-8"))["moves"]
                ]
                for temporary, final in moves:
                    if self.path(temporary).exists():
                        os.replace(self.path(temporary), self.path(final))
                self._sync()
                journal.unlink()
                self._sync()
            for stray in self.root.glob(f".*{_TEMP_SUFFIX}"):
                stray.unlink(missing_ok=True)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StorageError(
                f"cannot finish the interrupted write in {self._shown()}: {_reason(exc)}"
            ) from None

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
        try:
            fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=_TEMP_SUFFIX, dir=self.root)
            handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
        except OSError as exc:
            raise StorageError(f"cannot write in {self._shown()}: {_reason(exc)}") from None
        if self.format.bom:
            handle.write("\ufeff")
        writer = csv.writer(handle, delimiter=self.format.delimiter, lineterminator="\r\n")
        return Staged(name, Path(temporary), handle, writer)

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
        fd, name = tempfile.mkstemp(prefix=f".{MANIFEST_NAME}.", suffix=_TEMP_SUFFIX, dir=self.root)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"format": _MANIFEST_FORMAT, "files": manifest}, out, sort_keys=True)
            out.flush()
            if self.durable:
                os.fsync(out.fileno())
        moves = [(item.temporary.name, item.name) for item in staged]
        moves.append((Path(name).name, MANIFEST_NAME))
        fd, journal = tempfile.mkstemp(
            prefix=f".{JOURNAL_NAME}.", suffix=_TEMP_SUFFIX, dir=self.root
        )
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"moves": moves}, out)
            out.flush()
            if self.durable:
                os.fsync(out.fileno())
        os.replace(journal, self.path(JOURNAL_NAME))
        self._sync()
        # from here on, the commit happens: a crash now is finished by the next opening
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
