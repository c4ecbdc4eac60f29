"""Logged-in sessions for the load drill: one per member of each role, second factor enrolled (as bench/run.py
does), written as cookies with what each user will open. Logging in is not what the drill measures."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import django

django.setup()

from allauth.mfa.models import Authenticator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from kinga.cases.models import Case  # noqa: E402
from kinga.core.models import Membership  # noqa: E402
from kinga.core.testing import enrol_totp  # noqa: E402

WANTED = {"caseworker": 30, "supervisor": 8, "coordinator": 2}


def session_for(membership: Membership) -> str:
    user = membership.user
    if not Authenticator.objects.filter(user=user, type="totp").exists():
        enrol_totp(user)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["kinga_membership"] = membership.pk
    store.create()
    return store.session_key


def main(out: Path) -> None:
    users = []
    for role, n in WANTED.items():
        members = list(
            Membership.objects.filter(role=role, is_active=True, user__is_active=True).select_related("user")[
                :n
            ]
        )
        if not members:
            raise SystemExit(f"no active {role} in this database")
        for i in range(n):
            m = members[i % len(members)]
            cases = [
                str(u)
                for u in Case.objects.filter(caseworker_id=m.user_id).values_list("uuid", flat=True)[:20]
            ]
            users.append({"role": role, "session": session_for(m), "cases": cases})
    out.write_text(json.dumps({"cookie": settings.SESSION_COOKIE_NAME, "users": users}))
    print(f"sessions: {len(users)} written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
