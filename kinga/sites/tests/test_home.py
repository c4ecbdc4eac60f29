"""The site inspector's home panels: sites due an inspection (late first) and recent status changes."""

import datetime

import pytest

from kinga.core.models import OrganisationType
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation
from kinga.sites.models import Site, StatusChange

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)
D = datetime.timedelta


def home(member) -> str:
    response = client_for(member).get("/")
    assert response.status_code == 200
    return response.content.decode()


def panel(body: str, key: str) -> str:
    start = body.index(f'id="panel-{key}"')
    return body[start : body.index("</section>", start)]


def count_of(section: str, label: str) -> int:
    head = section.split(f"</strong> {label}<", 1)[0]
    return int(head.rsplit(">", 1)[1])


@pytest.fixture
def inspector(db):
    return make_member(make_organisation(type=OrganisationType.PROVINCIAL_GOVERNMENT), Role.SITE_INSPECTOR)


def site(kolwezi, name, **fields) -> Site:
    return Site.objects.create(code=f"codmine{name}", name=name, place=kolwezi, **fields)


def test_inspector_sees_the_sites_due_late_first_and_the_recent_status_changes(inspector, kolwezi, today):
    site(kolwezi, "Kasulo", status="green", status_date=TODAY - D(400))
    soon = site(
        kolwezi, "Mutoshi", status="yellow", status_date=TODAY - D(20), correction_deadline=TODAY + D(10)
    )
    fresh = site(kolwezi, "Kapata", status="green", status_date=TODAY - D(10))
    StatusChange.objects.create(
        site=soon,
        effective_on=TODAY - D(20),
        old_status="green",
        new_status="yellow",
        reason="x",
        evidence="inspection",
    )
    StatusChange.objects.create(
        site=fresh,
        effective_on=TODAY - D(90),
        old_status="blue",
        new_status="green",
        reason="x",
        evidence="inspection",
    )

    body = home(inspector)
    due = panel(body, "sites-inspections-due")
    assert due.index("Inspecter un site") < due.index("en retard")
    assert count_of(due, "en retard") == 1 and count_of(due, "à faire dans les 30 jours") == 1
    assert due.index("Kasulo") < due.index("Mutoshi") and "Kapata" not in due
    assert 'href="/sites/?due=1"' in due and "Expiré" in due
    changes = panel(body, "sites-status-changes")
    assert count_of(changes, "changement") == 1 and "Mutoshi" in changes and "Kapata" not in changes
    assert "Vert → Jaune" in changes
    # The full list behind "voir tout" holds the same sites.
    listed = client_for(inspector).get("/sites/?due=1").content.decode()
    assert "Kasulo" in listed and "Mutoshi" in listed and "Kapata" not in listed


def test_inspector_with_nothing_due_reads_what_would_fill_the_lists(inspector, kolwezi, today):
    site(kolwezi, "Kapata", status="green", status_date=TODAY - D(10))
    body = home(inspector)
    assert "Aucun site à inspecter" in panel(body, "sites-inspections-due")
    assert "Aucun site n’a changé de statut" in panel(body, "sites-status-changes")
