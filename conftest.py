import datetime
import os

import pytest

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def today(monkeypatch):
    """Freezes kinga.core.clock.today() at 2 March 2026; a test moves it with `today.set(date)`."""

    class FrozenToday:
        value = TODAY

        def set(self, value: datetime.date) -> None:
            self.value = value

        def __call__(self) -> datetime.date:
            return self.value

    from kinga.core import clock

    frozen = FrozenToday()
    monkeypatch.setattr(clock, "today", frozen)
    return frozen


@pytest.fixture
def reference_places(db):
    from kinga.core.models import Place
    from kinga.core.reference import load_places
    from kinga.core.testing_snapshots import replayed

    replayed("places", load_places)
    return Place.objects


@pytest.fixture
def lualaba(reference_places):
    return reference_places.get(pcode="CD72")


@pytest.fixture
def kolwezi(reference_places):
    return reference_places.get(pcode="CD7201")


# --- PostgreSQL as the runtime role -------------------------------------------------------------------
# With MIGRATION_DATABASE_URL set (.ci/run), the test databases are created and migrated as the owner (whose
# post_migrate grants the runtime role, as `kinga migrate` does in production), then every test runs
# connected as the runtime role of DATABASE_URL. The flush after a transactional test empties every table,
# the audit trail included, which the runtime role may not do: the owner lends it a function for that, in
# the test databases only.
#
# The function deletes the rows of the tables that have some, rather than truncating every table: a TRUNCATE
# makes new files for each of the ~170 tables and their indexes, 6 to 8 s per flush whatever the data (2 CPUs,
# loaded), after each of the ~130 transactional tests (the browser tests). The tables a test filled are a few
# dozen: 0.05 s after a browser test, 1 s after the whole demo data. Django's foreign keys are deferred, checked
# at the end of the flush's transaction, when every referencing row is gone. A flush that resets the sequences
# still truncates.

TEST_FLUSH_FUNCTION = """
CREATE OR REPLACE FUNCTION kinga_test_flush(tables text[], reset boolean) RETURNS void
SECURITY DEFINER SET search_path = public LANGUAGE plpgsql AS $$
DECLARE
  name text;
  filled text[] := '{}';
  has_rows boolean;
BEGIN
  IF reset THEN
    ALTER TABLE core_auditevent DISABLE TRIGGER USER;
    EXECUTE 'TRUNCATE ' || (SELECT string_agg(quote_ident(t), ', ') FROM unnest(tables) AS t)
      || ' RESTART IDENTITY CASCADE';
    ALTER TABLE core_auditevent ENABLE TRIGGER USER;
    RETURN;
  END IF;
  FOREACH name IN ARRAY tables LOOP
    EXECUTE format('SELECT EXISTS (SELECT FROM %I)', name) INTO has_rows;
    IF has_rows THEN
      filled := filled || name;
    END IF;
  END LOOP;
  IF 'core_auditevent' = ANY (filled) THEN
    ALTER TABLE core_auditevent DISABLE TRIGGER USER;
  END IF;
  SET CONSTRAINTS ALL DEFERRED;
  FOREACH name IN ARRAY filled LOOP
    EXECUTE format('DELETE FROM %I', name);
  END LOOP;
  IF 'core_auditevent' = ANY (filled) THEN
    ALTER TABLE core_auditevent ENABLE TRIGGER USER;
  END IF;
END $$;
"""


# Content types and permissions are written by the migrations' post_migrate handlers and never by a test. A flush
# that emptied them would have Django's handlers write the ~800 rows back at once, under new ids: 0.9 s after
# each transactional test, and every test after it in another database state (testing_snapshots.py). They are
# kept (kinga.core.testing.KEPT_BY_THE_FLUSH); the handlers then find them all there.


def _keeping_reference_rows(sql_flush):
    def flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        from kinga.core.testing import KEPT_BY_THE_FLUSH

        kept = [t for t in tables if t not in KEPT_BY_THE_FLUSH]
        return sql_flush(self, style, kept, reset_sequences=reset_sequences, allow_cascade=allow_cascade)

    return flush


