"""The sites picker (kinga.core.pickers, kind "sites"): the user's territory first, or the nearest first when the
form knows where the user is."""

import re

import pytest

from kinga.core.models import Place
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation
from kinga.sites.tests.factories import make_site

pytestmark = pytest.mark.django_db


def _values(html: str) -> list[str]:
    return re.findall(r'data-value="([^"]+)"', html)


def test_sites_come_from_the_users_territory_first_or_nearest_when_the_form_knows_a_position(
    reference_places,
):
    """Sites: the organisation's territory first (the name orders the rest); with the form's latitude and
    longitude (picker.js sends them), the nearest first."""
    kolwezi, lubudi = Place.objects.get(pcode="CD7201"), Place.objects.get(pcode="CD7203")
    far_a = make_site(kolwezi, name="Aaa Kolwezi", latitude=-10.70, longitude=25.40)
    near = make_site(lubudi, name="Zzz Lubudi", latitude=-9.95, longitude=25.96)
    nearer = make_site(kolwezi, name="Mmm Kolwezi", latitude=-9.96, longitude=25.95)
    organisation = make_organisation()
    organisation.areas.add(lubudi)
    client = client_for(make_member(organisation, Role.COORDINATOR))
    values = _values(client.get("/choisir/sites/?q=").content.decode())
    assert values[0] == str(near.pk) and values.index(str(far_a.pk)) > 0  # Lubudi's site before the others
    values = _values(client.get("/choisir/sites/?q=&lat=-9.96&lon=25.95").content.decode())
    assert values[:3] == [str(nearer.pk), str(near.pk), str(far_a.pk)]
    # A position that is no position is ignored (the territory order again).
    assert _values(client.get("/choisir/sites/?q=&lat=abc&lon=400").content.decode())[0] == str(near.pk)
