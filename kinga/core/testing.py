"""Helpers for the tests of every app: members with roles, logged-in clients, the plaintext check."""

from __future__ import annotations

import itertools
import os
import re
import time
from pathlib import Path

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt
from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver

import kinga
from kinga.core.access import Actor, actor_for
from kinga.core.models import Membership, Organisation, OrganisationType, User

_counter = itertools.count(1)
# Password of every member make_member() creates (for tests that log in through the real form).
TEST_PASSWORD = "motdepasse-de-test-123"


def make_organisation(
    name: str | None = None, *, type: str = OrganisationType.NGO, acronym: str = ""
) -> Organisation:
    n = next(_counter)
    return Organisation.objects.create(
        name=name or f"Organisation test {n}", acronym=acronym or f"ORG{n}", type=type
    )


def make_member(
    organisation: Organisation, role: str, *, email: str | None = None, supervisor: Membership | None = None
) -> Membership:
    user = User.objects.create_user(
        email=email or f"user{next(_counter)}@test.kinga.cd",
        password=TEST_PASSWORD,
        full_name="Test",
    )
    return Membership.objects.create(user=user, organisation=organisation, role=role, supervisor=supervisor)


def actor_of(membership: Membership) -> Actor:
    return actor_for(membership.user, membership.pk)


def enrol_totp(user: User) -> str:
    """Give a user a TOTP authenticator (as enrolment would); returns the secret. Idempotent."""
    existing = totp_secret_of(user)
    if existing:
        return existing

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The RFC 6238 code an authenticator app shows for this secret now (or at `at`, a Unix time). Asked in
    the last two seconds of a period, it waits for the next: a code typed then reaches the server in the next
    period, which refuses it (allauth allows no drift), and a browser test's login failed so."""
    if at is None and time.time() % app_settings.TOTP_PERIOD > app_settings.TOTP_PERIOD - 2:
        time.sleep(app_settings.TOTP_PERIOD + 0.2 - time.time() % app_settings.TOTP_PERIOD)
    counter = int(time.time() if at is None else at) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def totp_secret_of(user: User) -> str | None:
    """The TOTP secret of an enrolled user (decrypted), to compute codes in tests."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return decrypt(authenticator.data["secret"]) if authenticator else None


def client_for(membership: Membership, client: Client | None = None) -> Client:
    """A test client logged in as this member, acting in this membership, second factor enrolled."""
    client = client or Client()
    enrol_totp(membership.user)
    client.force_login(membership.user)
    session = client.session
    session["kinga_membership"] = membership.pk
    # What allauth records of a real login that went through the second factor (token creation needs it).
    session["account_authentication_methods_user"] = str(membership.user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": membership.user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()
    return client


def client_without_second_factor(membership: Membership, client: Client | None = None) -> Client:
    """A test client logged in as this member whose session did not go through a second factor."""
    client = client or Client()
    client.force_login(membership.user)
    session = client.session
    session["kinga_membership"] = membership.pk
    session.save()
    return client


def stored_in_clear(value: str) -> list[str]:
    """Tables and columns where `value` appears in clear anywhere in the database (should be none)."""
    hits = []
    needle = value.casefold()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            description = connection.introspection.get_table_description(cursor, table)
            columns = [c.name for c in description]
            q = connection.ops.quote_name
            cursor.execute(f"SELECT {', '.join(q(c) for c in columns)} FROM {q(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for column, cell in zip(columns, row, strict=True):
                    if cell is not None and needle in str(cell).casefold():
                        hits.append(f"{table}.{column}")
    return sorted(set(hits))


def assert_not_stored_in_clear(value: str) -> None:
    hits = stored_in_clear(value)
    assert not hits, f"{value!r} is stored in clear in {hits}"


def shared_path(*parts: str) -> Path:
    """A file of the project's shared data folder, `../shared` from the repository root (KINGA_SHARED_DIR
    overrides it). In a git worktree the repository root is the main checkout's, whose `../shared` is used
    when the worktree has none beside it. Fails, never skips, when the file is missing: a test that needs it
    must not pass silently on a machine without it."""
    root = Path(settings.BASE_DIR)
    candidates = [Path(os.environ["KINGA_SHARED_DIR"])] if os.environ.get("KINGA_SHARED_DIR") else []
    candidates.append(root.parent / "shared")
    git_file = root / ".git"
    if git_file.is_file() and git_file.read_text().startswith("gitdir:"):
        # <main checkout>/.git/worktrees/<name>
        worktree_dir = Path(git_file.read_text().split(":", 1)[1].strip())
        candidates.append(worktree_dir.parent.parent.parent.parent / "shared")
    for base in candidates:
        path = base.joinpath(*parts)
        if path.exists():
            return path
    raise FileNotFoundError(
        f"{'/'.join(parts)} not found in the shared data folder (looked in {', '.join(map(str, candidates))}); "
        "it is ../shared from the repository root"
    )


# A subprocess runs the code under test, even when the virtualenv's editable install points at another checkout
# (a git worktree sharing the venv).
SOURCE_ROOT = str(Path(kinga.__file__).resolve().parent.parent)


def production_env(tmp_path, **extra) -> dict:
    """The environment of a production process (kinga.settings.production) on a throwaway database in tmp_path."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("KINGA_", "DATABASE_URL", "MIGRATION_DATABASE_URL", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
        )
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kinga.settings.production",
            "SECRET_KEY": "p8Qz-" + "x7Lm2Vn9Rt4Kc6Wb" * 4,
            "ALLOWED_HOSTS": "kinga.example.cd",
            "CSRF_TRUSTED_ORIGINS": "https://kinga.example.cd",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
            "KINGA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "KINGA_BLIND_INDEX_KEY": "blind-index-key-for-the-deploy-check",
            "KINGA_VAR_DIR": str(tmp_path / "var"),
            "PYTHONPATH": SOURCE_ROOT,
        }
    )
    env.update(extra)
    return env


