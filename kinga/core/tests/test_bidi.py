"""Bidirectional control characters never reach the database from free text: forms of several apps, the API and
imported files all go through kinga.core.text."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from kinga.community import services as community
from kinga.community.models import Alert, Channel
from kinga.community.tests.factories import make_site
from kinga.core.access import ANONYMOUS
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.core.text import BIDI_CONTROLS, strip_bidi
from kinga.households import services as households
from kinga.households.models import Household
from kinga.households.tests.factories import make_household, make_round

pytestmark = pytest.mark.django_db
# "Mujinga" then a right-to-left override: on screen the rest of the name reads backwards.
TRICK = "Mujinga \u202eayebaK\u202c \u2066Ilunga\u2069\u200f\u061c\u200e\u202a\u202b\u202d\u2067\u2068"


def test_the_trick_holds_every_control_character():
    assert set(TRICK) >= BIDI_CONTROLS and strip_bidi(TRICK) == "Mujinga ayebaK Ilunga"


@pytest.fixture
def supervisor(kolwezi):
    return make_member(make_organisation(), Role.SUPERVISOR)


def test_a_household_form_strips_them(supervisor, kolwezi):
    household = make_household(actor_of(supervisor), kolwezi)
    response = client_for(supervisor).post(
        f"/households/{household.uuid}/modifier/",
        {"place": kolwezi.uuid, "head_name": TRICK, "size": 5, "address": TRICK, "version": 1},
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.head_name == household.address == "Mujinga ayebaK Ilunga"


def test_an_alert_verification_form_strips_them(supervisor, kolwezi):
    site = make_site(kolwezi, name="Kasulo", code="codmine00001", latitude=-10.7, longitude=25.46)
    alert, _ = community.receive_alert(
        actor=ANONYMOUS, channel=Channel.PUBLIC_WEB, payload={"site": site.code, "girls_5_11": 1}
    )
    caseworker = make_member(supervisor.organisation, Role.CASEWORKER, supervisor=supervisor)
    client_for(caseworker).post(
        reverse("community:alert_verify", args=[alert.uuid]), {"children_found": 0, "note": TRICK}
    )
    alert = Alert.objects.get(pk=alert.pk)
    assert alert.verification_note == "Mujinga ayebaK Ilunga"


def test_the_api_strips_them(supervisor, kolwezi):
    household = make_household(actor_of(supervisor), kolwezi)
    client = APIClient()
    client.force_authenticate(supervisor.user)
    response = client.patch(f"/api/v1/households/{household.uuid}/", {"head_name": TRICK}, format="json")
    assert response.status_code == 200, response.content
    assert Household.objects.get(pk=household.pk).head_name == "Mujinga ayebaK Ilunga"


def test_an_imported_file_is_stripped(kolwezi):
    clerk = actor_of(make_member(make_organisation(), Role.DATA_CLERK))
    header = "household_id,place,head_name,head_sex,head_age,household_size,surveyed_on,hunger_scale,housing"
    row = f"KZI-9,CD7201,{TRICK},F,38,6,2024-02-01,3,precarious"
    households.import_round(
        actor=clerk, round=make_round(1), content=f"{header}\n{row}\n".encode(), filename="r.csv"
    )
    assert Household.objects.get(survey_id="KZI-9").head_name == "Mujinga ayebaK Ilunga"
