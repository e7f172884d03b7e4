"""A restarted database costs no request; SQLite lets reads go on while an import writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.db import close_old_connections, connection
from django.db.utils import ConnectionHandler
from django.urls import reverse


def test_connections_are_kept_and_health_checked() -> None:
    config = settings.DATABASES["default"]
    assert config["CONN_MAX_AGE"] > 0
    assert config["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db(transaction=True)
def test_a_connection_cut_under_the_server_costs_no_request(client_for) -> None:  # noqa: ANN001
    """After a database restart the kept connection is dead; the next request reconnects and answers.

    SQLite has no server to restart (its ``is_usable`` is always true), so this runs on PostgreSQL (CI).
    """
    if connection.vendor == "sqlite":
        pytest.skip("SQLite is a file, not a server that restarts; CI runs this on PostgreSQL")
    coordinator = client_for("coordinator")
    assert coordinator.get(reverse("web:coordination")).status_code == 200
    connection.ensure_connection()
    connection.connection.close()  # the database restarted under the server
    close_old_connections()  # what request_started runs before each request (the test client leaves it out)
    assert coordinator.get(reverse("web:coordination")).status_code == 200


def test_sqlite_writes_in_wal_mode_and_waits_for_a_lock_instead_of_failing(tmp_path: Path,
                                                                           django_db_blocker) -> None:  # noqa: ANN001
    """A large import must not block every other write: WAL, and a busy timeout instead of "locked"."""
    config = dict(settings.DATABASES["default"])
    if config["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite settings")
    config["NAME"] = str(tmp_path / "wal.sqlite3")  # the test database is in memory, which has no WAL
    sqlite = ConnectionHandler({"default": config})["default"]
    with django_db_blocker.unblock():
        with sqlite.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] >= 10_000
        sqlite.close()
