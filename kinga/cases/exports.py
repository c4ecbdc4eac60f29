"""Case exports: identities only for the roles that see them; pseudonymised rows for everyone else."""

from __future__ import annotations

from collections.abc import Iterator

from kinga.core import access, crypto
from kinga.core.access import Actor
from kinga.core.people import age_band

from .models import Case

PSEUDONYMOUS_HEADER = [
    "pseudonyme",
    "sexe",
    "tranche_age",
    "territoire_pcode",
    "statut",
    "risque",
    "identifie_par",
    "date_identification",
    "site_code",
    "date_cloture",
    "motif_cloture",
    "sortie_reussie",
    "rechutes",
]
IDENTIFIED_HEADER = ["numero", "prenom", "postnom", "nom", "date_naissance", *PSEUDONYMOUS_HEADER[1:]]


def _band(age):
    return age_band(age)


def pseudonym(case_uuid) -> str:
    """Stable per case, unlinkable to the case number without the blind-index key."""
    return crypto.value_digest("case", str(case_uuid))[:16]


def case_rows(actor: Actor) -> tuple[Iterator[list], list[str], int, bool]:
    access.require(actor, "cases.export")
    identified = actor.sees_identities and actor.has("cases.view_identity")
    if identified:
        qs = access.scoped(actor, Case)
    elif actor.aggregates_only or actor.is_system_wide:
        qs = Case.objects.all()
    else:
        qs = Case.objects.filter(organisation_id=actor.organisation_id)
    qs = qs.select_related("child", "territory", "identification_site").order_by("id")
    count = qs.count()

    def common(c: Case) -> list:
        return [
            c.child.sex,
            _band(c.age_at_identification),
            c.territory.pcode or "",
            c.status,
            c.risk,
            c.identification_method,
            c.identification_date.isoformat(),
            c.identification_site.code if c.identification_site_id else "",
            c.closed_on.isoformat() if c.closed_on else "",
            c.closure_reason,
            "1" if c.exited else "0",
            c.relapse_count,
        ]

    def rows():
        for c in qs.iterator(chunk_size=2000):
            if identified:
                child = c.child
                dob = child.date_of_birth.isoformat() if child.date_of_birth else ""
                yield [c.number, child.given_name, child.middle_name, child.family_name, dob, *common(c)]
            else:
                yield [pseudonym(c.uuid), *common(c)]

    return rows(), IDENTIFIED_HEADER if identified else PSEUDONYMOUS_HEADER, count, identified
