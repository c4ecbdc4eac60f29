import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinga.cases import selectors, services
from kinga.cases.models import CaseStatus, Service
from kinga.core import clock, events
from kinga.core.access import Actor
from kinga.core.models import AuditEvent
from kinga.core.testing import actor_of

from .conftest import SCORES, TODAY, bring_to_follow_up, give_consents, register

pytestmark = pytest.mark.django_db
D = datetime.date


def test_assessment_scores_and_risk(team, today):
    case = register(team)
    a = services.record_assessment(
        actor=actor_of(team.worker), case=case, date=TODAY, scores=SCORES, today=TODAY
    )
    assert a.total == 13 and a.risk == "high"
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSED and case.care_plan_due == TODAY + datetime.timedelta(days=14)
    assert case.next_task == "care_plan"
    with pytest.raises(ValidationError) as exc:
        services.record_assessment(
            actor=actor_of(team.worker), case=case, date=TODAY, scores={**SCORES, "health": 4}
        )
    assert "health" in exc.value.message_dict


def test_versioned_scoring_changes_thresholds(team, today, django_user_model):
    system = Actor(user=django_user_model.objects.create(email="sys@kinga", is_system=True))
    services.new_scoring_version(actor=system, high_from=14, medium_from=8)
    case = register(team)
    a = services.record_assessment(
        actor=actor_of(team.worker), case=case, date=TODAY, scores=SCORES, today=TODAY
    )
    assert a.risk == "medium" and a.scoring.version == 2


