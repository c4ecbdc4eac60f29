"""Two people editing one household: the second writer gets a clear conflict, never a silent overwrite."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.households import services
from kinga.households.models import Household
from kinga.households.tests.factories import make_household

pytestmark = pytest.mark.django_db
CONFLICT = "autre a enregistré cette fiche après que vous"  # the page escapes the apostrophes


@pytest.fixture
def team(kolwezi):
    org = make_organisation()
    return make_member(org, Role.SUPERVISOR), make_member(org, Role.SUPERVISOR)


def test_the_second_writer_of_a_version_is_refused(team, kolwezi):
    first, second = (actor_of(m) for m in team)
    household = make_household(first, kolwezi, size=6)
    # both read version 1
    mine, theirs = Household.objects.get(pk=household.pk), Household.objects.get(pk=household.pk)
    services.update_household(actor=first, household=mine, version=1, size=7)
    with pytest.raises(ValidationError) as refused:
        services.update_household(actor=second, household=theirs, version=1, size=9)
    assert CONFLICT in refused.value.message_dict["version"][0]
    # even without an explicit version, the copy read before the first save is refused
    with pytest.raises(ValidationError):
        services.update_household(actor=second, household=theirs, size=9)
    household.refresh_from_db()
    assert (household.size, household.version) == (7, 2)


def test_the_edit_page_carries_the_version_and_shows_the_conflict(team, kolwezi):
    first, second = team
    household = make_household(actor_of(first), kolwezi, head_name="Mujinga Kabeya", size=6)
    url = f"/households/{household.uuid}/modifier/"
    page = client_for(second).get(url).content.decode()
    assert 'type="hidden" name="version" value="1"' in page
    services.update_household(actor=actor_of(first), household=household, head_name="Mujinga K.")
    form = {"place": kolwezi.uuid, "head_name": "Mujinga Kabeya Ilunga", "size": 5, "version": 1}
    response = client_for(second).post(url, form)
    assert response.status_code == 400 and CONFLICT in response.content.decode()
    household.refresh_from_db()
    assert (household.head_name, household.size) == ("Mujinga K.", 6)


def test_the_api_answers_409_with_the_field_in_json(team, kolwezi):
    first, second = team
    household = make_household(actor_of(first), kolwezi, size=6)
    client = APIClient()
    client.force_authenticate(second.user)
    url = f"/api/v1/households/{household.uuid}/"
    assert client.get(url).json()["version"] == 1
    ok = client.patch(url, {"size": 7, "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(url, {"size": 9, "version": 1}, format="json")
    assert stale.status_code == 409 and CONFLICT in stale.json()["version"][0]
    household.refresh_from_db()
    assert household.size == 7
