"""`kinga sites refresh-status`: the daily run that records what time alone changed (docs/deploy.md)."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kinga.core import clock, events
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member, make_organisation
from kinga.sites import services
from kinga.sites.models import Site, StatusChange
from kinga.sites.tests.factories import make_site, months_ago

pytestmark = pytest.mark.django_db


def refresh(*args) -> str:
    out = io.StringIO()
    call_command("sites", "refresh-status", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def sites_recorded_six_months_ago(reference_places, monkeypatch):
    """Two sites inspected while "today" was six months ago: one inspection has since passed 12 months."""
    inspector = actor_of(make_member(make_organisation(), Role.SITE_INSPECTOR))
    then, lapsed_on, recent_on = months_ago(6), months_ago(13), months_ago(7)
    monkeypatch.setattr(clock, "today", lambda: then)
    lapsed = make_site(name="Kasulo")
    recent = make_site(name="Mutoshi")
    services.record_inspection(actor=inspector, site=lapsed, date=lapsed_on)
    services.record_inspection(actor=inspector, site=recent, date=recent_on)
    monkeypatch.undo()
    assert set(Site.objects.values_list("status", flat=True)) == {"green"}
    return lapsed, recent


def test_refresh_records_lapsed_statuses_once_and_says_what_changed(sites_recorded_six_months_ago):
    lapsed, recent = sites_recorded_six_months_ago
    before = StatusChange.objects.count()

    first = refresh()

    today = clock.today().isoformat()
    assert f"1 statut(s) de site modifié(s) au {today}." in first
    assert "Vert → Expiré : 1" in first
    assert f"{lapsed.code} Kasulo : Vert → Expiré" in first
    assert recent.code not in first
    lapsed.refresh_from_db()
    recent.refresh_from_db()
    assert lapsed.status == "expired" and recent.status == "green"
    change = StatusChange.objects.get(site=lapsed, new_status="expired")
    assert change.old_status == "green" and change.evidence == "time"
    assert StatusChange.objects.count() == before + 1
    event = AuditEvent.objects.get(target_type="sites.status_refresh", action="update")
    assert event.changes == {"sites_changed": 1, "transitions": {"green→expired": 1}}

    second = refresh()

    assert f"0 statut(s) de site modifié(s) au {today}." in second
    assert "→" not in second
    assert StatusChange.objects.count() == before + 1
    assert Site.objects.get(pk=lapsed.pk).status == "expired"
    assert AuditEvent.objects.filter(target_type="sites.status_refresh", action="other").count() == 1


def test_refresh_publishes_each_change(sites_recorded_six_months_ago):
    lapsed, _recent = sites_recorded_six_months_ago
    seen = []
    events.subscribe("sites.status_changed", lambda **kw: seen.append(kw))
    refresh()
    refresh()
    assert [(s["site_id"], s["old"], s["new"]) for s in seen] == [(lapsed.pk, "green", "expired")]


def test_only_administrators_and_the_system_actor_refresh(reference_places):
    coordinator = make_member(make_organisation(), Role.COORDINATOR)
    with pytest.raises(CommandError):
        refresh("--actor", coordinator.user.email)
    admin = make_member(make_organisation(), Role.ADMIN)
    assert "0 statut(s)" in refresh("--actor", admin.user.email)


def test_the_service_returns_the_changes_for_a_given_day(sites_recorded_six_months_ago):
    lapsed, _recent = sites_recorded_six_months_ago
    admin = actor_of(make_member(make_organisation(), Role.ADMIN))
    quiet = services.refresh_statuses(actor=admin, at=months_ago(6) + datetime.timedelta(days=1))
    assert quiet.changes == ()
    result = services.refresh_statuses(actor=admin)
    assert result.changes == ((lapsed.code, "Kasulo", "green", "expired"),)


def test_the_deployment_guide_schedules_the_refresh_daily():
    """Nothing else runs it: if the timer leaves docs/deploy.md, expiries stop reaching the timelines."""

    deploy = (Path(__file__).resolve().parents[3] / "docs" / "deploy.md").read_text()
    service, _sep, rest = deploy.partition("# /etc/systemd/system/kinga-refresh-status.timer")
    assert "ExecStart=/opt/kinga/venv/bin/kinga sites refresh-status" in service
    timer = rest.split("```", 1)[0]
    assert "OnCalendar=*-*-* 00:15:00 Africa/Lubumbashi" in timer and "Persistent=true" in timer
    assert "systemctl enable --now kinga-refresh-status.timer" in deploy
