"""Test helpers of the mine-sites app."""

from __future__ import annotations

import datetime
import itertools

from kinga.core import clock
from kinga.core.models import Place
from kinga.sites.models import Site
from kinga.sites.status import add_months

_n = itertools.count(1)


def make_site(place: Place | None = None, **fields) -> Site:
    place = place or Place.objects.get(pcode="CD7201")
    n = next(_n)
    fields.setdefault("latitude", -10.7 + n / 1000)
    fields.setdefault("longitude", 25.4 + n / 1000)
    return Site.objects.create(
        code=fields.pop("code", f"KG{n:05d}"),
        name=fields.pop("name", f"Site {n}"),
        place=place,
        territory=place.territory,
        minerals=fields.pop("minerals", ["Cobalt", "Cuivre"]),
        **fields,
    )


def months_ago(months: int, today: datetime.date | None = None) -> datetime.date:
    return add_months(today or clock.today(), -months)
