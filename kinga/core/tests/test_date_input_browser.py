"""A date input reads jj/mm/aaaa in the browser tests, as in Chrome on a French phone.

Chromium draws a date input in its own interface language, not in the page's `lang` nor in Playwright's `locale`
(that one sets navigator.language, Intl and Accept-Language only): with `locale="fr-FR"` alone the input read
mm/dd/yyyy. A French phone's Chrome runs in the phone's language and shows jj/mm/aaaa, so Kinga keeps the native
date input (its calendar, its keyboard) and the tests launch Chromium in French (conftest.py: LANGUAGE/LANG on
Linux, --lang elsewhere), which needs Chromium's French resources (Debian's chromium-l10n)."""

import os
from pathlib import Path

import pytest

from kinga.core.roles import Role
from kinga.core.testing import SOURCE_ROOT, date_input_text, enrol_totp, make_member, make_organisation

pytestmark = pytest.mark.browser

SHOTS = Path(SOURCE_ROOT) / "test-results" / "core"  # test artefacts, not committed


def test_a_date_input_reads_day_month_year(page, login_as, kolwezi):
    assert os.path.exists("/usr/lib/chromium/locales/fr.pak"), (
        "Chromium has no French resources: apt-get install chromium-l10n (else a date input reads mm/dd/yyyy)"
    )
    member = make_member(make_organisation("ONG Mwana Lualaba"), Role.DATA_CLERK)
    enrol_totp(member.user)
    login_as(member)
    page.goto("/community/4w/ajouter/")
    assert date_input_text(page, "#id_start") == "jj/mm/aaaa"
    page.fill("#id_start", "2026-03-01")
    assert date_input_text(page, "#id_start") == "01/03/2026"
    assert page.input_value("#id_start") == "2026-03-01"  # what the form sends stays ISO
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "date-jj-mm-aaaa.png"))
