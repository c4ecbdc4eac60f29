"""Test helpers of the community app (through the services, like users would)."""

from __future__ import annotations

import itertools

from kinga.community import services
from kinga.community.models import AreaKind
from kinga.core.models import Place
from kinga.core.testing import actor_of
from kinga.sites.models import Site

_n = itertools.count(1)


def make_site(place: Place, **kw) -> Site:
    n = next(_n)
    return Site.objects.create(
        code=kw.pop("code", f"TST{n:05d}"), name=kw.pop("name", f"Site test {n}"), place=place, **kw
    )


def make_network(manager_membership, place: Place, *, site: Site | None = None, name: str | None = None):
    return services.create_network(
        actor=actor_of(manager_membership),
        name=name or f"Réseau test {next(_n)}",
        area_kind=AreaKind.SITE_AREA if site else AreaKind.QUARTIER,
        place=place,
        site=site,
    )
