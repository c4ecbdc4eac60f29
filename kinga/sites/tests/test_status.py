import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinga.core import clock, events, memo
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member, make_organisation
from kinga.sites import selectors, services
from kinga.sites.models import Inspection, Site, SiteEvidence, StatusChange
from kinga.sites.status import add_months, recompute_changes
from kinga.sites.tests.factories import make_site, months_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspector(reference_places):
    return actor_of(make_member(make_organisation(), Role.SITE_INSPECTOR))


def test_a_never_inspected_site_is_blue(reference_places):
    site = make_site()
    assert selectors.child_labour_status(site).status == "blue"


def test_two_children_turn_a_green_site_red_and_a_reinspection_six_months_later_clears_it(inspector):
    site = make_site()
    services.record_inspection(actor=inspector, site=site, date=months_ago(8))
    site.refresh_from_db()
    assert site.status == "green"
    finding = services.record_inspection(
        actor=inspector,
        site=site,
        date=months_ago(7),
        boys_under_15=1,
        girls_15_17=1,
        children_tasks="lavage",
    )
    red = selectors.child_labour_status(site)
    assert red.status == "red" and red.authorisations_suspended
    assert "2 child" in red.reason or "2 enfant" in red.reason
    change = StatusChange.objects.get(site=site, new_status="red")
    assert change.old_status == "green" and change.inspection == finding and change.evidence == "inspection"
    # too early: a clean re-inspection 3 months after the finding keeps it red
    services.record_inspection(actor=inspector, site=site, date=months_ago(4))
    assert selectors.child_labour_status(site).status == "red"
    services.record_inspection(actor=inspector, site=site, date=add_months(months_ago(7), 6))
    green = selectors.child_labour_status(site)
    assert green.status == "green"
    assert StatusChange.objects.filter(site=site, old_status="red", new_status="green").count() == 1
    # the status on the finding's day is still red (the supply chain asks by date)
    assert selectors.child_labour_status(site, at=months_ago(7) + datetime.timedelta(days=1)).status == "red"


def test_yellow_findings_have_three_months_then_are_overdue(inspector):
    site = make_site()
    services.record_inspection(
        actor=inspector,
        site=site,
        date=months_ago(5),
        pregnant_women_working=True,
        management_documents="missing",
    )
    state = selectors.child_labour_status(site)
    assert state.status == "yellow" and state.overdue
    assert state.correction_deadline == add_months(months_ago(5), 3)
    early = selectors.child_labour_status(site, at=months_ago(4))
    assert early.status == "yellow" and not early.overdue


def test_a_status_without_inspection_for_twelve_months_expires(inspector):
    site = make_site()
    services.record_inspection(actor=inspector, site=site, date=months_ago(13))
    assert selectors.child_labour_status(site).status == "expired"
    assert selectors.child_labour_status(site, at=months_ago(6)).status == "green"
    assert selectors.sites(inspector, status="expired").filter(pk=site.pk).exists()


def test_armed_group_and_security_forces_make_a_site_red(inspector):
    a, b = make_site(), make_site()
    services.record_inspection(actor=inspector, site=a, date=months_ago(1), armed_group_present=True)
    services.record_inspection(actor=inspector, site=b, date=months_ago(1), security_forces_interfering=True)
    assert selectors.child_labour_status(a).status == "red"
    assert selectors.child_labour_status(b).status == "red"


