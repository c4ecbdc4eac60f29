import datetime

import pytest

from kinga.cases import services
from kinga.core.models import OrganisationType
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member, make_organisation
from kinga.sites.models import Site

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def team(db, kolwezi):
    """An NGO with a supervisor and two caseworkers, a provider NGO with a caseworker, a coordinator."""
    org = make_organisation("Enfance Lualaba")
    supervisor = make_member(org, Role.SUPERVISOR)
    worker = make_member(org, Role.CASEWORKER, supervisor=supervisor)
    other_worker = make_member(org, Role.CASEWORKER, supervisor=supervisor)
    manager = make_member(org, Role.ORG_MANAGER)
    clerk = make_member(org, Role.DATA_CLERK, supervisor=supervisor)
    provider_org = make_organisation("CRS Kolwezi")
    provider = make_member(provider_org, Role.CASEWORKER)
    other_org = make_organisation("Autre ONG")
    outsider = make_member(other_org, Role.SUPERVISOR)
    idak = make_organisation("IDAK", type=OrganisationType.IDAK)
    coordinator = make_member(idak, Role.COORDINATOR)
    funder = make_member(make_organisation("Bailleur"), Role.VIEWER)
    site = Site.objects.create(code="codmine00001", name="Kasulo", place=kolwezi)

    class Team:
        pass

    t = Team()
    t.org, t.provider_org, t.other_org = org, provider_org, other_org
    t.supervisor, t.worker, t.other_worker, t.manager, t.clerk = (
        supervisor,
        worker,
        other_worker,
        manager,
        clerk,
    )
    t.provider, t.outsider, t.coordinator, t.funder = provider, outsider, coordinator, funder
    t.site, t.kolwezi = site, kolwezi
    t.actor = lambda m: actor_of(m)
    return t


def register(team, *, today=TODAY, **kw):

    values = {
        "given_name": "Trésor",
        "family_name": "Ilunga Kabwe",
        "sex": "M",
        "date_of_birth": datetime.date(2013, 5, 4),
        "identification_method": "site_inspection",
        "identification_date": today - datetime.timedelta(days=1),
        "identification_site": team.site,
        "work_activities": ["digging", "washing"],
        "hazards": ["pits"],
        "hours_per_week": 30,
        "caregivers": [{"name": "Mama Ngalula", "relationship": "mère", "phone": "+243990000001"}],
        "today": today,
    }
    by = kw.pop("by", team.worker)
    values.update(kw)
    return services.register_case(actor=actor_of(by), **values)


SCORES = {
    "safety": 3,
    "health": 2,
    "education": 3,
    "family_care": 2,
    "household_economy": 2,
    "psychosocial": 1,
}


def give_consents(team, case, day):
    """The caregiver's consent (services, sharing with the provider) and the child's assent, on `day`."""
    w = actor_of(team.worker)
    services.record_consent(
        actor=w,
        case=case,
        kind="caregiver",
        given_by="Mama Ngalula",
        date=day,
        for_services=True,
        for_data_sharing=True,
        share_with=[team.provider_org],
        today=day,
    )
    services.record_consent(
        actor=w, case=case, kind="child", given_by="l'enfant", date=day, for_data_sharing=True, today=day
    )


def bring_to_follow_up(team, case, day):
    """Assessed, a care plan with one item submitted and approved, on `day`: the case is in implementation."""
    w, s = actor_of(team.worker), actor_of(team.supervisor)
    services.record_assessment(actor=w, case=case, date=day, scores=SCORES, today=day)
    services.add_plan_item(
        actor=w,
        case=case,
        need="Retour à l'école",
        goal="Inscrit au CRS",
        planned_support="Kit scolaire",
        service_type="crs",
        responsible_organisation=team.provider_org,
        due_date=day + datetime.timedelta(days=30),
        today=day,
    )
    services.submit_care_plan(actor=w, case=case, date=day, today=day)
    services.decide_care_plan(actor=s, case=case, approve=True, date=day, today=day)
