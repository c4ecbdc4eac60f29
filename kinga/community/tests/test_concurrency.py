"""Two social workers acting on one alert: the second gets a clear conflict, never a silent overwrite."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kinga.community import services
from kinga.community.models import Alert, AlertStatus, Channel
from kinga.core.access import ANONYMOUS
from kinga.core.testing import actor_of, client_for

pytestmark = pytest.mark.django_db
CONFLICT = "autre a enregistré cette fiche après que vous"  # the page escapes the apostrophes


@pytest.fixture
def alert(site):
    alert, _ = services.receive_alert(
        actor=ANONYMOUS, channel=Channel.PUBLIC_WEB, payload={"site": site.code, "girls_5_11": 2}
    )
    return alert


def test_a_second_verification_of_the_same_version_is_refused(alert, caseworker, supervisor):
    mine, theirs = Alert.objects.get(pk=alert.pk), Alert.objects.get(pk=alert.pk)
    services.record_verification(actor=actor_of(caseworker), alert=mine, children_found=2, version=1)
    with pytest.raises(ValidationError) as refused:
        services.close_alert(
            actor=actor_of(supervisor), alert=theirs, outcome="unfounded", reason="Rien vu", version=1
        )
    assert CONFLICT in refused.value.message_dict["version"][0]
    alert.refresh_from_db()
    assert alert.status == AlertStatus.VERIFIED and alert.children_found == 2 and alert.version == 2


def test_the_alert_page_carries_the_version_and_a_stale_form_changes_nothing(alert, caseworker, supervisor):
    client = client_for(caseworker)
    page = client.get(reverse("community:alert", args=[alert.uuid])).content.decode()
    assert 'name="version" value="1"' in page
    services.start_verification(actor=actor_of(supervisor), alert=alert)
    response = client.post(
        reverse("community:alert_verify", args=[alert.uuid]),
        {"children_found": 0, "note": "Personne", "version": 1},
        follow=True,
    )
    assert CONFLICT in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.VERIFYING and alert.version == 2
