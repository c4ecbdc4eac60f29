"""The home page's community panels: alerts to verify for social workers, the report button and the network's
alerts with what became of them for a focal point; scoped to the organisation, counted in the database."""

import datetime

import pytest
from django.urls import reverse

from kinga.community import services
from kinga.community.models import Alert, Channel
from kinga.core import clock
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member

from .factories import make_network, make_site

pytestmark = pytest.mark.django_db


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


def alert_at(site, actor, **payload) -> Alert:
    alert, _created = services.receive_alert(
        actor=actor, channel=Channel.API, payload={"site": site.code, "boys_12_14": 2, **payload}
    )
    return alert


def make_late(alert: Alert) -> None:
    Alert.objects.filter(pk=alert.pk).update(due_at=clock.now() - datetime.timedelta(hours=2))


@pytest.fixture
def elsewhere(other_org, kolwezi):
    """Another organisation's network, site and alert."""
    manager = make_member(other_org, Role.SUPERVISOR)
    site = make_site(kolwezi, name="Mutoshi")
    make_network(manager, kolwezi, site=site, name="Réseau Mutoshi")
    alert = alert_at(site, actor_of(manager))
    make_late(alert)
    return alert


def test_caseworker_sees_the_alerts_to_verify_with_the_late_ones_and_not_another_organisations(
    caseworker, supervisor, network, site, elsewhere
):
    late = alert_at(site, actor_of(caseworker))
    make_late(late)
    fresh = alert_at(site, actor_of(caseworker), urgency="normal")
    colleague = make_member(caseworker.organisation, Role.CASEWORKER, supervisor=supervisor)
    taken = alert_at(site, actor_of(caseworker))
    services.start_verification(actor=actor_of(colleague), alert=taken)

    body = home(caseworker)
    alerts = panel(body, "community-alerts-to-verify")
    assert count_of(alerts, "alertes à vérifier") == 2
    assert count_of(alerts, "après le délai de vérification") == 1
    assert late.reference in alerts and fresh.reference in alerts
    assert alerts.index(late.reference) < alerts.index(fresh.reference)
    assert taken.reference not in alerts  # a colleague's visit
    assert elsewhere.reference not in body
    assert f'href="{reverse("community:alert", args=[late.uuid])}"' in alerts
    # The supervisor sees every open alert of the organisation, the colleague's included.
    assert count_of(panel(home(supervisor), "community-alerts-to-verify"), "alertes à vérifier") == 3


def test_caseworker_with_no_alert_reads_what_would_fill_the_list(caseworker):
    assert "Aucune alerte à vérifier" in panel(home(caseworker), "community-alerts-to-verify")


def test_focal_point_reports_first_then_sees_what_became_of_the_networks_alerts(
    focal_point, caseworker, network, site, elsewhere
):
    late = alert_at(site, actor_of(focal_point))
    make_late(late)
    checked = alert_at(site, actor_of(focal_point))
    services.start_verification(actor=actor_of(caseworker), alert=checked)
    services.record_verification(actor=actor_of(caseworker), alert=checked, children_found=2)

    body = home(focal_point)
    alerts = panel(body, "community-network-alerts")
    assert alerts.index("Signaler une alerte") < alerts.index("en attente de vérification")
    assert 'href="/community/alertes/nouvelle/"' in alerts and 'class="button big"' in alerts
    assert count_of(alerts, "en attente de vérification") == 1
    assert count_of(alerts, "non vérifiée dans le délai") == 1
    assert count_of(alerts, "vérifiée") == 1
    assert late.reference in alerts and checked.reference in alerts and "Vérifiée" in alerts
    assert elsewhere.reference not in body


def test_focal_point_with_no_alert_reads_what_would_fill_the_list(focal_point, network):
    alerts = panel(home(focal_point), "community-network-alerts")
    assert "Signaler une alerte" in alerts and "Aucune alerte de votre réseau" in alerts
