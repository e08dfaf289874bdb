"""The CSV store never loses or corrupts a file: failures and crashes in the middle of a
write, several writers, streaming in flat memory, and records that come back equal
(also through SQL with `copy_records`)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csv_support import csv_files, csv_url, disk_full_after, snapshot
from kk_adapters.csv._folder import JOURNAL_NAME
from kk_core import RECORD_KINDS, Case, Record, StorageError, Village, copy_records, open_store
from kk_core.store import same_content
from kk_core.testing.contract import sample_cases
from kk_core.testing.strategies import records

TEROS = Village("52.03.17.2003", "Teros", "Labuhan Haji", "Lombok Timur", "Nusa Tenggara Barat")


def _filled(folder: Path) -> list[Record]:
    store = open_store(csv_url(folder))
    return store.put_many([TEROS, *sample_cases(20)])


def _everything(store: object) -> dict[tuple[str, str], Record]:
    found: dict[tuple[str, str], Record] = {}
    for cls in RECORD_KINDS.values():
        for record in store.find(cls):  # type: ignore[attr-defined]
            found[(record.kind, record.id)] = record
    return found


# -- a write that fails part of the way -------------------------------------------------


@pytest.mark.parametrize("room", [0, 50, 1_500, 5_000, 9_000])
def test_a_write_that_fails_midway_changes_nothing(tmp_path: Path, room: int) -> None:
    _filled(tmp_path)
    before = snapshot(tmp_path)
    store = open_store(csv_url(tmp_path))
    changed = [attrs.evolve(c, summary=f"diubah {c.id}") for c in store.find(Case)]
    more = [attrs.evolve(c, id=f"new-{c.id}", version=0) for c in sample_cases(20)]
    assert sum(len(v) for k, v in before.items() if k.endswith(".csv")) > 5_000
    with disk_full_after(room), pytest.raises(StorageError, match="No space left"):
        store.put_many([*changed, *more])
    assert snapshot(tmp_path) == before, "the files are as they were"
    assert not [n for n in csv_files(tmp_path) if n.endswith(".tmp")], "no temporary file left"
    assert store.put_many(more)[0].version == 1, "the store works again afterwards"


# -- a crash: the process dies in the middle of a write ---------------------------------

_CRASH = """
import os, sys
from pathlib import Path
import attrs
from kk_adapters.csv import _folder as folder_module
from kk_core import Case, open_store
from kk_core.testing.contract import sample_cases

where, point = sys.argv[1], sys.argv[2]
store = open_store("csv://" + where)
changed = [attrs.evolve(c, summary="after the crash?") for c in store.find(Case)]
if point.startswith("rows"):
    room = [int(point[4:])]
    real = folder_module.create_temporary

    class Dying:
        def __init__(self, handle):
            self.handle = handle
        def write(self, text):
            if len(text) > room[0]:
                os._exit(9)  # killed while writing the new files
            room[0] -= len(text)
            return self.handle.write(text)
        def __getattr__(self, name):
            return getattr(self.handle, name)
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            self.handle.close()

    def create(folder, prefix):
        path, handle = real(folder, prefix)
        return path, Dying(handle)

    folder_module.create_temporary = create
else:
    moves = [int(point[5:])]
    real_replace = os.replace

    class Os:
        def __getattr__(self, name):
            return getattr(os, name)
        def replace(self, a, b):
            moves[0] -= 1
            if moves[0] < 0:
                os._exit(9)  # killed between two moves
            return real_replace(a, b)

    folder_module.os = Os()
store.put_many(changed)
print("finished")
"""


def _crash(folder: Path, point: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_CRASH), folder.as_posix(), point],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 9, done.stdout + done.stderr


@pytest.mark.parametrize("point", ["rows0", "rows2000", "rows4500", "moves0"])
def test_a_crash_before_the_journal_leaves_the_old_files(tmp_path: Path, point: str) -> None:
    stored = _filled(tmp_path)
    before = {k: v for k, v in snapshot(tmp_path).items() if not k.endswith(".tmp")}
    _crash(tmp_path, point)  # moves0: dies moving the journal itself in
    left = {k: v for k, v in snapshot(tmp_path).items() if not k.endswith(".tmp")}
    assert left == before, "every file is as it was"
    reader = open_store(csv_url(tmp_path, "read_only=yes"))
    assert _everything(reader) == {(r.kind, r.id): r for r in stored}
    writer = open_store(csv_url(tmp_path))
    writer.put(attrs.evolve(TEROS, name="Desa Teros", version=1))  # the next write tidies up
    assert not [n for n in csv_files(tmp_path) if n.endswith(".tmp")]


@pytest.mark.parametrize("point", ["moves1", "moves2", "moves4"])
def test_a_crash_after_the_journal_is_finished_by_the_next_writer(
    tmp_path: Path, point: str
) -> None:
    _filled(tmp_path)
    _crash(tmp_path, point)  # the journal is in place; some files moved, some not
    assert JOURNAL_NAME in csv_files(tmp_path)
    with pytest.raises(StorageError, match="interrupted write"):
        list(open_store(csv_url(tmp_path, "read_only=yes")).find(Case))
    store = open_store(csv_url(tmp_path))  # finishes the write
    assert JOURNAL_NAME not in csv_files(tmp_path)
    cases = list(store.find(Case))
    assert len(cases) == 20
    assert {c.summary for c in cases} == {"after the crash?"}
    assert {c.version for c in cases} == {2}
    assert not [n for n in csv_files(tmp_path) if n.endswith(".tmp")]


# -- several writers -------------------------------------------------------------------

_WRITER = """
import sys
from kk_core import Hamlet, open_store
where, who, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = open_store("csv://" + where + "?lock_timeout=60")
for n in range(count):
    store.put(Hamlet(f"{who}-{n:03d}", "52.03.17.2003", f"Dusun {who} {n}"))
