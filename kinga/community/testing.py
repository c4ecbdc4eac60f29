"""Test helpers of the community app, for its tests and the apps above it (messaging's)."""

from __future__ import annotations

from kinga.community import services
from kinga.core.models import Membership, Place
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member, make_organisation
from kinga.sites.models import Site


def make_focal_point(place: Place, *, full_name: str = "Mama Ilunga") -> Membership:
    """A community focal point of a network watching a mine site of `place` (its organisation's supervisor set
    the network up), with a login."""
    org = make_organisation("Réseau Mwana")
    supervisor = make_member(org, Role.SUPERVISOR)
    site = Site.objects.create(code="codmine00123", name="Kasulo", place=place)
    network = services.create_network(
        actor=actor_of(supervisor), name="Réseau Kasulo", area_kind="site_area", place=place, site=site
    )
    focal = make_member(org, Role.FOCAL_POINT)
    services.add_member(
        actor=actor_of(supervisor), network=network, full_name=full_name, role="focal_point", user=focal.user
    )
    return focal
