"""Optimistic concurrency across connections and processes; SQLite's lock and its retry."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import attrs
import pytest

from kk_adapters.sql.errors import LockedError
from kk_adapters.sql.store import SqlStore
from kk_core.cases import Case
from kk_core.errors import ConflictError, StorageError
from kk_core.places import Village
from kk_core.testing.contract import sample_cases
from sql_support import StoreMaker, many_cases


def test_two_connections_one_wins(store_maker: StoreMaker) -> None:
    """Two stores (two engines, two connection pools) read version 1; the second write loses."""
    first, second = store_maker.open(), store_maker.open()
    case = first.put(sample_cases(1)[0])
    mine, theirs = first.get(Case, case.id), second.get(Case, case.id)
    assert mine.version == theirs.version == 1
    won = first.put(attrs.evolve(mine, summary="first"))
    with pytest.raises(ConflictError) as caught:
        second.put(attrs.evolve(theirs, summary="second"))
    assert (caught.value.expected, caught.value.actual) == (1, 2)
    assert second.get(Case, case.id) == won
    with pytest.raises(ConflictError):
        second.delete(Case, case.id, version=1)
    # retrying from a fresh read succeeds
    fresh = second.get(Case, case.id)
    assert second.put(attrs.evolve(fresh, summary="second")).version == 3


def test_stale_writer_waits_then_conflicts(store_maker: StoreMaker) -> None:
    """A writer that reaches the record while another transaction holds it waits for the
    commit (row lock on PostgreSQL, the write lock on SQLite), then sees the new version."""
    a, b = store_maker.open(), store_maker.open(timeout=20)
    case = a.put(sample_cases(1)[0])
    holding = threading.Event()
    release = threading.Event()
    failures: list[BaseException] = []

    def first_writer() -> None:
        try:
            with a.transaction() as tx:
                tx.put(attrs.evolve(tx.get(Case, case.id), summary="first"))
                holding.set()
                release.wait(10)
                tx.commit()
        except BaseException as exc:
            failures.append(exc)
            holding.set()

    thread = threading.Thread(target=first_writer)
    thread.start()
    assert holding.wait(10)
    stale = b.get(Case, case.id)  # reads are not blocked
    assert stale.version == 1
    timer = threading.Timer(0.5, release.set)
    timer.start()
    started = time.monotonic()
    with pytest.raises(ConflictError):
        b.put(attrs.evolve(stale, summary="second"))
    waited = time.monotonic() - started
    thread.join(10)
    timer.cancel()
    assert not failures
    assert waited >= 0.3, "the second writer waited for the first one's commit"
    assert b.get(Case, case.id).summary == "first"


def _token(who: int, done: int) -> str:
    """What one write appends to a village's name: two letters, so that 60 of them stay
    within an indexed text's 200 characters and form no run of digits (a NIK-shaped
    number is refused in any text)."""
    return "abcdefghijklmnopqrstuvwxyz"[who] + "abcdefghijklmnopqrstuvwxyz"[done]


def test_parallel_writers_lose_no_update(store_maker: StoreMaker) -> None:
    """Threads read-modify-write one record (each write distinct content), retrying on
    conflict: every write lands, none is silently overwritten."""
    stores = [store_maker.open(timeout=30) for _ in range(4)]
    village = stores[0].put(Village("52.03.12.2005", "start", "Sakra", "Lombok Timur", "NTB"))
    per_thread = 15
    failures: list[BaseException] = []

    def append(store: SqlStore, who: int) -> None:
        try:
            done = 0
            while done < per_thread:
                current = store.get(Village, village.id)
                try:
                    store.put(attrs.evolve(current, name=f"{current.name},{_token(who, done)}"))
                    done += 1
                except ConflictError:
                    pass
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=append, args=(s, i)) for i, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures
    final = stores[0].get(Village, village.id)
    written = final.name.split(",")[1:]
    assert sorted(written) == sorted(_token(w, d) for w in range(4) for d in range(per_thread))
    assert final.version == 1 + 4 * per_thread


# -- two processes on one SQLite file ---------------------------------------------------


def _process_writer(url: str, case_id: str, summary: str, barrier: Any, results: Any) -> None:
    store = SqlStore(url, timeout=30)
    try:
        held = store.get(Case, case_id)
        barrier.wait(30)
        try:
            store.put(attrs.evolve(held, summary=summary))
            results.put(("ok", summary))
        except ConflictError as exc:
            results.put(("conflict", f"{exc.expected}->{exc.actual}"))
        except Exception as exc:  # report, do not hang the test
            results.put(("error", repr(exc)))
    finally:
        store.close()


def _process_appender(url: str, village_id: str, who: int, times: int, results: Any) -> None:
    store = SqlStore(url, timeout=30)
    conflicts = 0
    try:
        done = 0
        while done < times:
            current = store.get(Village, village_id)
            try:
                store.put(attrs.evolve(current, name=f"{current.name},{_token(who, done)}"))
                done += 1
            except ConflictError:
                conflicts += 1
        results.put(("ok", conflicts))
    except Exception as exc:
        results.put(("error", repr(exc)))
    finally:
        store.close()


@pytest.fixture
def spawn() -> Any:
    return multiprocessing.get_context("spawn")


def test_two_processes_same_version_one_wins(tmp_path: Path, spawn: Any) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    with SqlStore(url) as store:
        case = store.put(sample_cases(1)[0])
    barrier = spawn.Barrier(2)
    results = spawn.Queue()
    workers = [
        spawn.Process(target=_process_writer, args=(url, case.id, who, barrier, results))
        for who in ("A", "B")
    ]
    for worker in workers:
        worker.start()
    outcomes = sorted(results.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(30)
    assert [o[0] for o in outcomes] == ["conflict", "ok"], outcomes
    assert outcomes[0][1] == "1->2"
    with SqlStore(url) as store:
        final = store.get(Case, case.id)
    assert final.version == 2
    assert final.summary == outcomes[1][1]


def test_processes_writing_lose_no_update(tmp_path: Path, spawn: Any) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    with SqlStore(url) as store:
        village = store.put(Village("52.03.12.2005", "start", "Sakra", "Lombok Timur", "NTB"))
    results = spawn.Queue()
    times = 20
    workers = [
        spawn.Process(target=_process_appender, args=(url, village.id, who, times, results))
        for who in range(3)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(30)
    assert all(o[0] == "ok" for o in outcomes), outcomes
    with SqlStore(url) as store:
        final = store.get(Village, village.id)
    written = final.name.split(",")[1:]
    assert sorted(written) == sorted(_token(w, d) for w in range(3) for d in range(times))
    assert final.version == 1 + 3 * times


# -- "database is locked" ------------------------------------------------------------------


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_locked_database_is_retried_then_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    store = SqlStore(f"sqlite:///{path}", timeout=0.1, retries=2)
    store.put(sample_cases(1)[0])
    other = _hold_write_lock(path)
    try:
        started = time.monotonic()
        with pytest.raises(LockedError) as caught:
            store.put(sample_cases(2)[1])
        waited = time.monotonic() - started
        assert isinstance(caught.value, StorageError)
        assert "database is locked" in str(caught.value)
        assert "3 time(s)" in str(caught.value)
        assert waited >= 0.3, "three attempts of 0.1 s each"
        assert store.count(Case) == {(): 1}, "reads still work while another process writes"
        with pytest.raises(LockedError), store.transaction() as tx:
            tx.put(sample_cases(2)[1])
    finally:
        other.rollback()
        other.close()
    assert store.put(sample_cases(2)[1]).version == 1
    store.close()


def test_locked_database_retry_succeeds_when_the_lock_goes(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    store = SqlStore(f"sqlite:///{path}", timeout=0.1, retries=20)
    other = _hold_write_lock(path)
    timer = threading.Timer(0.4, lambda: (other.rollback(), other.close()))
    timer.start()
    try:
        stored = store.put_many(many_cases(10))
    finally:
        timer.join()
    assert [s.version for s in stored] == [1] * 10
    store.close()


def test_waiting_writer_goes_through_after_commit(tmp_path: Path) -> None:
    """Within the busy timeout a second writer simply waits: no error at all."""
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    a, b = SqlStore(url), SqlStore(url, timeout=10)
    cases = sample_cases(3)
    done = threading.Event()

    def slow_transaction() -> None:
        with a.transaction() as tx:
            tx.put(cases[0])
            done.set()
            time.sleep(0.4)
            tx.commit()

    thread = threading.Thread(target=slow_transaction)
    thread.start()
    done.wait(5)
    assert b.put(cases[1]).version == 1
    thread.join()
    assert {c.id for c in b.find(Case)} == {cases[0].id, cases[1].id}
    a.close()
    b.close()
