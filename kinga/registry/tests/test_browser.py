"""The supervisors' review of possible duplicates in a real browser (chromium, 360 px phone): open the queue
from the menu, open a candidate pair, agree; across two organisations the merge waits for both."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from kinga.cases.models import Case
from kinga.core.roles import Role
from kinga.core.testing import assert_fits_phone, enrol_totp, make_member, make_organisation
from kinga.registry.models import CandidatePair, Merge, PairStatus

from .conftest import register
from .test_registry import CHILD_A, CHILD_B

pytestmark = pytest.mark.browser


def open_the_pair_from_the_queue(page, pair):
    page.goto("/")
    page.click("details.menu summary")
    page.click("nav >> text=Doublons possibles")
    expect(page).to_have_url(re.compile(r"/registry/$"))
    expect(page.locator("h1")).to_have_text("Doublons possibles")
    assert_fits_phone(page)
    page.click(f"a[href='/registry/pairs/{pair.uuid}/']")
    expect(page).to_have_url(re.compile(rf"/registry/pairs/{pair.uuid}/$"))
    assert_fits_phone(page)


def test_registry_review_across_two_organisations_merges_when_both_agree(page, login_as, ngos):
    case_a = register(ngos, ngos.worker_a, **CHILD_A)
    case_b = register(ngos, ngos.worker_b, **CHILD_B)
    pair = CandidatePair.objects.get()
    enrol_totp(ngos.sup_a.user)
    enrol_totp(ngos.sup_b.user)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    login_as(ngos.sup_b)
    open_the_pair_from_the_queue(page, pair)
    main = page.locator("main")
    # NGO A's child by minimal fields only, NGO B's own child in full
    expect(main).to_contain_text("T. K.")
    expect(main).to_contain_text("Kasomgo")
    expect(main).not_to_contain_text("Kasongo")
    # how the records compare, in words (never the matcher's codes)
    comparison = page.locator("table.list").first
    expect(comparison).to_contain_text("noms dans l'autre ordre")
    expect(comparison).to_contain_text("une lettre de différence")
    expect(comparison).not_to_contain_text("one_edit")
    page.get_by_role("button", name="Même enfant : lier les fiches").click()
    expect(page.locator(".messages")).to_contain_text("l'autre organisation doit aussi donner le sien")
    expect(page.locator("h1")).to_contain_text("En attente de l'autre organisation")
    expect(page.get_by_role("button", name="Même enfant : lier les fiches")).to_have_count(0)  # agreed once
    pair.refresh_from_db()
    assert pair.status == PairStatus.AWAITING_OTHER and not Merge.objects.exists()

    page.context.clear_cookies()
    login_as(ngos.sup_a)
    open_the_pair_from_the_queue(page, pair)
    expect(page.locator("main")).to_contain_text("ONG B")
    page.get_by_role("button", name="Même enfant : lier les fiches").click()
    expect(page.locator(".messages")).to_contain_text("Les deux fiches sont fusionnées en un seul enfant.")
    expect(page.locator("button:has-text('Annuler la fusion')")).to_be_visible()
    assert_fits_phone(page)

    merge = Merge.objects.get(pair=pair, unmerged_at__isnull=True)
    assert set(Case.objects.filter(pk__in=[case_a.pk, case_b.pk]).values_list("child_id", flat=True)) == {
        merge.survivor_id
    }
    assert not errors, errors


def test_registry_review_within_one_organisation_keeps_the_chosen_values(page, login_as, ngos):
    case_a = register(ngos, ngos.worker_a, **CHILD_A)
    case_b = register(ngos, ngos.worker_a, **CHILD_B)
    pair = CandidatePair.objects.get()
    enrol_totp(ngos.sup_a.user)

    login_as(ngos.sup_a)
    open_the_pair_from_the_queue(page, pair)
    # both records are the organisation's own: shown in full, with the values to choose between
    expect(page.locator("main")).to_contain_text("Kasongo")
    expect(page.locator("h2:has-text('Valeurs à garder')")).to_be_visible()
    # the most recently verified record (the second) is proposed; the reviewer keeps the first one's date
    expect(page.locator("input[name=choice_date_of_birth][value=absorbed]")).to_be_checked()
    page.check("input[name=choice_date_of_birth][value=survivor]")
    page.get_by_role("button", name="Même enfant : lier les fiches").click()
    expect(page.locator(".messages")).to_contain_text("Les deux fiches sont fusionnées en un seul enfant.")

    merge = Merge.objects.get(pair=pair)
    survivor = merge.survivor
    assert survivor.date_of_birth == datetime.date(2013, 5, 4)  # the first record's, as chosen
    assert merge.choices["date_of_birth"] == "survivor"
    assert str(survivor.family_name) == CHILD_B["family_name"]  # the proposed value elsewhere
    assert Case.objects.filter(child=survivor).count() == 2
    assert {case_a.child_id, case_b.child_id} == {merge.survivor_id, merge.absorbed_id}


def test_an_administrator_reads_what_the_registry_learnt_on_a_phone(page, login_as, ngos):
    """The data manager's journey: from the menu to the page, learn again, read each field's m and u at 360 px."""
    register(ngos, ngos.worker_a, **CHILD_A)
    register(ngos, ngos.worker_b, **CHILD_B)
    admin = make_member(make_organisation(), Role.ADMIN)
    enrol_totp(admin.user)
    login_as(admin)
    page.goto("/")
    page.click("details.menu summary")
    page.click("nav >> text=Ce que le registre a appris")
    expect(page.locator("h1")).to_have_text("Ce que le registre a appris")
    expect(page.locator("main")).to_contain_text("n'a encore rien appris")
    page.get_by_role("button", name="Apprendre à nouveau").click()
    expect(page.locator(".messages")).to_contain_text("tâche de fond")
    main = page.locator("main")
    expect(main).to_contain_text("Doublons estimés")
    expect(main).to_contain_text("un chiffre de l'année mal tapé")
    expect(main).not_to_contain_text("Kasongo")
    assert_fits_phone(page)
    page.screenshot(path="test-results/registry/learnt-360.png", full_page=True)
