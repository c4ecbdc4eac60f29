"""No child's name in the HTTP access log: searches by name are posted, and the shipped server configuration
logs paths without query strings.

The server is started the way `make run` starts it (the gunicorn command line read from the Makefile, with its
configuration file), on a free loopback port, over a copy of the test database; the searches go through it
(caseload search and its next page, households search, the API's search, and an old
bookmark with the name in its query string); then its access log is read.
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
from pathlib import Path

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

    def start() -> tuple[str, Path]:
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
            shipped_command(port), cwd=SOURCE_ROOT, env=env, stdout=handle, stderr=subprocess.DEVNULL
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
