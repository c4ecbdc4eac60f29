"""Tables on a phone, in a real browser at 360 px: every page of Kinga that shows a table, opened by a demo account
allowed to see it (after `kinga synth` and `kinga demo-accounts`), does not scroll sideways, and each cell of a
stacked table shows its column's label. The plan's timeline is a list of activities with their bars."""

import io

import pytest
from django.core.management import call_command

from kinga.core.models import Membership
from kinga.core.roles import Role
from kinga.core.testing import (
    TEST_PASSWORD,
    assert_fits_phone,
    client_for,
    make_member,
    make_organisation,
    object_links,
    page_urls,
)

pytestmark = pytest.mark.browser

# Cells of a table with a header that the phone shows stacked (display: block) with words of their own (links and
# buttons say what they do) and nothing before them: a number without its column's name.
UNLABELLED_STACKED_CELLS = """() => [...document.querySelectorAll("table.list, table.figures")].filter(t => t.tHead).flatMap(t =>
  [...t.tBodies].flatMap(b => [...b.querySelectorAll(":scope > tr > td")])).filter(cell => {
    if (getComputedStyle(cell).display !== "block" || !cell.offsetParent || cell.colSpan > 1) return false;
    const own = cell.cloneNode(true);
    own.querySelectorAll("a, button").forEach(e => e.remove());
    if (!/[\\p{L}\\p{N}]/u.test(own.textContent)) return false;
    const before = getComputedStyle(cell, "::before").content;
    return !before || ["none", "normal", '""'].includes(before);
  }).map(cell => cell.outerHTML.slice(0, 160))"""


def _pages_with_tables(members) -> dict[Membership, list[str]]:
    """For each page showing a table (lists, and the first object pages they link to), one member who sees it."""
    chosen: dict[str, Membership] = {}
    for member in members:
        client = client_for(member)
        queue = [*page_urls(), "/plan/axe/1/calendrier/"]
        seen: set[str] = set()
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            page = response.content.decode()
            if url in page_urls():
                queue += object_links(page, limit=1)
            if ("<table" in page or "gantt-list" in page) and url not in chosen:
                chosen[url] = member
    by_member: dict[Membership, list[str]] = {}
    for url, member in chosen.items():
        by_member.setdefault(member, []).append(url)
    return by_member


def test_every_table_page_fits_a_phone_and_labels_its_stacked_cells(page, login_as, reference_places):
    call_command("synth", "--scale", "demo", "--seed", "3", stdout=io.StringIO())
    call_command("demo-accounts", stdout=io.StringIO())
    members = list(
        Membership.objects.filter(user__email__endswith="@demo.kinga.cd", is_active=True).select_related(
            "user"
        )
    )
    by_member = _pages_with_tables(members)
    assert {"/plan/budget/", "/community/4w/", "/households/tableau/"} <= {
        url for urls in by_member.values() for url in urls
    }
    failures, visited = [], 0
    for member, urls in by_member.items():
        member.user.set_password(TEST_PASSWORD)
        member.user.save(update_fields=["password"])
        page.context.clear_cookies()
        login_as(member)
        for url in urls:
            page.goto(url)
            visited += 1
            try:
                assert_fits_phone(page)
            except AssertionError as error:
                failures.append(str(error))
            unlabelled = page.evaluate(UNLABELLED_STACKED_CELLS)
            failures += [f"{url} ({member.user.email}): {cell}" for cell in unlabelled[:3]]
    assert visited >= 30
    assert not failures, "\n".join(failures)


def test_rows_a_search_swaps_in_keep_their_column_labels(page, login_as, kolwezi):
    login_as(make_member(make_organisation(), Role.CASEWORKER))
    page.goto("/lieux/")
    page.fill("#q", "Kolwezi")
    # htmx replaces the rows (the provinces go); the new cells get their labels once htmx has settled them
    page.wait_for_function("() => document.querySelectorAll('#place-rows tr').length === 1")
    page.wait_for_function("() => document.querySelector('#place-rows td').hasAttribute('data-label')")
    assert page.locator("#place-rows td").first.get_attribute("data-label") == "Nom"
    assert page.locator("#place-rows td").first.inner_text() == "Kolwezi"
    assert page.evaluate(UNLABELLED_STACKED_CELLS) == []
    assert_fits_phone(page)
