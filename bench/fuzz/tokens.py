"""API tokens for the API probe: one per role, held by an active member of the demo database (second factor
enrolled first where the role requires it, as a real token holder must). Writes {role: key} as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import django

django.setup()

from kinga.core.access import actor_for  # noqa: E402
from kinga.core.models import Membership  # noqa: E402
from kinga.core.roles import MFA_REQUIRED_ROLES, Role  # noqa: E402
from kinga.core.services import create_api_token  # noqa: E402
from kinga.core.testing import enrol_totp  # noqa: E402


def main(out: Path) -> None:
    keys = {}
    for role in Role:
        member = (
            Membership.objects.filter(role=role, is_active=True, user__is_active=True)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if member is None:
            print(f"aucun membre actif pour le rôle {role.value} : rôle ignoré")
            continue
        if role in MFA_REQUIRED_ROLES:
            enrol_totp(member.user)
        _token, key = create_api_token(actor=actor_for(member.user, member.pk), name="sonde API")
        keys[role.value] = key
    out.write_text(json.dumps(keys))
    print(f"{len(keys)} jetons écrits dans {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