def _flush_through_the_owner(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if not tables:
        return []
    names = ", ".join("'" + table.replace("'", "''") + "'" for table in tables)
    return [f"SELECT kinga_test_flush(ARRAY[{names}]::text[], {'true' if reset_sequences else 'false'})"]


_OWNER_SETTINGS: dict = {}


@pytest.fixture
def as_database_owner():
    """For a transactional test that changes the schema (a migration run back and forth): connected as the
    owner for its duration, as `kinga migrate` is in production; a no-op without the two roles."""
    from django.db import connection

    if not _OWNER_SETTINGS:
        yield
        return
    runtime = {key: connection.settings_dict[key] for key in _OWNER_SETTINGS}
    connection.close()
    connection.settings_dict.update(_OWNER_SETTINGS)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(runtime)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.conf import settings
    from django.db import connection

    ops_class = type(connection.ops)
    original_flush = ops_class.sql_flush
    if connection.vendor != "postgresql":
        ops_class.sql_flush = _keeping_reference_rows(original_flush)
        try:
            yield
        finally:
            ops_class.sql_flush = original_flush
        return
    # Without the two roles (a plain DATABASE_URL) the flush goes through the function too: the audit trail's
    # TRUNCATE trigger refuses a plain flush whoever runs it.
    runtime = getattr(settings, "KINGA_TEST_RUNTIME_DB", None) or {}
    owner = {key: connection.settings_dict[key] for key in runtime}
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(TEST_FLUSH_FUNCTION)
            # The shared cache table of production, made by the owner as `make setup` does (the runtime role
            # may not create tables); tests that use the database cache find it there.
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS kinga_cache (cache_key varchar(255) PRIMARY KEY, "
                "value text NOT NULL, expires timestamp with time zone NOT NULL)"
            )
            cursor.execute("CREATE INDEX IF NOT EXISTS kinga_cache_expires ON kinga_cache (expires)")
            if runtime.get("USER"):
                cursor.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON kinga_cache TO "{runtime["USER"]}"')
        connection.close()
        connection.settings_dict.update(runtime)
        if runtime:
            _OWNER_SETTINGS.update(owner)
        ops_class.sql_flush = _keeping_reference_rows(_flush_through_the_owner)
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            ops_class.sql_flush = original_flush
            connection.close()
            connection.settings_dict.update(owner)


# --- The demo database, built once per test process ------------------------------------------------------
# `kinga synth --scale demo --seed 3` then `kinga demo-accounts` (as after `make run`) take about 10 s, and the
# journeys, the accessibility crawl and the language crawl each start from them. The first test of a process that
# asks for `demo_database` builds them and keeps a copy of every table's rows in memory; each later one empties
# the tables and writes the copy back (about a second): every test starts from the same data, whatever the one
# before it changed.

_DEMO_COPY: list[tuple] = []


@pytest.fixture
def demo_database(db):
    """The demo data and accounts, on a database emptied of everything else (ask for it before any fixture
    that writes): demo_database(slug) is the membership of the demo account `slug`@demo.kinga.cd."""
    import io

    from django.core.management import call_command

    from kinga.core.models import Membership
    from kinga.core.reference import load_places
    from kinga.core.testing import copy_tables, write_back

    if _DEMO_COPY:
        write_back(_DEMO_COPY)
    else:
        call_command(
            "flush", interactive=False, verbosity=0
        )  # built as later tests will find it: on nothing else
        load_places()
        call_command("synth", "--scale", "demo", "--seed", "3", stdout=io.StringIO())
        call_command("demo-accounts", stdout=io.StringIO())
        _DEMO_COPY.extend(copy_tables())

    def membership(slug: str):
        return Membership.objects.select_related("user", "organisation").get(
            user__email=f"{slug}@demo.kinga.cd"
        )

    return membership


# --- Skips: only the declared reasons --------------------------------------------------------------------
# A test that skips for any other reason (a missing data file, a module present or not) is a test that does
# not run anywhere. Under CI (CI=true, or --strict-skips) such a skip fails the run.

BROWSER_SKIP_REASON = "browser test skipped"
POSTGRESQL_ONLY_REASON = "PostgreSQL only"
DECLARED_SKIP_REASONS = (BROWSER_SKIP_REASON, POSTGRESQL_ONLY_REASON)
_undeclared_skips: list[str] = []


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = _skip_reason(report)
        if not reason.startswith(DECLARED_SKIP_REASONS):
            _undeclared_skips.append(f"{report.nodeid}: {reason}")


def _strict_skips(config) -> bool:
    return config.getoption("--strict-skips") or os.environ.get("CI", "").lower() in ("true", "1")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _undeclared_skips and _strict_skips(config):
        terminalreporter.section("skips for an undeclared reason (they fail the run)", red=True)
        for line in _undeclared_skips:
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"declared reasons start with: {', '.join(DECLARED_SKIP_REASONS)}")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):  # xdist worker: the controller sees every report
        return
    if _undeclared_skips and _strict_skips(session.config) and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- Browser tests (Playwright driving Debian's chromium) -------------------------------------------------
# Mark them @pytest.mark.browser and use the `page` fixture (a 360 px wide phone, French, fresh profile, its
# base URL the live server) and `login_as(membership)` (logs in through the real form, second factor included).

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=fr-FR",
]
PHONE_VIEWPORT = {"width": 360, "height": 740}
# Chromium draws a date input (jj/mm/aaaa or mm/dd/yyyy) in its own interface language, not in the page's
# language nor in Playwright's `locale` (which only sets navigator.language, Intl and Accept-Language): so does
# Chrome on a French phone, in the phone's language. On Linux that language comes from the environment
# (LANGUAGE, LANG), on other systems from --lang, and only if Chromium has its French resources (Debian's
# chromium-l10n, installed by .ci/run): without them it falls back to American English, mm/dd/yyyy.
CHROMIUM_ENV = {"LANGUAGE": "fr", "LANG": "fr_FR.UTF-8"}
CHROMIUM_FRENCH = "/usr/lib/chromium/locales/fr.pak"


