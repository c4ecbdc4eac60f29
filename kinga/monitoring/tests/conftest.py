"""A small known province: cases, alerts and sites in Kolwezi for two organisations, and others in Lubudi that a
Kolwezi dashboard must not count."""

import datetime
import itertools

import pytest
from django.utils import timezone

from kinga.cases.models import Case, CaseStatus, Child, ClosureReason, Relapse
from kinga.community.models import Alert
from kinga.core.actors import system_actor
from kinga.core.models import OrganisationType
from kinga.core.reference import load_organisations
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member, make_organisation
from kinga.households.services import record_survey
from kinga.households.tests.factories import answers, make_household, make_round
from kinga.plan.services.loading import load_plan
from kinga.sites.models import StatusChange
from kinga.sites.tests.factories import make_site

TODAY = datetime.date(2026, 8, 15)
_numbers = itertools.count(1)


def make_case(org, territory, *, identified, closed_on=None, relapse_on=None, sex="F"):
    child = Child.objects.create(given_name="Enfant", family_name="Test", sex=sex)
    case = Case.objects.create(
        number=f"LUA-TST-2026-{next(_numbers):06d}",
        child=child,
        organisation=org,
        territory=territory,
        identification_method="site_inspection",
        identification_date=identified,
        registration_date=identified,
        age_at_identification=12,
        status=CaseStatus.CLOSED if closed_on else CaseStatus.values[1],
        closed_on=closed_on,
        closure_reason=ClosureReason.EXIT_ACHIEVED if closed_on else "",
        exited=bool(closed_on),
    )
    if relapse_on:
        Relapse.objects.create(case=case, date=relapse_on, source="follow_up", status_before="in_care")
    return case


def make_alert(place, org, *, received, in_time):
    alert = Alert.objects.create(channel="phone", place=place, organisation=org)
    received_at = timezone.make_aware(datetime.datetime.combine(received, datetime.time(9)))
    due_at = received_at + datetime.timedelta(hours=24)
    verified_at = received_at + datetime.timedelta(hours=6 if in_time else 30)
    Alert.objects.filter(pk=alert.pk).update(received_at=received_at, due_at=due_at, verified_at=verified_at)
    return alert


def make_site_with_status(place, status, *, since):
    site = make_site(place, status=status, status_date=since)
    StatusChange.objects.create(
        site=site,
        effective_on=since,
        old_status="blue",
        new_status=status,
        reason="test",
        evidence="inspection",
    )
    return site


@pytest.fixture
def province(db, reference_places, today):
    today.set(TODAY)
    kolwezi = reference_places.get(pcode="CD7201")
    lubudi = reference_places.get(pcode="CD7203")
    ngo = make_organisation("Enfance Lualaba")
    other = make_organisation("Autre ONG")
    idak = make_organisation("IDAK", type=OrganisationType.IDAK)
    # Kolwezi, third quarter of 2026: three children of the NGO (one out of the mines, one found working again)
    # and one of the other organisation.
    make_case(ngo, kolwezi, identified=datetime.date(2026, 7, 5))
    make_case(ngo, kolwezi, identified=datetime.date(2026, 7, 10), closed_on=datetime.date(2026, 8, 1))
    make_case(ngo, kolwezi, identified=datetime.date(2026, 7, 12), relapse_on=datetime.date(2026, 8, 5))
    make_case(other, kolwezi, identified=datetime.date(2026, 7, 15), sex="M")
    # Elsewhere or earlier: never in a Kolwezi 2026Q3 figure.
    make_case(ngo, lubudi, identified=datetime.date(2026, 7, 20), closed_on=datetime.date(2026, 8, 2))
    make_case(ngo, kolwezi, identified=datetime.date(2026, 2, 3))
    # Alerts: two received in Kolwezi (one verified in time), one in Lubudi.
    make_alert(kolwezi, ngo, received=datetime.date(2026, 7, 3), in_time=True)
    make_alert(kolwezi, ngo, received=datetime.date(2026, 7, 4), in_time=False)
    make_alert(lubudi, other, received=datetime.date(2026, 7, 5), in_time=True)
    # Sites of each colour in Kolwezi, a red one in Lubudi; the red one of Kolwezi was green before July.
    make_site_with_status(kolwezi, "green", since=datetime.date(2026, 3, 1))
    make_site_with_status(kolwezi, "yellow", since=datetime.date(2026, 7, 2))
    red = make_site_with_status(kolwezi, "red", since=datetime.date(2026, 7, 20))
    StatusChange.objects.create(
        site=red,
        effective_on=datetime.date(2026, 2, 1),
        old_status="blue",
        new_status="green",
        reason="test",
        evidence="inspection",
    )
    make_site_with_status(lubudi, "red", since=datetime.date(2026, 7, 1))

    # A household surveyed in July by each organisation, in Kolwezi.
    rnd = make_round(1)
    for org in (ngo, other):
        worker = actor_of(make_member(org, Role.CASEWORKER))
        household = make_household(worker, kolwezi)
        record_survey(
            actor=worker, household=household, round=rnd, **answers(surveyed_on=datetime.date(2026, 7, 8))
        )

    class Province:
        pass

    p = Province()
    p.kolwezi, p.lubudi, p.ngo, p.other = kolwezi, lubudi, ngo, other
    p.coordinator = make_member(idak, Role.COORDINATOR)
    p.viewer = make_member(make_organisation("Bailleur"), Role.VIEWER)
    p.manager = make_member(ngo, Role.ORG_MANAGER)
    p.admin = make_member(idak, Role.ADMIN)
    p.caseworker = make_member(ngo, Role.CASEWORKER)
    p.focal_point = make_member(ngo, Role.FOCAL_POINT)
    return p


@pytest.fixture
def plan(province):
    load_organisations()
    return load_plan(actor=system_actor()).plan
