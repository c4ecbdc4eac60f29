"""The data manager's quarantine journey in a real browser (chromium, 360 px phone): open the submissions from
the menu, read the reason under its question, correct the case number and apply again; reject another."""

import re

import pytest
from playwright.sync_api import expect

from kinga.cases.models import FollowUp
from kinga.core.testing import assert_fits_phone
from kinga.field.models import State, Submission

from .test_push import kobo_follow_up, post_kobo

pytestmark = pytest.mark.browser


def test_a_data_clerk_corrects_one_submission_and_rejects_another(page, login_as, team, keys, followed_case):
    wrong = kobo_follow_up(followed_case, **{"visite/case": "LUA-KZI-2026-999999"})
    post_kobo("kinga_follow_up", keys["kinga_follow_up"], wrong)
    test_form = kobo_follow_up(
        followed_case, instance="99999999-0000-4000-8000-000000000000", **{"visite/case": "TEST"}
    )
    post_kobo("kinga_follow_up", keys["kinga_follow_up"], test_form)
    broken = Submission.objects.get(instance_id="45ede11e-c80d-46ae-ab52-5072750a5bfe")
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    login_as(team.clerk)
    page.goto("/")
    page.click("details.menu summary")
    page.click("nav >> text=Soumissions de terrain")
    expect(page).to_have_url(re.compile(r"/terrain/quarantaine/$"))
    expect(page.locator("h1")).to_have_text("Soumissions de terrain")
    expect(page.locator("#submissions")).to_contain_text("Dossier inconnu")
    assert_fits_phone(page)

    page.click(f"a[href='/terrain/quarantaine/{broken.pk}/']")
    expect(page.locator("#submission-state")).to_contain_text("En quarantaine")
    question = page.locator("[data-path='visite/case']")
    expect(question).to_contain_text("Dossier inconnu")
    assert_fits_phone(page)
    question.locator("input").fill(followed_case.number)
    page.click("#replay")
    expect(page.locator(".messages")).to_contain_text("Soumission appliquée.")
    expect(page).to_have_url(re.compile(r"/terrain/quarantaine/$"))
    broken.refresh_from_db()
    assert broken.state == State.APPLIED
    assert FollowUp.objects.filter(case=followed_case, visit_date__isnull=False).count() == 1

    other = Submission.objects.get(state=State.QUARANTINED)
    page.click(f"a[href='/terrain/quarantaine/{other.pk}/']")
    page.click("details summary >> text=Rejeter la soumission")
    page.fill("#reject-reason", "Formulaire de test")
    page.click("#reject")
    expect(page.locator(".messages")).to_contain_text("Soumission rejetée.")
    expect(page.locator("#submissions")).to_contain_text("Aucune soumission dans cet état.")
    assert_fits_phone(page)
    other.refresh_from_db()
    assert other.state == State.REJECTED and other.rejection_reason == "Formulaire de test"
    assert errors == []
