"""Shared test set-up: the managed database, the cast of personas, the browser."""

from __future__ import annotations

import os

import pytest
import time_machine

from tests import clock

# pytest-django's live_server runs Django in a thread while Playwright's sync API runs an event loop
# in the test thread; Django would refuse ORM calls from that thread without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_report_header() -> str:
    zone = os.environ.get("TIME_ZONE", "the default time zone")
    return f"test clock: every test starts at {clock.instant().isoformat()} ({zone})"


def pytest_configure(config: pytest.Config) -> None:
    clock.instant()  # a malformed KOBAN_TEST_NOW stops the run here, before any test
    if not os.environ.get("DATABASE_URL"):
        from koban.lib.localdb import default_cluster

        default_cluster().ensure_running(quiet=True)


pytest_plugins = ["tests.personas", "tests.browser"]


@pytest.fixture(autouse=True, scope="session")
def _session_clock():  # type: ignore[no-untyped-def]
    # Session and module fixtures (the demo prefecture, the browser) see the suite's instant too.
    with time_machine.travel(clock.instant(), tick=True):
        yield


@pytest.fixture(autouse=True)
def _test_clock(_session_clock):  # type: ignore[no-untyped-def]
    # No test reads the wall clock: each starts at the suite's instant (tests/clock.py) and the clock
    # ticks on from there, also in live_server's thread. A test may travel further (time_machine).
    with time_machine.travel(clock.instant(), tick=True):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # The production hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_by_default(settings):  # type: ignore[no-untyped-def]
    # Deployments default to Japanese and the catalogue is complete, but tests assert on the English
    # source strings. A test that wants Japanese asks for it (Accept-Language, /i18n/setlang/,
    # translation.override); the override also drops any language a previous test left active.
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


# One visit-card keyring for the whole run, made here: tests never read the deployment's key file.
_CARD_KEYRING: list[str] = []


@pytest.fixture(autouse=True)
def _card_keyring(settings):  # type: ignore[no-untyped-def]
    from koban.visitcards.crypto.keyring import new_keyring_text

    if not _CARD_KEYRING:
        _CARD_KEYRING.append(new_keyring_text("test-1"))
    settings.KOBAN_CARD_MASTER_KEYS = _CARD_KEYRING[0]


@pytest.fixture(scope="session")
def _beat_index_dir(tmp_path_factory):  # type: ignore[no-untyped-def]
    return tmp_path_factory.mktemp("beat-index")


@pytest.fixture(autouse=True)
def _beat_indexes_in_a_temporary_folder(settings, _beat_index_dir):  # type: ignore[no-untyped-def]
    # Built beat indexes are kept on disk by content (see koban.geography.assign); a test run keeps
    # them in its own folder, never in the deployment's data folder.
    settings.KOBAN_BEAT_INDEX_DIR = _beat_index_dir


@pytest.fixture(autouse=True)
def _attachments_in_a_temporary_folder(settings, tmp_path_factory):  # type: ignore[no-untyped-def]
    # Attached photos and documents go to a folder of the test run, never the deployment's data folder.
    settings.KOBAN_ATTACHMENT_DIR = tmp_path_factory.mktemp("attachments")


@pytest.fixture(autouse=True)
def _fresh_jurisdictions():  # type: ignore[no-untyped-def]
    # Each process caches agencies' jurisdictions; tests change station areas and extents directly.
    from koban.organization.jurisdiction import forget_jurisdiction

    forget_jurisdiction()
    yield
    forget_jurisdiction()


@pytest.fixture(autouse=True)
def _fresh_throttles():  # type: ignore[no-untyped-def]
    # API throttles count requests in the cache; each test starts with none counted.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _transactional_test_database(request):  # type: ignore[no-untyped-def]
    """Transactional tests (browser, live server, worker) start with the rows the migrations seed and
    end by truncating every table.

    An earlier transactional test's flush removed the seeded categories and shift patterns, so they are
    put back first, whatever order the tests run in. At the end the append-only audit trail refuses the
    truncation unless it is empty, so it is emptied first the one way the database allows (maintenance
    mode).
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so torn down (flushed) after this
    from tests.web.dashboard_data import reseed_categories

    reseed_categories()
    yield
    from koban.audit.maintenance import purge_before

    purge_before(None, None)
