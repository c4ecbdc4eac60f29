"""No child's name in the HTTP access log, by two independent defences, each tested on its own:

1. the shipped server configuration logs paths without query strings: the server is started the way `make run`
   starts it (the gunicorn command line read from the Makefile, with its configuration file), the searches and an
   old bookmark with the name in its query string go through it, and its access log holds no name;
2. searches by name are posted: the same server, told to log whole request lines (query strings included), is
   driven the way a browser drives the pages, through the forms as the pages declare them (method and action:
   the caseload search and its next page, the households search, the registration form that brings the
   registry's suggestions) and through the API's search; its log holds no name either. A form turned back into
   a GET puts the name into the URL and this log.

Both run on a free loopback port, over a copy of the test database.
"""

from __future__ import annotations

import functools
import re
import shlex
import socket
import sqlite3
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client

import kinga
from kinga.cases.tests.conftest import register
from kinga.core.services import create_api_token
from kinga.core.testing import actor_of, client_for

SOURCE_ROOT = Path(kinga.__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
NAME = "Kalumbilwa"


def shipped_command(port: int) -> list[str]:
    """`make run`'s gunicorn command, bound to `port`."""
    makefile = (SOURCE_ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    recipe = re.search(r"^run:.*?\n((?:\t.*\n)+)", makefile, re.M).group(1)
    line = next(part.strip() for part in recipe.splitlines() if part.strip().startswith("$(BIN)/gunicorn"))
    args = shlex.split(line)
    args[0] = GUNICORN
    args[args.index("--bind") + 1] = f"127.0.0.1:{port}"
    return args


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(tmp_path: Path) -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    # The test database lives in memory: the server gets a copy of it in a file.
    copy = tmp_path / "copy.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{copy}"


@pytest.fixture
def server(tmp_path):
    """Start the server when called (after the data is committed); stop it at the end. Returns its log."""
    started = {}

    def start(*extra: str) -> tuple[str, Path]:
        port = _free_port()
        log = tmp_path / "access.log"
        env = {
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "kinga.settings.test",
            "DATABASE_URL": _database_url(tmp_path),
            "KINGA_VAR_DIR": str(tmp_path / "var"),
            "PYTHONPATH": str(SOURCE_ROOT),
        }
        handle = log.open("w")
        process = subprocess.Popen(
            [*shipped_command(port), *extra],
            cwd=SOURCE_ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.DEVNULL,
        )
        started.update(process=process, handle=handle)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/health", timeout=60).status_code < 500:
                    return base, log
            except requests.ConnectionError:
                time.sleep(0.5)
        raise AssertionError("gunicorn did not start")

    yield start
    if started:
        started["process"].terminate()
        started["process"].wait(timeout=30)
        started["handle"].close()


def _session(client: Client, base: str) -> requests.Session:
    browser = requests.Session()
    browser.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    browser.get(base + "/cases/", timeout=120)  # the CSRF cookie
    browser.headers["X-CSRFToken"] = browser.cookies["csrftoken"]
    return browser


@pytest.mark.django_db(transaction=True)
def test_name_searches_leave_no_name_in_the_access_log(team, server):
    for i in range(27):  # more than a page of results
        register(team, given_name=f"Enfant{i}", family_name=NAME)
    supervisor = client_for(team.supervisor)
    _token, key = create_api_token(actor=actor_of(team.manager), name="log")
    client_for(team.manager)
    base, log = server()
    browser = _session(supervisor, base)

    browser.request = functools.partial(browser.request, timeout=120)  # a loaded machine is slow
    first = browser.post(base + "/cases/", data={"q": NAME})
    assert first.status_code == 200 and first.text.count(NAME) >= 25
    assert (
        f"?q={NAME}" not in first.text and "q=" not in re.sub(r'name="q"', "", first.text).split("<main")[-1]
    )
    second = browser.post(base + "/cases/", data={"q": NAME, "page": "2"})
    assert second.status_code == 200 and "Enfant" in second.text
    assert browser.post(base + "/households/", data={"q": NAME}).status_code == 200
    api = requests.post(
        base + "/api/v1/households/search/",
        json={"q": NAME},
        headers={"Authorization": f"Token {key}"},
        timeout=120,
    )
    assert api.status_code == 200
    refused = requests.get(base + f"/api/v1/households/?q={NAME}", headers={"Authorization": f"Token {key}"})
    assert refused.status_code == 400  # a name search in a URL is refused, not served
    browser.get(base + f"/cases/?q={NAME}")  # an old bookmark: the name is in the URL the browser sends

    deadline = time.monotonic() + 10
    while "/api/v1/households/search/" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    text = log.read_text()
    assert "POST /cases/" in text and "POST /households/" in text and "GET /cases/" in text
    assert NAME not in text


class _Forms(HTMLParser):
    """The forms of a page as a browser sees them: method, action, fields with their values, submit buttons."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (attrs.get("method") or "get").lower(),
                    "action": attrs.get("action") or "",
                    "fields": {},
                }
            )
        elif self.forms and tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            if tag == "button" or attrs.get("type") == "submit":
                self.forms[-1].setdefault("buttons", {})[attrs["name"]] = attrs.get("value", "")
            elif attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")

    def having(self, name: str, value: str | None = None) -> dict:
        for form in self.forms:
            names = {**form["fields"], **form.get("buttons", {})}
            if name in names and (value is None or names[name] == value):
                return form
        raise AssertionError(f"no form with {name}={value}")


def _submit(
    browser: requests.Session, current: requests.Response, form: dict, **values: str
) -> requests.Response:
    """Submit `form` of the page `current` as a browser does: to its action, by its method, fields and `values`."""
    url = urljoin(current.url, form["action"] or current.url)
    data = {**form["fields"], **values}
    if form["method"] == "post":
        return browser.post(url, data=data)
    return browser.get(url, params=data)


@pytest.mark.django_db(transaction=True)
def test_name_searches_are_posted_even_to_a_server_that_logs_whole_urls(team, server):
    for i in range(27):  # more than a page of results
        register(team, given_name=f"Enfant{i}", family_name=NAME)
    supervisor = client_for(team.supervisor)
    worker = client_for(team.worker)
    _token, key = create_api_token(actor=actor_of(team.manager), name="log")
    client_for(team.manager)
    base, log = server("--access-logformat", '"%(r)s" %(s)s')
    browser = _session(supervisor, base)
    browser.request = functools.partial(browser.request, timeout=120)  # a loaded machine is slow

    caseload = browser.get(base + "/cases/")
    first = _submit(browser, caseload, _Forms(caseload.text).having("q"), q=NAME)
    assert first.status_code == 200 and first.text.count(NAME) >= 25
    pager = _Forms(first.text)
    next_form = next((f for f in pager.forms if f.get("buttons", {}).get("page") == "2"), None)
    if next_form is not None:
        second = _submit(browser, first, next_form, page="2")
    else:  # a pager of links
        link = re.search(r'<a href="([^"]*page=2[^"]*)"', first.text)
        second = browser.get(urljoin(first.url, link.group(1).replace("&amp;", "&")))
    assert second.status_code == 200 and "Enfant" in second.text

    households = browser.get(base + "/households/")
    assert _submit(browser, households, _Forms(households.text).having("q"), q=NAME).status_code == 200

    registering = _session(worker, base)
    registering.request = functools.partial(registering.request, timeout=120)
    form_page = registering.get(base + "/cases/register/")
    form = _Forms(form_page.text).having("given_name")
    suggested = _submit(registering, form_page, form, given_name="Enfant3", family_name=NAME, sex="M")
    assert suggested.status_code in (200, 400)

    api = requests.post(
        base + "/api/v1/cases/search/",
        json={"q": NAME},
        headers={"Authorization": f"Token {key}"},
        timeout=120,
    )
    assert api.status_code == 200
    browser.get(base + "/cases/?status=closed")  # proves this log keeps query strings

    deadline = time.monotonic() + 10
    while "?status=closed" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    text = log.read_text()
    assert "?status=closed" in text  # the whole request line is logged here
    assert "/cases/register/" in text and "/households/" in text and "/api/v1/cases/search/" in text
    assert NAME not in text
