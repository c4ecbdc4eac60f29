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
