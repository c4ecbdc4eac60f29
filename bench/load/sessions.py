"""Accounts for the load test: distinct members of each role, each with a password and an authenticator app
enrolled, written with what each will open. The locust users log in through the real login path with these
(password, then the authenticator code), as a person does; this only prepares the accounts, in the benchmark
database (synthetic accounts have unusable passwords)."""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

import django

django.setup()

from django.db.models import Count  # noqa: E402

from kinga.cases.models import Case  # noqa: E402
from kinga.core.models import Membership  # noqa: E402
from kinga.core.testing import enrol_totp  # noqa: E402

# Distinct people per role: an authenticator code is accepted once, so two simulated users must not share one.
# For 50 users (locustfile's weights 30:8:2, and 10 public reporters); scaled for a larger test.
USERS = int(os.environ.get("KINGA_LOAD_USERS", "50"))
WANTED = {
    role: max(1, round(n * USERS / 50))
    for role, n in {"caseworker": 30, "supervisor": 8, "coordinator": 2}.items()
}


def members_of(role: str, n: int) -> list[Membership]:
    qs = Membership.objects.filter(role=role, is_active=True, user__is_active=True).select_related("user")
    if role == "caseworker":
        # The busiest caseworkers: the load lands where the caseloads are largest.
        qs = qs.annotate(n_cases=Count("user__caseload")).order_by("-n_cases", "pk")
    else:
        qs = qs.order_by("pk")
    # One membership per person: the login lands in it without a choice.
    chosen, seen = [], set()
    for m in qs[: n * 4]:
        if m.user_id in seen or m.user.memberships.filter(is_active=True).count() != 1:
            continue
        seen.add(m.user_id)
        chosen.append(m)
        if len(chosen) == n:
            break
    return chosen


def main(out: Path) -> None:
    users = []
    for role, n in WANTED.items():
        members = members_of(role, n)
        if not members:
            raise SystemExit(f"no active {role} with a single membership in this database")
        for m in members:
            password = secrets.token_urlsafe(16)
            m.user.set_password(password)
            m.user.save(update_fields=["password"])
            secret = enrol_totp(m.user)
            cases = [
                str(u)
                for u in Case.objects.filter(caseworker_id=m.user_id).values_list("uuid", flat=True)[:20]
            ]
            users.append(
                {"role": role, "email": m.user.email, "password": password, "secret": secret, "cases": cases}
            )
    out.write_text(json.dumps({"users": users}))
    print(f"accounts: {len(users)} written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
