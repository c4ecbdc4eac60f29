"""Two people acting on one case at once: the second gets a clear conflict instead of silently overwriting."""

import pytest
from django.urls import reverse

from kinga.cases.models import Case
from kinga.cases.tests.conftest import register
from kinga.core.testing import client_for

pytestmark = pytest.mark.django_db
CONFLICT = "autre a enregistré cette fiche après que vous"  # the page escapes the apostrophes


def test_a_step_posted_from_an_outdated_page_is_refused(team, today):
    case = register(team)
    url = reverse("cases:assign", args=[case.uuid])
    supervisor, manager = client_for(team.supervisor), client_for(team.manager)
    page = supervisor.get(url).content.decode()
    assert f'name="version" value="{case.version}"' in page
    opened = case.version
    first = supervisor.post(url, {"caseworker": team.other_worker.user.pk, "version": opened})
    assert first.status_code == 302
    second = manager.post(url, {"caseworker": team.worker.user.pk, "version": opened})
    assert second.status_code == 400 and CONFLICT in second.content.decode()
    case = Case.objects.get(pk=case.pk)
    assert case.caseworker == team.other_worker.user and case.version == opened + 1


def test_the_api_shows_the_version_and_refuses_a_step_on_an_outdated_one(team, today):
    case = register(team)
    supervisor, manager = client_for(team.supervisor), client_for(team.manager)
    url = f"/api/v1/cases/{case.uuid}/"
    read = supervisor.get(url).json()["version"]
    assert read == case.version
    step = f"{url}assign/"
    first = supervisor.post(
        step, {"caseworker": team.other_worker.user.email, "version": read}, content_type="application/json"
    )
    assert first.status_code == 200, first.content
    assert first.json()["version"] == read + 1
    second = manager.post(
        step, {"caseworker": team.worker.user.email, "version": read}, content_type="application/json"
    )
    assert second.status_code == 409
    assert (
        list(second.json()) == ["version"] and "Quelqu'un d'autre a enregistré" in second.json()["version"][0]
    )
    case = Case.objects.get(pk=case.pk)
    assert case.caseworker == team.other_worker.user and case.version == read + 1
    bad = manager.post(
        step, {"caseworker": team.worker.user.email, "version": "x"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "version" in bad.json()
    # Without a version the step acts on the case as read, and still moves the version on: a page opened
    # before it is refused.
    third = manager.post(step, {"caseworker": team.worker.user.email}, content_type="application/json")
    assert third.status_code == 200 and third.json()["version"] == read + 2
    late = supervisor.post(
        reverse("cases:assign", args=[case.uuid]),
        {"caseworker": team.other_worker.user.pk, "version": read + 1},
    )
    assert late.status_code == 400 and CONFLICT in late.content.decode()


def test_a_refused_step_does_not_move_the_version(team, today):
    case = register(team)
    client = client_for(team.worker)
    before = client.get(f"/api/v1/cases/{case.uuid}/").json()["version"]
    refused = client.post(
        f"/api/v1/cases/{case.uuid}/refer/",
        {
            "provider": str(team.provider_org.uuid),
            "service_type": "crs",
            "date": "2026-03-02",
            "version": before,
        },
        content_type="application/json",
    )
    assert refused.status_code == 400 and "consent" in refused.json()  # no consent yet: the service refuses
    assert Case.objects.get(pk=case.pk).version == before
