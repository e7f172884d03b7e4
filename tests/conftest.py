"""Shared test fixtures.

``../shared`` (seeds, FHIR profiles, Synthea bundles) sits beside the repository on developer
machines and in CI, never on a user's machine: tests that need it skip with a reason when it
is absent, and fail instead when ``CI=true``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CAREWEAVE_SHARED", REPO.parent / "shared"))
# The Spark tests start short-lived local sessions over tiny data: the JVM's quick compiler only (the optimising
# one costs more CPU than these queries ever win back) and one shuffle partition.
os.environ.setdefault("CAREWEAVE_SPARK_JAVA_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
os.environ.setdefault("CAREWEAVE_SPARK_SHUFFLE_PARTITIONS", "1")


def require_shared(*parts: str) -> Path:
    """Return a path under ../shared, skipping (or failing on CI) when it is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"{path} is not present: it lives beside the repository on developer machines and in CI"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def shared_dir() -> Path:
    return require_shared()


@pytest.fixture
def synthea_dir() -> Path:
    return require_shared("data", "synthea-r4")


# --- real-browser tests -----------------------------------------------------------------------------

CHROMIUM = Path(os.environ.get("CAREWEAVE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole run (Playwright's sync API allows one per thread)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """``docs/screenshots`` (the README's pictures) with CAREWEAVE_SCREENSHOTS=1, else ``var/screenshots``.

    So an ordinary ``make test`` leaves the working tree clean; ``make screenshots`` refreshes the docs.
    """
    target = REPO / ("docs" if os.environ.get("CAREWEAVE_SCREENSHOTS") == "1" else "var") / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture(autouse=True, scope="session")
def _jobs_run_inline() -> Iterator[None]:
    """Background jobs run inline in tests (ImmediateBackend); a test that wants the real database queue sets
    ``settings.TASKS`` itself (tests/jobs/test_worker.py). Settings are read before this file, hence an override."""
    from django.test import override_settings

    inline = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
    with override_settings(TASKS=inline):
        yield


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Argon2 is deliberately slow and the tests create and log in many accounts; the one test about the
    hasher (tests/domain/test_login_security.py) puts Argon2 back for itself."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


# --- the demo zone, loaded once -------------------------------------------------------------------------

_DEMO_IMAGES: dict[tuple[int, int], tuple[object, dict]] = {}


def demo_zone_in_database(persons: int = 200, seed: int = 42) -> dict:
    """Put the demo zone in the (empty) test database, outside any transaction.

    Loading it takes half a minute, so the first load in a test process is kept as an image and later copied
    back: the same rows, the same primary keys. SQLite: an in-memory copy (the sqlite3 backup API).
    PostgreSQL: a database made from the test database as its template, and the test database made again
    from it (``CREATE DATABASE ... TEMPLATE``).
    """
    from django.db import connection

    from careweave.demo import load_demo

    key = (persons, seed)
    if connection.vendor not in ("sqlite", "postgresql") or connection.in_atomic_block:
        return load_demo(persons=persons, seed=seed)
    if key in _DEMO_IMAGES:
        image, result = _DEMO_IMAGES[key]
        _restore_image(connection, image)
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()  # the image's ids, not those made after the last flush
        return result
    result = load_demo(persons=persons, seed=seed)
    _DEMO_IMAGES[key] = (_make_image(connection, key), result)
    return result


def _make_image(connection, key: tuple[int, int]) -> object:  # noqa: ANN001
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        image = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(image)
        return image
    name = f"{connection.settings_dict['NAME']}_demo_{key[0]}_{key[1]}"
    with _postgres_maintenance(connection) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{connection.settings_dict["NAME"]}"')
    return name


def _restore_image(connection, image: object) -> None:  # noqa: ANN001
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        image.backup(connection.connection)
        return
    test_db = connection.settings_dict["NAME"]
    with _postgres_maintenance(connection) as admin:
        admin.execute(f'DROP DATABASE "{test_db}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{test_db}" TEMPLATE "{image}"')


@contextmanager
def _postgres_maintenance(connection) -> Iterator[object]:  # noqa: ANN001
    """An autocommit connection to the server's ``postgres`` database, with every connection to the test database
    closed (a database cannot be copied or dropped while anyone is connected to it)."""
    import psycopg

    connection.close()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                      "AND pid <> pg_backend_pid()", [connection.settings_dict["NAME"]])
        yield admin


@pytest.fixture(scope="session", autouse=True)
def _drop_demo_images() -> Iterator[None]:
    yield
    from django.db import connection

    for image, _result in _DEMO_IMAGES.values():
        if isinstance(image, str) and connection.vendor == "postgresql":
            with _postgres_maintenance(connection) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{image}"')
    _DEMO_IMAGES.clear()


def empty_the_database() -> None:
    """What pytest-django does after a transactional test: every table emptied."""
    from django.core.management import call_command

    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)


@pytest.fixture(scope="module")
def demo_once(request, django_db_setup, django_db_blocker) -> Iterator[dict]:  # noqa: ANN001
    """The demo zone for a whole test module, committed once and emptied after the module.

    The module names its size with ``DEMO = {"persons": 60}`` (default: 200 persons, seed 42). Tests take
    ``demo_zone`` (below), which wraps each test in a rolled-back transaction as ``db`` does, so what a test
    changes is gone for the next one. A module using it belongs in one xdist group (``pytestmark``).
    """
    options = getattr(request.module, "DEMO", {})
    with django_db_blocker.unblock():
        result = demo_zone_in_database(**options)
    yield result
    with django_db_blocker.unblock():
        empty_the_database()


@pytest.fixture
def demo_zone(demo_once, db) -> dict:  # noqa: ANN001
    """The module's demo zone; this test's changes are rolled back."""
    return demo_once


# --- the PostgreSQL leg -----------------------------------------------------------------------------------

_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                      "django_db_setup", "live_server"}


def _uses_the_database(item: pytest.Item) -> bool:
    """The test opens the Django database: a ``django_db`` mark, or a database fixture anywhere in its closure."""
    if item.get_closest_marker("django_db") or item.get_closest_marker("postgresql"):
        return True
    return bool(_DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL (CI's second leg) only the tests that use the database run: a test that never opens it
    (file formats, the SQL-on-FHIR engine, the CLI's own SQLite files) gives the same answer on either and has
    run already on the SQLite leg. CAREWEAVE_ALL_TESTS=1 runs them anyway."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or os.environ.get("CAREWEAVE_ALL_TESTS"):
        return
    kept, skipped = [], []
    for item in items:
        (kept if _uses_the_database(item) else skipped).append(item)
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = kept


@pytest.fixture(autouse=True, scope="session")
def _quick_flush_on_postgresql() -> Iterator[None]:
    """Empty PostgreSQL's tables with DELETE instead of one TRUNCATE after a transactional test.

    TRUNCATE gives each of the ~150 tables new files (3-4 s a time here); the tables a test filled are small, and
    Django's foreign keys are deferrable, so deleting in any order inside the flush's transaction is valid."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):  # noqa: ANN001, ANN202
        if reset_sequences or not tables:
            return original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET CONSTRAINTS ALL DEFERRED;"] + [f"DELETE FROM {self.quote_name(t)};" for t in tables]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original
