"""Details of an alert that change what people do (issue 21, item 5): the urgent ones come first and their
children get the urgent assessment deadline; an alert whose children are all registered stops offering to
register them; the page says « filles / garçons », orders the age bands and shows no time nobody gave."""

import datetime

import pytest
from django.urls import reverse

from kinga.community import selectors, services
from kinga.community.models import AlertStatus, Channel
from kinga.core import clock
from kinga.core.access import ANONYMOUS
from kinga.core.testing import actor_of, client_for

pytestmark = pytest.mark.django_db


def _alert(site, *, urgency="normal", **extra):
    payload = {"site": site.code, "girls_5_11": 1, "boys_12_14": 2, "activity": "washing", "urgency": urgency}
    alert, _created = services.receive_alert(
        actor=ANONYMOUS, channel=Channel.PUBLIC_WEB, payload={**payload, **extra}
    )
    return alert


def _verified(site, caseworker, *, found=2, **kw):
    alert = _alert(site, **kw)
    actor = actor_of(caseworker)
    services.start_verification(actor=actor, alert=alert)
    services.record_verification(actor=actor, alert=alert, children_found=found, note="Vus au lavage")
    return alert


def _register(caseworker, alert, *names):
    children = [{"given_name": g, "family_name": "Ilunga", "sex": "M", "estimated_age": 12} for g in names]
    return services.register_children(actor=actor_of(caseworker), alert=alert, children=children)


def test_children_of_an_urgent_alert_get_the_urgent_assessment_deadline(site, network, caseworker):
    urgent = _register(caseworker, _verified(site, caseworker, urgency="urgent"), "Trésor")[0]
    normal = _register(caseworker, _verified(site, caseworker, urgency="normal"), "Joël")[0]
    assert urgent.risk == "high" and normal.risk == ""
    assert urgent.assessment_due - urgent.registration_date == datetime.timedelta(days=1)
    assert normal.assessment_due - normal.registration_date == datetime.timedelta(days=3)


def test_an_alert_whose_children_are_all_registered_no_longer_offers_to_register(site, network, caseworker):
    alert = _verified(site, caseworker, found=2)
    page = lambda: client_for(caseworker).get(reverse("community:alert", args=[alert.uuid])).content.decode()  # noqa: E731
    assert 'id="register-children"' in page()
    _register(caseworker, alert, "Trésor")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CASES_REGISTERED
    assert 'id="register-children"' in page()  # one of the two found is still to register
    _register(caseworker, alert, "Joël")
    assert 'id="register-children"' not in page()
    assert selectors.children_to_register(alert) == 0


def test_triage_puts_new_urgent_alerts_first(site, network, caseworker, supervisor):
    normal = _alert(site, urgency="normal")
    # an older normal alert is due earlier than a new urgent one would be, were it not urgent
    normal.due_at = clock.now() - datetime.timedelta(days=2)
    normal.save(update_fields=["due_at"])
    urgent = _alert(site, urgency="urgent", location_text="ailleurs")
    queue = list(selectors.triage_queue(actor_of(supervisor)))
    assert queue[0] == urgent and normal in queue


def test_the_alert_page_says_girls_and_boys_by_age_band_and_no_time_nobody_gave(site, network, caseworker):
    alert = _alert(site, boys_15_17=1, boys_5_11=3, observed_at="2026-03-01")
    page = client_for(caseworker).get(reverse("community:alert", args=[alert.uuid])).content.decode()
    girls, young_boys, boys, older = (
        page.index("1 fille, 5–11 ans"),
        page.index("3 garçons, 5–11 ans"),
        page.index("2 garçons, 12–14 ans"),
        page.index("1 garçon, 15–17 ans"),
    )
    assert girls < young_boys < boys < older
    assert "01/03/2026" in page and "01/03/2026 12:00" not in page and "01/03/2026 00:00" not in page
    timed = _alert(site, observed_at="2026-03-01T07:30:00", location_text="autre")
    page = client_for(caseworker).get(reverse("community:alert", args=[timed.uuid])).content.decode()
    assert "01/03/2026 07:30" in page