def test_care_plan_needs_a_supervisor(team, today):
    case = register(team)
    w = actor_of(team.worker)
    services.record_assessment(actor=w, case=case, date=TODAY, scores=SCORES, today=TODAY)
    with pytest.raises(ValidationError):
        services.submit_care_plan(actor=w, case=case, date=TODAY, today=TODAY)
    services.add_plan_item(
        actor=w,
        case=case,
        need="n",
        goal="g",
        planned_support="p",
        responsible_organisation=team.org,
        due_date=TODAY,
        today=TODAY,
    )
    services.submit_care_plan(actor=w, case=case, date=TODAY, today=TODAY)
    with pytest.raises(PermissionDenied):
        services.decide_care_plan(actor=w, case=case, approve=True, date=TODAY)
    with pytest.raises(PermissionDenied):
        services.decide_care_plan(actor=actor_of(team.outsider), case=case, approve=True, date=TODAY)
    services.decide_care_plan(
        actor=actor_of(team.supervisor), case=case, approve=True, date=TODAY, today=TODAY
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_IMPLEMENTATION
    assert case.next_task == "follow_up" and case.next_due == clock.add_months(TODAY, 1)


def test_referral_needs_consent_or_an_audited_override(team, today):
    case = register(team)
    w = actor_of(team.worker)
    with pytest.raises(ValidationError) as exc:
        services.make_referral(
            actor=w, case=case, provider=team.provider_org, service_type="crs", date=TODAY, today=TODAY
        )
    assert "consent" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.make_referral(
            actor=w,
            case=case,
            provider=team.provider_org,
            service_type="crs",
            date=TODAY,
            consent_override_reason="urgence",
            today=TODAY,
        )
    r = services.make_referral(
        actor=actor_of(team.supervisor),
        case=case,
        provider=team.provider_org,
        service_type="crs",
        date=TODAY,
        consent_override_reason="Enfant blessé, soins urgents",
        today=TODAY,
    )
    assert AuditEvent.objects.filter(target_id=str(r.uuid), note="EMERGENCY CONSENT OVERRIDE").exists()


def test_referral_accepted_declined_delivered(team, today):
    case = register(team)
    give_consents(team, case, TODAY)
    service = Service.objects.create(
        name="CRS Kasulo", service_type="crs", organisation=team.provider_org, place=team.kolwezi, capacity=40
    )
    r = services.make_referral(
        actor=actor_of(team.worker), case=case, service=service, reason="Rattrapage", date=TODAY, today=TODAY
    )
    assert r.provider == team.provider_org and r.service_type == "crs"
    with pytest.raises(PermissionDenied):
        services.answer_referral(actor=actor_of(team.outsider), referral=r, accept=True, date=TODAY)
    with pytest.raises(ValidationError):
        services.answer_referral(
            actor=actor_of(team.provider), referral=r, accept=False, date=TODAY, today=TODAY
        )
    services.answer_referral(actor=actor_of(team.provider), referral=r, accept=True, date=TODAY, today=TODAY)
    services.report_service_delivered(
        actor=actor_of(team.provider), referral=r, date=TODAY, note="Inscrit", today=TODAY
    )
    r.refresh_from_db()
    assert r.status == "completed"
    assert list(selectors.referrals_in(actor_of(team.provider))) == [r]
    shared = selectors.shared_fields(r)
    assert shared["given_name"] == "Trésor" and "notes" not in shared


def test_overdue_referrals_are_visible_to_the_referring_caseworker(team, today):
    case = register(team)
    give_consents(team, case, TODAY)
    services.make_referral(
        actor=actor_of(team.worker),
        case=case,
        provider=team.provider_org,
        service_type="crs",
        date=TODAY,
        today=TODAY,
    )
    assert list(selectors.referrals_out(actor_of(team.worker), overdue_only=True, today=TODAY)) == []
    assert (
        len(
            selectors.referrals_out(
                actor_of(team.worker), overdue_only=True, today=TODAY + datetime.timedelta(days=8)
            )
        )
        == 1
    )


def test_exit_rule_and_closure(team, today):
    case = register(
        team, identification_date=D(2026, 1, 5), registration_date=D(2026, 1, 6), today=D(2026, 1, 6)
    )
    bring_to_follow_up(team, case, D(2026, 1, 10))
    w, s = actor_of(team.worker), actor_of(team.supervisor)
    today.set(D(2026, 7, 1))
    good = {"child_seen": True, "in_school_or_training": True, "attending": True, "found_working": False}
    services.record_follow_up(actor=w, case=case, visit_date=D(2026, 2, 10), **good)
    services.record_follow_up(actor=w, case=case, visit_date=D(2026, 5, 9), **good)
    case.refresh_from_db()
    result = services.evaluate_exit_rule(case)
    assert not result.met  # 2 months 29 days: not 3 calendar months
    with pytest.raises(ValidationError) as exc:
        services.request_closure(actor=w, case=case, reason="exit_achieved", date=D(2026, 5, 9))
    assert "closure_reason" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.request_closure(
            actor=w, case=case, reason="exit_achieved", date=D(2026, 5, 9), override_reason="x"
        )
    services.record_follow_up(actor=w, case=case, visit_date=D(2026, 5, 10), **good)
    case.refresh_from_db()
    assert services.evaluate_exit_rule(case).met
    services.request_closure(actor=w, case=case, reason="exit_achieved", date=D(2026, 5, 11))
    services.decide_closure(actor=s, case=case, approve=True, date=D(2026, 5, 12))
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.exited
    checks = list(case.retention_checks.order_by("months_after"))
    assert [c.due_date for c in checks] == [D(2026, 8, 12), D(2026, 11, 12), D(2027, 5, 12)]
    assert case.next_task == "retention_check"


def test_supervisor_override_needs_a_reason(team, today):
    case = register(
        team, identification_date=D(2026, 1, 5), registration_date=D(2026, 1, 6), today=D(2026, 1, 6)
    )
    bring_to_follow_up(team, case, D(2026, 1, 10))
    services.record_follow_up(
        actor=actor_of(team.worker),
        case=case,
        visit_date=D(2026, 2, 10),
        child_seen=True,
        in_school_or_training=True,
        attending=True,
        today=TODAY,
    )
    s = actor_of(team.supervisor)
    with pytest.raises(ValidationError):
        services.request_closure(actor=s, case=case, reason="exit_achieved", date=TODAY, today=TODAY)
    services.request_closure(
        actor=s,
        case=case,
        reason="exit_achieved",
        date=TODAY,
        override_reason="Famille partie à Lubumbashi, scolarisé",
        today=TODAY,
    )
    services.decide_closure(actor=s, case=case, approve=True, date=TODAY, today=TODAY)
    case.refresh_from_db()
    assert case.exit_override_by == team.supervisor.user


def test_retention_check_finding_the_child_at_a_site_reopens_as_relapse(team, today):
    received = []

    events.subscribe("cases.relapse", lambda **kw: received.append(kw))
    case = register(team)
    bring_to_follow_up(team, case, TODAY)
    s = actor_of(team.supervisor)
    services.request_closure(actor=s, case=case, reason="moved_away", date=TODAY, today=TODAY)
    services.decide_closure(actor=s, case=case, approve=True, date=TODAY, today=TODAY)
    case.refresh_from_db()
    assert case.retention_checks.count() == 0  # only an exit is checked for retention
    services.record_relapse(
        actor=actor_of(team.worker), case=case, source="community_alert", date=TODAY, today=TODAY
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED and case.relapse_count == 1 and case.reopened_count == 1
    assert received[-1]["case_uuid"] == str(case.uuid)


@pytest.mark.parametrize("visit", [D(2026, 2, 1), TODAY + datetime.timedelta(days=1)])
def test_follow_up_dates_are_checked(team, today, visit):
    case = register(team)
    bring_to_follow_up(team, case, TODAY)
    with pytest.raises(ValidationError) as exc:
        services.record_follow_up(actor=actor_of(team.worker), case=case, visit_date=visit, child_seen=True)
    assert "visit_date" in exc.value.message_dict


def test_registering_a_known_child_again_reopens_the_closed_case(team, today):
    case = register(team)
    s = actor_of(team.supervisor)
    services.request_closure(actor=s, case=case, reason="lost_contact", date=TODAY, today=TODAY)
    services.decide_closure(actor=s, case=case, approve=True, date=TODAY, today=TODAY)
    again = register(team, child=case.child, by=team.clerk)
    assert again == case
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED and case.relapse_count == 1


def test_team_overview_and_overdue(team, today):
    register(team)
    register(team, by=team.other_worker)
    later = TODAY + datetime.timedelta(days=10)
    rows = selectors.team_overview(actor_of(team.supervisor), today=later)
    assert sum(r["overdue"] for r in rows) == 2
    assert len(selectors.overdue(actor_of(team.worker), today=later)) == 1