def test_a_child_case_at_the_site_turns_it_red_as_a_count_and_publishes(inspector):
    site = make_site()
    services.record_inspection(actor=inspector, site=site, date=months_ago(2))
    seen = []
    events.subscribe("sites.status_changed", lambda **kw: seen.append(kw))

    case_uuid = uuid.uuid4()
    events.publish(
        "cases.child_identified_at_site",
        site_id=site.pk,
        case_uuid=case_uuid,
        date=months_ago(1),
        sex="F",
        age_band="12-14",
    )
    events.publish(
        "cases.child_identified_at_site",
        site_id=site.pk,
        case_uuid=case_uuid,
        date=months_ago(1),
        sex="F",
        age_band="12-14",
    )
    assert SiteEvidence.objects.filter(site=site).count() == 1
    assert selectors.child_labour_status(site).status == "red"
    assert any(s["site_id"] == site.pk and s["new"] == "red" and s["old"] == "green" for s in seen)
    entries = selectors.timeline(inspector, site)
    case_entries = [e for e in entries if e.kind == "child_case"]
    assert case_entries and case_entries[0].children == 1
    assert StatusChange.objects.get(site=site, new_status="red").evidence == "child_case"


def test_a_verified_alert_feeds_the_status(inspector):
    site = make_site()
    events.publish("community.alert_verified", site_id=site.pk, alert_uuid=uuid.uuid4(), children_count=3)
    state = selectors.child_labour_status(site)
    assert state.status == "red" and "(3)" in state.reason


def test_rules_change_recomputes_every_site_and_is_audited(reference_places):
    admin = actor_of(make_member(make_organisation(), Role.ADMIN))
    inspector = actor_of(make_member(make_organisation(), Role.SITE_INSPECTOR))
    site = make_site()
    services.record_inspection(actor=inspector, site=site, date=months_ago(1), pregnant_women_working=True)
    site.refresh_from_db()
    assert site.status == "yellow"
    changed = services.update_rules(actor=admin, outcomes={"pregnant_women": "red"})
    site.refresh_from_db()
    assert changed == 1 and site.status == "red"
    assert StatusChange.objects.filter(site=site, new_status="red", evidence="inspection").exists()
    assert AuditEvent.objects.filter(target_type="sites.statusrule").exists()


def test_inspections_are_audited_and_need_the_permission(reference_places):
    viewer = actor_of(make_member(make_organisation(), Role.VIEWER))
    site = make_site()
    with pytest.raises(PermissionDenied):
        services.record_inspection(actor=viewer, site=site, date=months_ago(1))
    inspector = actor_of(make_member(make_organisation(), Role.SITE_INSPECTOR))
    inspection = services.record_inspection(
        actor=inspector, site=site, date=months_ago(1), actions=[("Retirer les enfants", months_ago(0))]
    )
    assert AuditEvent.objects.filter(target_type="sites.inspection", target_id=str(inspection.uuid)).exists()
    assert inspection.actions.count() == 1
    assert inspection.source == Inspection.Source.KINGA


@pytest.mark.django_db(transaction=True)
def test_the_status_counts_are_memoised_and_follow_every_status_change(reference_places):
    # status_counts_at (every dashboard) is memoised between two writes of a site or of its timeline; the status
    # recomputation writes in bulk, past the model signals, and must make the memo forget too.
    inspector = actor_of(make_member(make_organisation(), Role.SITE_INSPECTOR))
    coordinator = actor_of(make_member(make_organisation(), Role.COORDINATOR))
    site = make_site()
    today = clock.today()

    def red_today():
        with CaptureQueriesContext(connection) as captured:
            red = selectors.status_counts_at(coordinator, [today])[0]["red"]
        return red, sum("sites_statuschange" in q["sql"] for q in captured.captured_queries)

    services.record_inspection(actor=inspector, site=site, date=months_ago(1))
    assert red_today() == (0, 1)
    assert red_today() == (0, 0)  # from the memo
    services.record_inspection(
        actor=inspector, site=site, date=months_ago(1), boys_under_15=2, children_tasks="lavage"
    )
    assert red_today() == (1, 1)
    StatusChange.objects.filter(
        site=site
    ).delete()  # a timeline rebuilt from scratch: recompute writes in bulk
    Site.objects.filter(pk=site.pk).update(status="blue")
    memo.records_written("sites.Site", "sites.StatusChange")
    assert red_today()[0] == 0
    recompute_changes([site.pk])
    assert red_today()[0] == 1
