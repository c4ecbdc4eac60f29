"""Coordinators set an indicator's targets by date and an action's cost and implementers from the pages;
every other role reads them (no form, POST refused)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from kinga.core.models import AuditEvent, Organisation
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation
from kinga.plan.models import (
    Action,
    IndicatorTarget,
    IndicatorValue,
    Party,
    PartyRole,
    PlanRevision,
)
from kinga.plan.tests.conftest import hand_entered

pytestmark = pytest.mark.django_db

READERS = [
    (Role.VIEWER, None),
    (Role.VIEWER, "UNICEF"),  # a funder: viewers and funders share one role
    (Role.ORG_MANAGER, "INPP"),  # an implementer of the plan, not its editor
    (Role.DATA_CLERK, None),
]


@pytest.fixture
def coordinator(plan):
    return make_member(make_organisation("IDAK test"), Role.COORDINATOR)


@pytest.fixture
def counted(plan):
    """A hand-entered count: targets are whole numbers."""
    return hand_entered(plan)


def _reader(role, acronym):
    organisation = Organisation.objects.get(acronym=acronym) if acronym else make_organisation()
    return make_member(organisation, role)


def _add(client, indicator, **data):
    body = {"period_end": "2018-12-31", "value": "20", "reason": "Comité de pilotage"}
    return client.post(reverse("plan:indicator_add_target", args=[indicator.uuid]), {**body, **data})


# --------------------------------------------------------------------------------------- targets by date


def test_coordinator_adds_changes_and_removes_a_target_by_date(plan, coordinator, counted, lualaba):
    client = client_for(coordinator)
    url = reverse("plan:indicator", args=[counted.uuid])
    html = client.get(url).content.decode()
    assert "Aucune cible par échéance" in html
    assert reverse("plan:indicator_add_target", args=[counted.uuid]) in html
    assert reverse("plan:indicator_final_target", args=[counted.uuid]) in html

    assert _add(client, counted).status_code == 302
    target = IndicatorTarget.objects.get(indicator=counted)
    assert (target.period_end, target.value) == (datetime.date(2018, 12, 31), 20)
    revision = PlanRevision.objects.get(target_uuid=target.uuid)
    assert revision.kind == "create" and revision.reason == "Comité de pilotage"
    assert AuditEvent.objects.filter(target_id=str(target.uuid), action="create").exists()

    # The actual is counted from the start of the plan to the target's date.
    IndicatorValue.objects.create(
        indicator=counted,
        period_start=datetime.date(2018, 1, 1),
        period_end=datetime.date(2018, 6, 30),
        area=lualaba,
        value=5,
        organisation=coordinator.organisation,
        entered_by=coordinator.user,
    )
    html = client.get(url).content.decode()
    assert "31/12/2018" in html and reverse("plan:period_target", args=[target.uuid]) in html
    row = html.split('id="period-targets"')[1].split("</table>")[0]
    assert ">5<" in row and ">25<" in row  # 5 of 20 reached: 25 %

    turl = reverse("plan:period_target", args=[target.uuid])
    data = {"period_end": "2019-06-30", "value": "30", "reason": "Financement obtenu"}
    assert client.post(reverse("plan:period_target_revise", args=[target.uuid]), data).status_code == 302
    target.refresh_from_db()
    assert (target.period_end, target.value) == (datetime.date(2019, 6, 30), 30)
    assert PlanRevision.objects.filter(target_uuid=target.uuid, kind="update").count() == 1
    assert AuditEvent.objects.filter(target_id=str(target.uuid), action="update").exists()

    remove_url = reverse("plan:period_target_remove", args=[target.uuid])
    assert client.post(remove_url, {"reason": ""}).status_code == 400
    assert IndicatorTarget.objects.filter(pk=target.pk).exists()
    assert client.post(remove_url, {"reason": "Cible abandonnée"}).status_code == 302
    assert not IndicatorTarget.objects.filter(pk=target.pk).exists()
    assert AuditEvent.objects.filter(target_id=str(target.uuid), action="delete").exists()
    removal = PlanRevision.objects.get(target_uuid=target.uuid, reason="Cible abandonnée")
    assert removal.changes["value"][1] is None
    assert "Cible abandonnée" in client.get(reverse("plan:revisions")).content.decode()
    assert client.get(turl).status_code == 404


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"value": "-5"}, "value", "Saisissez un nombre entier (0 ou plus)."),
        ({"value": "2,5"}, "value", "Saisissez un nombre entier (0 ou plus)."),
        ({"value": "beaucoup"}, "value", "Saisissez un nombre."),
        ({"value": "1e20"}, "value", "Ce nombre est trop grand."),
        (
            {"period_end": "2017-06-30"},
            "period_end",
            "Une cible est due après le début du plan (01/07/2017).",
        ),
        ({"period_end": "31/31/2018"}, "period_end", "Saisissez une date valide."),
        ({"reason": " "}, "reason", "Ce champ est obligatoire."),
    ],
)
def test_bad_targets_are_refused_with_a_french_message(plan, coordinator, counted, data, field, message):
    response = _add(client_for(coordinator), counted, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not IndicatorTarget.objects.exists() and not PlanRevision.objects.exists()


def test_a_percentage_target_stays_between_0_and_100(plan, coordinator, manual_rate):
    rate = manual_rate
    client = client_for(coordinator)
    response = _add(client, rate, value="140")
    assert response.status_code == 400
    assert "Un pourcentage est compris entre 0 et 100." in response.content.decode()
    assert _add(client, rate, value="12,5").status_code == 302
    assert IndicatorTarget.objects.get(indicator=rate).value == Decimal("12.5")


def test_two_targets_cannot_fall_due_on_the_same_date(plan, coordinator, counted):
    client = client_for(coordinator)
    assert _add(client, counted).status_code == 302
    response = _add(client, counted, value="40")
    assert response.status_code == 400
    assert "Cet indicateur a déjà une cible à cette échéance" in response.content.decode()
    other = IndicatorTarget.objects.create(
        indicator=counted, period_end=datetime.date(2019, 12, 31), value=50
    )
    moved = {"period_end": "2018-12-31", "value": "50", "reason": "r"}
    response = client.post(reverse("plan:period_target_revise", args=[other.uuid]), moved)
    assert response.status_code == 400
    assert "Cet indicateur a déjà une cible à cette échéance" in response.content.decode()
    assert sorted(IndicatorTarget.objects.values_list("value", flat=True)) == [20, 50]


def test_coordinator_changes_the_target_at_the_end_of_the_plan(plan, coordinator, counted):
    client = client_for(coordinator)
    url = reverse("plan:indicator", args=[counted.uuid])
    final_url = reverse("plan:indicator_final_target", args=[counted.uuid])
    response = client.post(final_url, {"target": "-1", "reason": "r"})
    assert (
        response.status_code == 400 and "Saisissez un nombre entier (0 ou plus)." in response.content.decode()
    )
    assert client.post(final_url, {"target": "60", "reason": "Comité"}).status_code == 302
    counted.refresh_from_db()
    assert counted.target == 60
    assert 'name="target" value="60"' in client.get(url).content.decode()
    assert PlanRevision.objects.filter(target_uuid=counted.uuid, reason="Comité").exists()


@pytest.mark.parametrize(("role", "acronym"), READERS)
def test_other_roles_read_targets_but_cannot_change_them(plan, counted, role, acronym):
    target = IndicatorTarget.objects.create(
        indicator=counted, period_end=datetime.date(2019, 12, 31), value=50
    )
    client = client_for(_reader(role, acronym))
    url = reverse("plan:indicator", args=[counted.uuid])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "31/12/2019" in html
    assert reverse("plan:indicator_add_target", args=[counted.uuid]) not in html
    assert reverse("plan:indicator_final_target", args=[counted.uuid]) not in html
    assert reverse("plan:period_target", args=[target.uuid]) not in html
    assert _add(client, counted).status_code == 403
    final_url = reverse("plan:indicator_final_target", args=[counted.uuid])
    assert client.post(final_url, {"target": "1", "reason": "r"}).status_code == 403
    turl = reverse("plan:period_target", args=[target.uuid])
    assert client.get(turl).status_code == 403
    assert (
        client.post(reverse("plan:period_target_remove", args=[target.uuid]), {"reason": "r"}).status_code
        == 403
    )
    assert (
        client.post(
            reverse("plan:period_target_revise", args=[target.uuid]),
            {"period_end": "2019-12-31", "value": "1", "reason": "r"},
        ).status_code
        == 403
    )
    assert IndicatorTarget.objects.get().value == 50
    assert not PlanRevision.objects.exists()


def test_indicator_pages_are_linked_and_unknown_ones_are_404(plan, coordinator, counted):
    client = client_for(coordinator)
    link = reverse("plan:indicator", args=[counted.uuid])
    assert link in client.get(reverse("plan:indicators")).content.decode()
    assert link in client.get(reverse("plan:action", args=[counted.action.uuid])).content.decode()
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(reverse("plan:indicator", args=[missing])).status_code == 404
    assert client.get(reverse("plan:period_target", args=[missing])).status_code == 404


# ------------------------------------------------------------------------------ action cost, implementers


def _action_with_one_cost():
    return Action.objects.filter(cost_usd__isnull=False).order_by("axis__number", "number").first()


def test_coordinator_changes_the_cost_of_an_action(plan, coordinator):
    action = _action_with_one_cost()
    url = reverse("plan:action", args=[action.uuid])
    client = client_for(coordinator)
    cost_url = reverse("plan:action_cost", args=[action.uuid])
    assert cost_url in client.get(url).content.decode()
    response = client.post(cost_url, {"cost_usd": "350000", "reason": "Devis actualisé"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.cost_usd == 350000
    assert PlanRevision.objects.get(target_uuid=action.uuid).changes["cost_usd"][1] == "350000.00"
    assert AuditEvent.objects.filter(target_id=str(action.uuid), action="update").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"cost_usd": "-10"}, "Un montant ne peut pas être négatif."),
        ({"cost_usd": "dix"}, "Saisissez un nombre."),
        ({"reason": ""}, "Ce champ est obligatoire."),
    ],
)
def test_bad_action_costs_are_refused_in_french(plan, coordinator, data, message):
    action = _action_with_one_cost()
    before = action.cost_usd
    body = {"cost_usd": "1000", "reason": "r", **data}
    response = client_for(coordinator).post(reverse("plan:action_cost", args=[action.uuid]), body)
    assert response.status_code == 400
    assert message in response.content.decode()
    action.refresh_from_db()
    assert action.cost_usd == before and not PlanRevision.objects.exists()


def test_an_action_whose_activities_have_costs_gets_no_cost_of_its_own(plan, coordinator):
    action = Action.objects.get(axis__number=1, number=2)
    assert action.cost_usd is None and action.activities.filter(cost_usd__isnull=False).exists()
    body = {"cost_usd": "1000", "reason": "r"}
    response = client_for(coordinator).post(reverse("plan:action_cost", args=[action.uuid]), body)
    assert response.status_code == 400
    assert "Les activités de cette action ont leurs propres coûts" in response.content.decode()
    action.refresh_from_db()
    assert action.cost_usd is None


def _implementer_labels(action):
    return [p.label for p in Party.objects.filter(action=action, role=PartyRole.IMPLEMENTER)]


def test_coordinator_changes_the_implementers_of_an_action(plan, coordinator):
    action = Action.objects.get(axis__number=1, number=2)
    url = reverse("plan:action", args=[action.uuid])
    client = client_for(coordinator)
    html = client.get(url).content.decode()
    implementers_url = reverse("plan:action_implementers", args=[action.uuid])
    assert implementers_url in html and 'value="Banques"' in html
    assert "INPP" in _implementer_labels(action)

    divas = Organisation.objects.get(acronym="DIVAS")
    body = {
        "organisations": [divas.pk],
        "categories": ["ONG", "PTF"],
        "reason": "Accord",
    }
    assert client.post(implementers_url, body).status_code == 302
    assert _implementer_labels(action) == ["DIVAS", "ONG", "PTF"]
    revision = PlanRevision.objects.get(target_uuid=action.uuid)
    assert revision.changes["implementers"][1] == ["DIVAS", "ONG", "PTF"]
    assert AuditEvent.objects.filter(target_id=str(action.uuid), note="Accord").exists()
    # Saved again unchanged: no new revision.
    assert client.post(implementers_url, {**body, "reason": "Rien"}).status_code == 302
    assert PlanRevision.objects.count() == 1


def test_bad_implementers_are_refused(plan, coordinator):
    action = Action.objects.get(axis__number=1, number=2)
    before = _implementer_labels(action)
    url = reverse("plan:action_implementers", args=[action.uuid])
    client = client_for(coordinator)
    response = client.post(url, {"categories": ["Martiens"], "reason": "r"})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    response = client.post(url, {"organisations": ["999999"], "reason": "r"})
    assert response.status_code == 400
    response = client.post(url, {"categories": ["ONG"], "reason": ""})
    assert response.status_code == 400
    assert _implementer_labels(action) == before and not PlanRevision.objects.exists()


@pytest.mark.parametrize(("role", "acronym"), READERS)
def test_other_roles_read_cost_and_implementers_but_cannot_change_them(plan, role, acronym):
    action = Action.objects.get(axis__number=1, number=2)
    before = _implementer_labels(action)
    url = reverse("plan:action", args=[action.uuid])
    client = client_for(_reader(role, acronym))
    html = client.get(url).content.decode()
    assert "INPP" in html
    cost_url = reverse("plan:action_cost", args=[action.uuid])
    implementers_url = reverse("plan:action_implementers", args=[action.uuid])
    assert cost_url not in html and implementers_url not in html
    assert client.post(cost_url, {"cost_usd": "5", "reason": "r"}).status_code == 403
    body = {"categories": ["ONG"], "reason": "r"}
    assert client.post(implementers_url, body).status_code == 403
    assert client.post(implementers_url, {}).status_code == 403  # refused before the form is read
    assert _implementer_labels(action) == before
    assert not PlanRevision.objects.exists()