"""

_HOLDER = """
import sys, time
from pathlib import Path
from kk_adapters.csv._folder import Folder
folder = Folder(Path(sys.argv[1]), writable=True)
with folder.exclusive():
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_writers_in_several_processes_all_get_their_records_in(tmp_path: Path) -> None:
    open_store(csv_url(tmp_path)).put(TEROS)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, tmp_path.as_posix(), who, "15"],
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("a", "b", "c")
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
    from kk_core import Hamlet

    hamlets = list(open_store(csv_url(tmp_path)).find(Hamlet))
    assert len(hamlets) == 45, "no writer overwrote another's records"


def test_a_writer_that_waits_too_long_gets_a_clear_error(tmp_path: Path) -> None:
    store = open_store(csv_url(tmp_path, "lock_timeout=0.3"))
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, tmp_path.as_posix(), "5"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(StorageError, match="being written by another program"):
            store.put(TEROS)
        assert time.monotonic() - started < 4
        # readers do not wait for a writer's commit, only for the moment files move in
        assert list(store.find(Village)) == []
    finally:
        holder.kill()
        holder.wait()
    assert store.put(TEROS).version == 1, "the lock is released when its holder dies"


# -- streaming ---------------------------------------------------------------------------


def _peak_of_reading(folder: Path, n: int) -> int:
    store = open_store(csv_url(folder, "durable=no"))
    base = sample_cases(1)[0]
    for lo in range(0, n, 2000):
        store.put_many([attrs.evolve(base, id=f"c{i:07d}") for i in range(lo, min(lo + 2000, n))])
    tracemalloc.start()
    try:
        assert sum(1 for _ in store.find(Case)) == n
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def test_reading_streams_in_flat_memory(tmp_path: Path) -> None:
    small = _peak_of_reading(tmp_path / "small", 2_000)
    large = _peak_of_reading(tmp_path / "large", 16_000)
    assert large < small * 1.5 + 200_000, f"peak {large:,} B for 8x the records ({small:,} B)"


# -- everything written reads back -------------------------------------------------------


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(records(), max_size=12, unique_by=lambda r: (r.kind, r.id)), st.booleans())
def test_any_records_written_read_back_equal(
    tmp_path_factory: pytest.TempPathFactory, drawn: list[Record], excel: bool
) -> None:
    folder = tmp_path_factory.mktemp("property")
    query = "durable=no&excel=yes" if excel else "durable=no"
    stored = open_store(csv_url(folder, query)).put_many(
        [attrs.evolve(r, version=0) for r in drawn]
    )
    again = _everything(open_store(csv_url(folder, "read_only=yes")))
    assert again == {(r.kind, r.id): r for r in stored}
    for record in drawn:
        assert same_content(again[(record.kind, record.id)], record)


@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(records(), min_size=1, max_size=25, unique_by=lambda r: (r.kind, r.id)))
def test_copy_records_csv_to_sql_and_back_loses_nothing(
    tmp_path_factory: pytest.TempPathFactory, drawn: list[Record]
) -> None:
    base = tmp_path_factory.mktemp("copy")
    first = open_store(csv_url(base / "first", "durable=no"))
    first.put_many([attrs.evolve(r, version=0) for r in drawn])
    sqlite = open_store(f"sqlite:///{base / 'kk.db'}")
    second = open_store(csv_url(base / "second", "durable=no&excel=yes"))
    there = copy_records(first, sqlite)
    back = copy_records(sqlite, second)
    assert there.ok
    assert back.ok
    assert sum(there.written.values()) == sum(back.written.values()) == len(drawn)
    original, copied = _everything(first), _everything(second)
    assert original.keys() == copied.keys()
    for key, record in original.items():
        assert same_content(copied[key], record), key
    assert copy_records(second, sqlite).written == dict.fromkeys(RECORD_KINDS, 0), "run twice"
    for table in ("case.csv", "village.csv"):
        if (base / "first" / table).exists():
            assert (base / "second" / table).exists()
    sqlite.close()  # type: ignore[attr-defined]
