"""Load test: caseworkers, supervisors, coordinators and the public alert form against one Kinga server.

Accounts come from bench/load/sessions.py (KINGA_LOAD_SESSIONS); each simulated person logs in through the real
login path (e-mail and password, then the authenticator app's code), then clicks with 5–15 s between pages.
Every tracking code the public form returns is appended to KINGA_LOAD_CODES so the runner can check that each
accepted alert is in the database. A 503 (the database down during the fault drill) is counted under its own
name, apart from real errors.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time

from locust import HttpUser, between, task

DATA = json.load(open(os.environ["KINGA_LOAD_SESSIONS"]))  # noqa: SIM115
CODES = os.environ["KINGA_LOAD_CODES"]
_POOLS = {
    role: itertools.cycle([u for u in DATA["users"] if u["role"] == role])
    for role in ("caseworker", "supervisor", "coordinator")
}
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_TERRITORY = re.compile(r'<select name="territory"[^>]*>.*?<option value="(\d+)"', re.S)
_CODE = re.compile(r'id="followup-code"><strong>([A-Z0-9]+)</strong>')
THINK = between(5, 15)


def totp(secret: str, at: float) -> str:
    """RFC 6238 (SHA-1, 6 digits, 30 s), as an authenticator app computes it (allauth's defaults)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def _check(response, name):
    if response.status_code == 503:
        response.failure("503 (database unavailable)")
    elif response.status_code >= 400:
        response.failure(f"{response.status_code}")
    else:
        response.success()


class _Member(HttpUser):
    abstract = True
    role = ""
    wait_time = THINK

    def on_start(self):
        self.me = next(_POOLS[self.role])
        self.login()

    def login(self):
        r = self.client.get("/accounts/login/", name="login GET /accounts/login/")
        token = _CSRF.search(r.text)
        r = self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "login": self.me["email"],
                "password": self.me["password"],
            },
            headers={"Referer": self.host + "/accounts/login/"},
            name="login POST /accounts/login/ (password)",
        )
        if "/2fa/authenticate/" not in r.url:
            raise RuntimeError(
                f"login of {self.me['email']} did not ask for the code: {r.status_code} {r.url}"
            )
        token = _CSRF.search(r.text)
        # A code is accepted once: a person whose previous code was just used waits for the next one.
        r = self.client.post(
            "/accounts/2fa/authenticate/",
            data={"csrfmiddlewaretoken": token.group(1), "code": totp(self.me["secret"], time.time())},
            headers={"Referer": self.host + "/accounts/2fa/authenticate/"},
            name="login POST /accounts/2fa/authenticate/ (code)",
        )
        if r.status_code != 200 or "/accounts/" in r.url:
            raise RuntimeError(f"second factor of {self.me['email']} refused: {r.status_code} {r.url}")

    def get(self, url, name):
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as r:
            _check(r, name)


class Caseworker(_Member):
    role = "caseworker"
    weight = 30

    @task(3)
    def caseload(self):
        self.get("/cases/", "caseload /cases/")

    @task(3)
    def case_file(self):
        if self.me["cases"]:
            self.get(f"/cases/{random.choice(self.me['cases'])}/", "case file /cases/<uuid>/")

    @task(1)
    def home(self):
        self.get("/", "home /")

    @task(1)
    def triage(self):
        self.get("/community/alertes/", "triage /community/alertes/")


class Supervisor(_Member):
    role = "supervisor"
    weight = 8

    @task(2)
    def team(self):
        self.get("/cases/team/", "team view /cases/team/")

    @task(1)
    def caseload(self):
        self.get("/cases/", "caseload /cases/")

    @task(1)
    def home(self):
        self.get("/", "home /")


class Coordinator(_Member):
    role = "coordinator"
    weight = 2

    @task(2)
    def home(self):
        self.get("/", "home /")

    @task(2)
    def plan(self):
        self.get("/plan/", "plan tree /plan/")

    @task(1)
    def budget(self):
        self.get("/plan/budget/", "budget /plan/budget/")

    @task(1)
    def households(self):
        self.get("/households/", "households /households/")

    @task(1)
    def case_stats(self):
        self.get("/cases/stats/", "case statistics /cases/stats/")


class Reporter(HttpUser):
    """Someone using the public alert form: reads it, then sends an alert."""

    weight = 10
    wait_time = THINK

    @task
    def report(self):
        with self.client.get("/alerte/", name="public form GET /alerte/", catch_response=True) as r:
            _check(r, "form")
            if r.status_code != 200:
                return
            token, territory = _CSRF.search(r.text), _TERRITORY.search(r.text)
        if not token or not territory:
            return
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "territory": territory.group(1),
            "location_text": "Près du marché, exercice de charge",
            "urgency": "normal",
            "n_F_u": "2",
            "description": "Exercice de charge : enfants vus au lavage.",
        }
        with self.client.post(
            "/alerte/",
            data=data,
            name="public form POST /alerte/",
            catch_response=True,
            headers={"Referer": self.host + "/alerte/"},
        ) as r:
            if r.status_code == 201:
                code = _CODE.search(r.text)
                with open(CODES, "a") as out:
                    out.write((code.group(1) if code else "?") + "\n")
                r.success()
            else:
                _check(r, "post")