def assert_fits_phone(page) -> None:
    """The page in the (360 px) browser does not scroll sideways.

    It waits for the page to have loaded first: measured right after a click that navigates, the old document
    may already be gone and the new one not yet there (CI saw `documentElement` null there once).
    """
    page.wait_for_load_state()
    overflow = page.evaluate(
        "document.documentElement ? document.documentElement.scrollWidth - window.innerWidth : null"
    )
    if overflow is None:  # still between two documents: wait for the next one and measure it
        page.wait_for_function("document.documentElement !== null")
        page.wait_for_load_state()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px at {page.viewport_size['width']} px"


def date_input_text(page, selector: str) -> str:
    """What a date input shows, as the person reads it ("jj/mm/aaaa" empty, "01/03/2026" filled): the fields
    Chromium draws inside it, read through the DevTools protocol (a page's script cannot see them)."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
        node_id = cdp.send("DOM.querySelector", {"nodeId": root["nodeId"], "selector": selector})["nodeId"]
        node = cdp.send("DOM.describeNode", {"nodeId": node_id, "depth": -1, "pierce": True})["node"]
    finally:
        cdp.detach()

    def texts(node: dict) -> list[str]:
        found = [node["nodeValue"]] if node.get("nodeType") == 3 else []
        for key in ("children", "shadowRoots"):
            for child in node.get(key, []):
                found += texts(child)
        return found

    return "".join(texts({"shadowRoots": node.get("shadowRoots", [])})).strip()


# Paths without parameters that are not pages a person reads (data, files, actions, webhooks).
_NOT_PAGES = re.compile(
    r"^/(api/|health|i18n/)|\.(json|csv)$|/(export|envoyer|nettoyer|sms|appartenance|jetons)/$"
)
_UUID_LINK = re.compile(r'href="(/[^"?#]*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/)"')


def page_urls() -> list[str]:
    """Every page of Kinga reached without a parameter (lists, dashboards, forms), from the URL configuration."""

    def walk(patterns, prefix: str):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif not any(mark in route for mark in ("<", "(?", "^")) and getattr(
                pattern.callback, "__module__", ""
            ).startswith("kinga."):
                yield "/" + route

    return sorted({url for url in walk(get_resolver().url_patterns, "") if not _NOT_PAGES.search(url)})


def object_links(page: str, *, limit: int = 2) -> list[str]:
    """The first links of a page to an object's own page (its UUID in the path), to walk one level down."""
    links: list[str] = []
    for link in _UUID_LINK.findall(page):
        if link not in links and not _NOT_PAGES.search(link):
            links.append(link)
    return links[:limit]


# --- A copy of the database's rows (conftest.py: demo_database) -------------------------------------------------


def _model_tables() -> list[str]:
    return connection.introspection.django_table_names(only_existing=True, include_views=False)


def copy_tables() -> list[tuple]:
    """Every table's rows, in memory: (table, data) in PostgreSQL's own text format (COPY, written back as it
    was read), (table, columns, rows) on SQLite. Tables without rows are left out."""
    copies: list[tuple] = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in _model_tables():
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {quote(table)} TO STDOUT") as copy:
                    data = b"".join(bytes(chunk) for chunk in copy)
                if data:
                    copies.append((table, data))
            else:
                cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 (the model tables' own names)
                rows = cursor.fetchall()
                if rows:
                    copies.append((table, [column[0] for column in cursor.description], rows))
    return copies


# The tables the suite's flush leaves as they are (conftest.py): rows of reference that no test writes.
KEPT_BY_THE_FLUSH = frozenset({"django_content_type", "auth_permission"})


def write_back(copies: list[tuple]) -> None:
    """Empty every table (as the flush after a transactional test does) and write the copied rows back, ids
    included: the database holds what it held when copied, whatever was written since."""
    quote = connection.ops.quote_name
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), _model_tables()))
    with transaction.atomic(), connection.cursor() as cursor:
        for table, *_content in copies:
            if table in KEPT_BY_THE_FLUSH:  # the copy's own rows, whatever the flush kept
                cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 (a model's own table)
        for table, *content in copies:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {quote(table)} FROM STDIN") as copy:
                    copy.write(content[0])
            else:
                columns, rows = content
                names = ", ".join(quote(column) for column in columns)
                values = ", ".join(["%s"] * len(columns))
                insert = f"INSERT INTO {quote(table)} ({names}) VALUES ({values})"  # noqa: S608 (same)
                cursor.executemany(insert, rows)
        # The rows came back with their ids: each table's next id follows them, whatever ran in between.
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(statement)
    # What was read before (content types by id, figures memoised until a write) is forgotten.
    ContentType.objects.clear_cache()
    cache.clear()
