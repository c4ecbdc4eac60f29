"""Load drill: caseworkers, supervisors, a coordinator and the public alert form against one Kinga server.

Sessions come from bench/load/sessions.py (KINGA_LOAD_SESSIONS). Every tracking code the public form returns
is appended to KINGA_LOAD_CODES so the runner can check that each accepted alert is in the database.
A 503 (the database down during the fault drill) is counted under its own name, apart from real errors.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

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
    wait_time = between(1, 3)

    def on_start(self):
        self.me = next(_POOLS[self.role])
        self.client.cookies.set(DATA["cookie"], self.me["session"])

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


class Coordinator(_Member):
    role = "coordinator"
    weight = 2

    @task(2)
    def plan(self):
        self.get("/plan/", "plan tree /plan/")

    @task(1)
    def budget(self):
        self.get("/plan/budget/", "budget /plan/budget/")


class Reporter(HttpUser):
    """Someone using the public alert form: reads it, then sends an alert."""

    weight = 10
    wait_time = between(5, 15)

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
