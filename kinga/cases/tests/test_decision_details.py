"""Case management details that change a decision (issue 21, item 5): the supervisor decides on a closure
reading the reason and the note the caseworker proposed, and sees the exit-rule override only for an exit;
the provider's report of what it delivered shows on the case file and marks the care-plan item done."""

import datetime

import pytest

from kinga.cases import services
from kinga.cases.models import CarePlanItemStatus, Service
from kinga.core.testing import actor_of, client_for

from .conftest import TODAY, bring_to_follow_up, give_consents, register

pytestmark = pytest.mark.django_db
D = datetime.date


def _decide_page(team, case) -> str:
    response = client_for(team.supervisor).get(f"/cases/{case.uuid}/close/decide/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_closure_decision_shows_the_proposal_and_no_override_for_another_reason(team, today):
    case = register(team)
    bring_to_follow_up(team, case, TODAY)
    services.request_closure(
        actor=actor_of(team.worker),
        case=case,
        reason="moved_away",
        date=TODAY,
        note="Famille partie à Likasi le 1er mars",
        today=TODAY,
    )
    page = _decide_page(team, case)
    assert "Clôture proposée par le travailleur social" in page
    assert "Famille partie à Likasi le 1er mars" in page
    assert case.get_closure_reason_display() in page
    assert 'name="override_reason"' not in page and "Règle de sortie" not in page


def test_an_exit_shows_the_exit_rule_and_the_override_only_when_it_is_not_met(team, today):
    case = register(
        team, identification_date=D(2026, 1, 5), registration_date=D(2026, 1, 6), today=D(2026, 1, 6)
    )
    bring_to_follow_up(team, case, D(2026, 1, 10))
    w = actor_of(team.worker)
    today.set(D(2026, 7, 1))
    good = {"child_seen": True, "in_school_or_training": True, "attending": True, "found_working": False}
    for visit in (D(2026, 2, 10), D(2026, 5, 10)):
        services.record_follow_up(actor=w, case=case, visit_date=visit, **good)
    case.refresh_from_db()
    services.request_closure(
        actor=w, case=case, reason="exit_achieved", date=D(2026, 5, 11), note="Scolarisé"
    )
    page = _decide_page(team, case)
    assert "Règle de sortie" in page and "Scolarisé" in page
    assert 'name="override_reason"' not in page  # the rule is met: nothing to override
    response = client_for(team.supervisor).post(
        f"/cases/{case.uuid}/close/decide/",
        {"date": "2026-05-12", "decision": "approve", "comment": "", "version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.exited


def test_the_providers_report_shows_on_the_case_file_and_marks_the_plan_item_done(team, today):
    case = register(team)
    bring_to_follow_up(team, case, TODAY)
    give_consents(team, case, TODAY)
    item = case.plan_items.get()
    assert item.status == CarePlanItemStatus.PLANNED and item.responsible_organisation == team.provider_org
    service = Service.objects.create(
        name="CRS Kasulo", service_type="crs", organisation=team.provider_org, place=team.kolwezi, capacity=40
    )
    referral = services.make_referral(
        actor=actor_of(team.worker), case=case, service=service, reason="Rattrapage", date=TODAY, today=TODAY
    )
    provider = actor_of(team.provider)
    services.answer_referral(actor=provider, referral=referral, accept=True, date=TODAY, today=TODAY)
    services.report_service_delivered(
        actor=provider, referral=referral, date=TODAY, note="Inscrit en 4e année, kit remis", today=TODAY
    )
    item.refresh_from_db()
    assert item.status == CarePlanItemStatus.DONE
    page = client_for(team.worker).get(f"/cases/{case.uuid}/").content.decode()
    assert "Inscrit en 4e année, kit remis" in page and "Compte rendu du prestataire" in page
