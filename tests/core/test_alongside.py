"""Reads beside the caller's own, on the reading thread's connection (core/alongside.py).

A second connection only exists for a database on disk: the SQLite suite's test database is in
memory, so the tests that need one run there in a child pytest on a SQLite file (the last test
here), and in place on PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import OperationalError, connection, transaction

from govshare.core import alongside

ROOT = Path(__file__).resolve().parents[2]
IN_MEMORY = "in-memory SQLite test database: run on a SQLite file by the child pytest below"


def needs_second_connection():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(IN_MEMORY)


def backend_pid():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]
        return id(connection.connection)


@pytest.mark.django_db
def test_nothing_runs_alongside_inside_a_transaction(settings):
    # given reads alongside switched on, and this test inside a transaction (the db fixture)
    settings.GOVSHARE_QUERIES_ALONGSIDE = True

    # when a read is submitted, then it is refused: the caller reads itself
    assert connection.in_atomic_block
    assert not alongside.available()
    assert alongside.submit(backend_pid) is None


@pytest.mark.django_db(transaction=True)
def test_nothing_runs_alongside_when_switched_off(settings):
    settings.GOVSHARE_QUERIES_ALONGSIDE = False
    assert alongside.submit(backend_pid) is None


def test_an_in_memory_sqlite_database_has_no_second_connection(settings):
    settings.GOVSHARE_QUERIES_ALONGSIDE = True
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        pytest.skip("the test database is not SQLite in memory")
    assert not alongside.available()


@pytest.mark.django_db(transaction=True)
def test_a_read_runs_on_a_connection_of_its_own_and_never_queues(settings):
    needs_second_connection()
    settings.GOVSHARE_QUERIES_ALONGSIDE = True
    release, started = threading.Event(), threading.Event()

    def held_read():
        started.set()
        release.wait(10)
        return backend_pid()

    try:
        # given a read running alongside
        running = alongside.submit(held_read)
        assert running is not None
        assert started.wait(10)

        # when another is asked for meanwhile, then it is refused (the caller reads itself)
        assert alongside.submit(backend_pid) is None

        # and once the first is done, its connection was not this thread's
        release.set()
        assert running.result() != backend_pid()
        follow = alongside.submit(backend_pid)
        assert follow is not None and follow.result() != backend_pid()
    finally:
        release.set()
        alongside.close()


@pytest.mark.django_db(transaction=True)
def test_nothing_runs_alongside_with_autocommit_off(settings):
    # given a connection whose writes wait for an explicit commit (not in an atomic block)
    needs_second_connection()
    settings.GOVSHARE_QUERIES_ALONGSIDE = True
    transaction.set_autocommit(False)
    try:
        # then a second connection would not see them: nothing runs alongside
        assert not connection.in_atomic_block
        assert alongside.submit(backend_pid) is None
    finally:
        transaction.rollback()
        transaction.set_autocommit(True)
    assert alongside.available()


@pytest.mark.django_db(transaction=True)
def test_a_read_the_second_connection_fails_is_made_by_the_caller(settings):
    # given a read that the reading thread's connection refuses (a full pool, a dropped link)
    needs_second_connection()
    settings.GOVSHARE_QUERIES_ALONGSIDE = True
    threads = []

    def read():
        threads.append(threading.current_thread().name)
        if threading.current_thread().name.startswith("govshare-alongside"):
            raise OperationalError("too many connections")
        return backend_pid()

    try:
        # when it is sent alongside, then its result comes all the same, made by the caller
        pending = alongside.submit(read)
        assert pending is not None
        assert pending.result() == backend_pid()
        assert threads[0].startswith("govshare-alongside")
        assert threads[1] == threading.current_thread().name
    finally:
        alongside.close()


@pytest.mark.django_db(transaction=True)
def test_a_failing_read_raises_in_the_caller_and_frees_the_thread(settings):
    needs_second_connection()
    settings.GOVSHARE_QUERIES_ALONGSIDE = True

    def failing_read():
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    try:
        failing = alongside.submit(failing_read)
        assert failing is not None
        with pytest.raises(Exception, match="no_such_table"):
            failing.result()
        after = alongside.submit(backend_pid)
        assert after is not None and after.result()
    finally:
        alongside.close()


def test_the_alongside_tests_on_a_sqlite_file(tmp_path):
    # given the SQLite suite's in-memory database, which has no second connection
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL runs the alongside tests in place")

    # when the tests that need one run in a child pytest whose test database is a file
    env = {
        **os.environ,
        "DATABASE_URL": "",
        "GOVSHARE_TEST_DB_NAME": str(tmp_path / "test.sqlite3"),
        "GOVSHARE_VAR_DIR": str(tmp_path / "var"),
    }
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider"),
            *("-k", "alongside and not sqlite_file and not in_memory", "-rs"),
            "tests/core/test_alongside.py",
            "tests/catalog/test_search.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    # then they pass there, none of them skipped
    assert done.returncode == 0, done.stdout + done.stderr
    assert "skipped" not in done.stdout, done.stdout
