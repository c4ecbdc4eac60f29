"""An inspection that found children offers, on its page, to register them (the registration form with the site,
the date and the method) or to raise an alert (the alert form with the site and the counts), each only to a role
that may do it; an inspection without children offers neither."""

import datetime
import re

import pytest

from kinga.core import clock
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.sites.services import record_inspection
from kinga.sites.tests.factories import make_site

pytestmark = pytest.mark.django_db

REGISTER, ALERT = "Enregistrer ces enfants", "Lancer une alerte"


@pytest.fixture
def found(reference_places):
    site = make_site(name="Kasulo Mupanja")
    inspector = make_member(make_organisation("Division des Mines", acronym="DIVMINES"), Role.SITE_INSPECTOR)
    day = clock.today() - datetime.timedelta(days=2)
    with_children = record_inspection(
        actor=actor_of(inspector),
        site=site,
        date=day,
        boys_under_15=2,
        girls_under_15=0,
        boys_15_17=0,
        girls_15_17=1,
    )
    without = record_inspection(
        actor=actor_of(inspector), site=site, date=day, boys_under_15=0, girls_under_15=0
    )
    return site, with_children, without


def _links(html: str) -> dict[str, str]:
    return {
        label: href.replace("&amp;", "&")
        for href, label in re.findall(r'<a class="button[^"]*" href="([^"]+)">([^<]+)</a>', html)
    }


@pytest.mark.parametrize(
    "role", [Role.SITE_INSPECTOR, Role.CASEWORKER, Role.COORDINATOR, Role.VIEWER, Role.FOCAL_POINT]
)
def test_the_next_steps_follow_the_access_rules(found, role):
    _site, inspection, without = found
    member = make_member(make_organisation(), role)
    actor = actor_of(member)
    client = client_for(member)
    response = client.get(f"/sites/inspections/{inspection.uuid}/")
    if not actor.has("sites.view"):
        assert response.status_code == 403
        return
    links = _links(response.content.decode())
    assert (REGISTER in links) == actor.has("cases.register")
    assert (ALERT in links) == actor.has("community.report_alert")
    assert "Des enfants ont été trouvés" in response.content.decode() or not links
    html = client.get(f"/sites/inspections/{without.uuid}/").content.decode()
    assert REGISTER not in html and ALERT not in html


def test_the_links_open_the_forms_filled_in(found):
    site, inspection, _without = found
    caseworker = make_member(make_organisation(), Role.CASEWORKER)
    client = client_for(caseworker)
    actor = actor_of(caseworker)
    assert actor.has("cases.register") and actor.has("sites.view")
    links = _links(client.get(f"/sites/inspections/{inspection.uuid}/").content.decode())
    html = client.get(links[REGISTER]).content.decode()
    assert re.search(rf'<option value="{site.pk}" selected>Kasulo Mupanja', html)
    assert f'value="{inspection.date.isoformat()}"' in html
    assert '<option value="site_inspection" selected>' in html
    if actor.has("community.report_alert"):
        html = client.get(links[ALERT]).content.decode()
        assert f'value="{site.code}"' in html
        assert re.search(r'name="n_M_u" value="2"', html) and re.search(r'name="n_F_15_17" value="1"', html)


def test_a_site_the_actor_may_not_choose_or_a_future_date_is_not_prefilled(found):
    caseworker = make_member(make_organisation(), Role.CASEWORKER)
    html = (
        client_for(caseworker)
        .get("/cases/register/?site=00000000-0000-0000-0000-000000000000&date=2999-01-01&method=nonsense")
        .content.decode()
    )
    assert f'value="{clock.today().isoformat()}"' in html and " selected>Kasulo" not in html
