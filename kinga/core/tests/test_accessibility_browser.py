"""Accessibility in a real browser at 360 px: axe-core (WCAG 2.1 A and AA rules) over every page of Kinga, each
opened by a demo account of a role that may see it (after `kinga synth` and `kinga demo-accounts`, built once per
test process: conftest.py, demo_database), and over the
login page. A critical or serious violation fails the test; so does a page that scrolls sideways on the phone or a
stacked table cell shown without its column's label (one rendering of each page serves every check).

axe-core's single file is vendored under tests/vendor (MPL-2.0, from the npm registry's axe-core package) and
injected by the test: it is never served on Kinga's pages."""

from pathlib import Path

import pytest
from django.urls import resolve
from playwright.sync_api import expect

from kinga.core.models import Membership
from kinga.core.roles import Role
from kinga.core.testing import TEST_PASSWORD, assert_fits_phone, object_links, page_urls
from kinga.core.tests.table_cells import UNLABELLED_STACKED_CELLS

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("critical", "serious")

# The narrowest roles first: each page is checked once, by the first role that may open it, so every role gets
# the pages that are its own (a caseworker's case file, a focal point's alert) and the wider roles what is left.
ROLE_ORDER = [
    Role.CASEWORKER,
    Role.FOCAL_POINT,
    Role.SITE_INSPECTOR,
    Role.COMPANY_OFFICER,
    Role.DATA_CLERK,
    Role.VIEWER,
    Role.SUPERVISOR,
    Role.ORG_MANAGER,
    Role.COORDINATOR,
    Role.ADMIN,
]

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.filter(v => ["critical", "serious"].includes(v.impact)).map(v =>
    `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`);
}"""


def axe_violations(page) -> list[str]:
    """The critical and serious WCAG 2.1 AA violations axe finds on the page now shown."""
    page.wait_for_load_state()
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, WCAG_21_AA)


def _page_key(url: str) -> str:
    """Object pages count once per kind (the route), whichever object a role opens."""
    match = resolve(url)
    return match.route if match.kwargs else url


def test_every_page_of_every_role_passes_axe_and_fits_a_phone_at_360_px(demo_database, page, login_as):
    members = {
        m.role: m
        for m in Membership.objects.filter(user__email__endswith="@demo.kinga.cd", is_active=True)
        .select_related("user")
        .order_by("-user__email")  # travailleur before travailleur2
    }
    failures: list[str] = []
    page.goto("/accounts/login/")
    failures += [f"/accounts/login/ (anonyme): {v}" for v in axe_violations(page)]

    checked: dict[str, Role] = {}
    with_tables: set[str] = set()
    # Per list page, the kinds of object page an earlier role found linked from it: once they are all checked
    # (and the list too), a later role's copy of the list leads nowhere new and is not asked for again (it was
    # four requests in five: 1,156 for 139 pages checked).
    leads_to: dict[str, set[str]] = {}
    page_list = set(page_urls())
    for role in ROLE_ORDER:
        member = members[role]
        member.user.set_password(TEST_PASSWORD)
        member.user.save(update_fields=["password"])
        page.context.clear_cookies()
        login_as(member)
        queue = [*page_urls(), "/plan/axe/1/calendrier/"]
        seen: set[str] = set()
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            key = _page_key(url)
            lists = url in page_list
            if key in checked and (not lists or (leads_to.get(url) and leads_to[url] <= checked.keys())):
                continue
            # Ask first without rendering: most pages another role already checked, or this one may not open.
            response = page.request.get(url)
            if response.status != 200 or not response.headers.get("content-type", "").startswith("text/html"):
                continue
            if lists:
                links = object_links(response.text(), limit=1)
                leads_to.setdefault(url, set()).update(_page_key(link) for link in links)
                queue += links
            if key in checked:
                continue
            checked[key] = role
            page.goto(url)
            failures += [f"{url} ({role.label}): {v}" for v in axe_violations(page)]
            try:
                assert_fits_phone(page)
            except AssertionError as error:
                failures.append(f"{error} ({role.label})")
            if "<table" in response.text():
                with_tables.add(key)
            failures += [f"{url} ({role.label}): {c}" for c in page.evaluate(UNLABELLED_STACKED_CELLS)[:3]]
    assert len(checked) >= 80, sorted(checked)
    assert {"/plan/budget/", "/community/4w/", "/households/tableau/"} <= with_tables
    assert len(with_tables) >= 30, sorted(with_tables)
    assert set(checked.values()) == set(ROLE_ORDER), "a role had no page of its own to check"
    assert not failures, "\n".join(failures)


def test_a_table_that_scrolls_sideways_can_be_reached_by_keyboard(demo_database, page, login_as):
    """Between a phone and a desktop (760 px) the budget's table is wider than the page and scrolls in its own
    region: the region gets a tab stop and its table's name, and axe finds nothing serious there."""
    coordinator = demo_database("coordinateur")
    coordinator.user.set_password(TEST_PASSWORD)
    coordinator.user.save(update_fields=["password"])
    login_as(coordinator)
    page.set_viewport_size({"width": 760, "height": 900})
    page.goto("/plan/budget/")
    regions = page.locator("main [data-scroll-region]")
    expect(regions.first).to_have_attribute("tabindex", "0")
    assert regions.first.evaluate("el => el.scrollWidth > el.clientWidth")
    regions.first.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=regions.first.element_handle())
    assert axe_violations(page) == []
    # back on a phone the table is stacked, nothing scrolls: no tab stop is left behind
    page.set_viewport_size({"width": 360, "height": 740})
    expect(page.locator("main [data-scroll-region]")).to_have_count(0)
