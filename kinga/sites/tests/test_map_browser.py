"""The sites map in a real browser (chromium, 360 px): its background comes from Kinga alone (the chief towns of
Lualaba, a graticule, the scale; no request leaves the server), a cluster takes the colour of the worst status
inside it whatever the count, and on a phone the map comes before the filters, which are folded."""

import re

import pytest
from playwright.sync_api import expect

from kinga.core.roles import Role
from kinga.core.testing import actor_of, assert_fits_phone, make_member, make_organisation
from kinga.sites import services
from kinga.sites.tests.factories import make_site, months_ago

pytestmark = pytest.mark.browser


def test_map_background_is_local_and_a_cluster_shows_its_worst_status(
    page, login_as, live_server, reference_places
):
    inspector = make_member(make_organisation("Division des Mines"), Role.SITE_INSPECTOR)
    # Five green sites and one red within a few hundred metres: one cluster at the province's zoom.
    for n in range(5):
        services.record_inspection(
            actor=actor_of(inspector),
            site=make_site(latitude=-10.7 + n / 1000, longitude=25.4),
            date=months_ago(2),
        )
    red = make_site(latitude=-10.703, longitude=25.402)
    services.record_inspection(
        actor=actor_of(inspector), site=red, date=months_ago(1), boys_under_15=2, children_tasks="lavage"
    )
    outside: list[str] = []
    login_as(inspector)
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url))

    page.goto("/sites/carte/")
    expect(page.locator("#map-count")).to_contain_text("6 sites affichés")
    page.evaluate("() => window.scrollTo(0, 0)")
    # the map first, the filters folded under it
    map_top = page.locator("#site-map").bounding_box()["y"]
    fold = page.locator("details.filters-fold")
    assert fold.bounding_box()["y"] > map_top
    expect(fold).not_to_have_attribute("open", "")
    expect(page.locator("#f-status")).to_be_hidden()
    # the background: the territories' chief towns, labelled; a graticule; the scale; the sources credited
    expect(page.locator(".town-label", has_text="Kolwezi")).to_be_visible()
    expect(page.locator(".town-label")).to_have_count(8)
    expect(page.locator(".grid-label").first).to_be_attached()
    expect(page.locator(".leaflet-control-scale")).to_be_visible()
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("IPIS")
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("p-codes OCHA")
    # five green and one red in one bubble: the bubble is red
    cluster = page.locator(".site-cluster")
    expect(cluster).to_have_count(1)
    expect(cluster).to_have_class(re.compile(r"\bstatus-red\b.*\bwith-children\b"))
    expect(cluster).to_have_text("6")
    assert_fits_phone(page)
    assert not outside, outside

    # a filter set: the fold opens to show it
    page.goto("/sites/carte/?status=green")
    expect(page.locator("#map-count")).to_contain_text("5 sites affichés")
    expect(page.locator("details.filters-fold")).to_have_attribute("open", "")
    # (the bubble of the zoom animation goes once the view has settled)
    expect(page.locator(".site-cluster")).to_have_count(1)
    expect(page.locator(".site-cluster")).to_have_class(re.compile(r"\bstatus-green\b"))