def pytest_addoption(parser):
    parser.addoption(
        "--run-browser",
        action="store_true",
        help="Browser tests must run (fail instead of skipping without chromium).",
    )
    parser.addoption(
        "--strict-skips",
        action="store_true",
        help="Fail the run when a test skips for a reason other than the declared ones (set by CI=true).",
    )
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="Leave out the tests that never open the database (CI's second pass, on PostgreSQL: they ran in the "
        "first, on SQLite, and their result does not depend on the database).",
    )


DATABASE_FIXTURES = frozenset({"db", "transactional_db", "live_server", "demo_database"})


def _uses_the_database(item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        DATABASE_FIXTURES & set(item.fixturenames)
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--database-tests-only"):
        left_out = [item for item in items if not _uses_the_database(item)]
        if left_out:
            config.hook.pytest_deselected(items=left_out)
            items[:] = [item for item in items if _uses_the_database(item)]
    if os.path.exists(CHROMIUM) or config.getoption("--run-browser"):
        return
    skip = pytest.mark.skip(
        reason=f"{BROWSER_SKIP_REASON}: {CHROMIUM} is not installed (apt-get install chromium)"
    )
    skipped = 0
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
            skipped += 1
    if skipped:
        config.issue_config_time_warning(
            pytest.PytestWarning(f"{skipped} browser test(s) skipped: {CHROMIUM} is not installed"),
            stacklevel=2,
        )


@pytest.fixture(scope="session")
def playwright_driver():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is not installed: browser tests cannot run (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the test itself still uses the ORM directly.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def page_options():
    """More options of the browser context (a module overrides it: {"java_script_enabled": False})."""
    return {}


@pytest.fixture
def page(playwright_driver, live_server, tmp_path, page_options):
    """A chromium page at 360 px, in French (its interface too: date inputs read jj/mm/aaaa), with a fresh
    profile; relative URLs go to the live server."""
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        env={**os.environ, **CHROMIUM_ENV},
        viewport=PHONE_VIEWPORT,
        locale="fr-FR",
        base_url=live_server.url,
        **page_options,
    )
    context.set_default_timeout(20_000)
    page = context.pages[0] if context.pages else context.new_page()
    yield page
    context.close()


@pytest.fixture
def login_as(page):
    """login_as(membership): log in through the real login form, enrolling or entering the TOTP code."""
    from kinga.core.testing import TEST_PASSWORD

    def login(membership, *, password: str = TEST_PASSWORD):
        import time

        from kinga.core.testing import totp_code, totp_secret_of

        user = membership.user
        page.goto("/accounts/login/")
        page.fill("#id_login", user.email)
        page.fill("#id_password", password)
        page.press("#id_password", "Enter")
        page.wait_for_load_state()
        if page.locator("#authenticator_secret").count():  # first login of a role that needs MFA
            secret = page.input_value("#authenticator_secret")
            page.fill("#id_code", totp_code(secret))
            page.press("#id_code", "Enter")
            page.wait_for_load_state()
            if page.locator("#continue").count():
                page.click("#continue")
        elif page.locator("#id_code").count():  # enrolled: the second step of the login
            secret = totp_secret_of(user)
            for _attempt in range(2):
                page.fill("#id_code", totp_code(secret))
                page.press("#id_code", "Enter")
                page.wait_for_load_state()
                if not page.locator("#id_code").count():
                    break
                # A code is accepted once per period: wait for the next one (same user logging in twice).
                time.sleep(31 - time.time() % 30)
        if user.memberships.filter(is_active=True).count() > 1:
            page.goto("/profil/")
            page.check(f"input[name=membership][value='{membership.uuid}']")
            page.locator("input[name=membership]").last.press("Enter")
            page.wait_for_load_state()
        if "/accounts/" in page.url:
            raise AssertionError(f"login of {user.email} did not succeed: still on {page.url}")
        return page

    return login


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language: a request made in English leaves English active in the thread
    (LocaleMiddleware activates and never deactivates), and a later test on that worker would read English."""
    from django.conf import settings
    from django.utils import translation

    if settings.configured:  # (a test of the suite's own plugins runs it without Django)
        translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture(autouse=True)
def _tallies_match_the_records(request):
    """After every test that wrote to the database: each count kept on write (kinga.core.tallies) equals what the
    records give, day by day — so every scenario of the suite checks that the writes keep them current. (It asks
    for the database itself, so that it checks before the test's transaction is rolled back.) Only the tallies
    whose tables the test wrote to are recomputed (kinga.core.testing_tallies); all of them after a test whose
    writes may come from elsewhere (a live server, another process, threads)."""
    names = request.fixturenames
    if request.node.get_closest_marker("no_tally_check") or not ({"db", "transactional_db"} & set(names)):
        yield
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in names else "db")
    from django.core.cache import cache

    from kinga.core import testing_tallies

    cache.clear()  # figures memoised until a write (kinga.core.tallies) must not outlive the test's records
    if "transactional_db" in names or "live_server" in names:
        yield
        wrong = testing_tallies.differences(None)
    else:
        with testing_tallies.recording_writes() as writes:
            yield
        wrong = testing_tallies.differences(writes)
    assert not wrong, f"counts kept on write differ from the records (group, tally, records): {wrong}"
