"""The registration screen with a match held by another organisation: « même enfant » asks that organisation
(the pair goes to its review, agreed by the asking one), never hands out that child's file or id; and the
« new child » confirmation only appears when candidates are listed."""

import datetime
import re

import pytest

from kinga.cases.models import Case
from kinga.core.models import AuditEvent
from kinga.core.testing import client_for
from kinga.registry.models import CandidatePair, PairStatus

from .conftest import TODAY, register
from .test_registry import CHILD_A, FORM_B

pytestmark = pytest.mark.django_db


def _form(ngos):
    return {
        **FORM_B,
        "identification_date": (TODAY - datetime.timedelta(days=1)).isoformat(),
        "identification_site": ngos.site.pk,
    }


def test_the_new_child_confirmation_only_shows_with_candidates(ngos):
    client = client_for(ngos.worker_b)
    blank = client.get("/cases/register/").content.decode()
    assert 'name="confirm_new"' not in blank  # nothing to confirm against
    register(ngos, ngos.worker_a, **CHILD_A)
    listed = client.post("/cases/register/", _form(ngos)).content.decode()
    assert listed.count('name="confirm_new"') == 1


def test_same_child_held_elsewhere_is_a_request_to_that_organisation(ngos):
    case_a = register(ngos, ngos.worker_a, **CHILD_A)
    client = client_for(ngos.worker_b)
    page = client.post("/cases/register/", _form(ngos)).content.decode()
    assert str(case_a.child.uuid) not in page and "Trésor Kasongo" not in page
    token = re.search(r'name="same_as_other" value="([^"]+)"', page).group(1)
    assert "Same child" not in page and "Même enfant : demander" in page
    assert "registered by another organisation" not in page and "une autre organisation" in page

    response = client.post("/cases/register/", {**_form(ngos), "same_as_other": token})
    assert response.status_code == 302
    case_b = Case.objects.exclude(pk=case_a.pk).get()
    assert case_b.child_id != case_a.child_id  # B's own record until A agrees
    pair = CandidatePair.objects.get()
    assert {pair.child_a_id, pair.child_b_id} == {case_a.child_id, case_b.child_id}
    assert pair.status == PairStatus.AWAITING_OTHER
    assert list(pair.agreed_by.all()) == [ngos.b]
    assert AuditEvent.objects.filter(
        target_type="registry.candidatepair", note="same child: asked at registration"
    )
    # NGO A's supervisor has it to decide; one « confirm » from A completes the link
    assert client_for(ngos.sup_a).get(f"/registry/pairs/{pair.uuid}/").status_code == 200
    client_for(ngos.sup_a).post(f"/registry/pairs/{pair.uuid}/decide/", {"decision": "confirm"})
    pair.refresh_from_db()
    assert pair.status == PairStatus.MERGED


def test_a_forged_or_unproposed_child_asks_nothing(ngos):
    register(ngos, ngos.worker_a, given_name="Grâce", family_name="Mbuyu", sex="F")
    client = client_for(ngos.worker_b)
    response = client.post("/cases/register/", {**_form(ngos), "same_as_other": "not-a-signed-token"})
    # an unreadable choice counts as no choice: the screen lists its candidates again or registers a new child
    assert response.status_code in (200, 302)
    assert not CandidatePair.objects.filter(status=PairStatus.AWAITING_OTHER).exists()
