"""Every page a community focal point reaches, and the public alert pages, read whole in Kiswahili once it is
chosen: the page's text, its menu, its buttons, placeholders and titles. A string left in English (a msgid
without its Kiswahili) or in French fails, with the page and the string."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from lxml import html as lxml_html

from kinga.community.models import Alert, Network
from kinga.community.testing import make_focal_point
from kinga.core.testing import client_for

pytestmark = pytest.mark.django_db

KINGA = Path(settings.BASE_DIR) / "kinga"
# Words the same in every language of the pages: the product's name, the languages offered under their own
# names, codes and units.
SAME_IN_EVERY_LANGUAGE = {
    "Kinga",
    "Kiswahili",
    "Français",
    "français",
    "English",
    "SMS",
    "IPIS",
    "OK",
    "Lualaba",
    "Kolwezi",
}
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


@cache
def _foreign_strings() -> dict[str, str]:
    """Each English msgid and French msgstr of Kinga's catalogues (→ where it comes from), except those whose
    Kiswahili is the same text."""
    kiswahili: set[str] = set()
    for path in KINGA.glob("*/locale/sw/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(path)):
            if entry.msgstr and "fuzzy" not in entry.flags:
                kiswahili.add(entry.msgstr)
    found: dict[str, str] = {}
    for path in KINGA.glob("*/locale/fr/LC_MESSAGES/django.po"):
        app = path.parts[-5]
        for entry in polib.pofile(str(path)):
            for text in (entry.msgid, entry.msgstr):
                text = text.strip()
                if len(re.sub(r"[^A-Za-zÀ-ÿ]", "", text)) >= 3 and "%" not in text and text not in kiswahili:
                    found.setdefault(text, app)
    return found


def _texts(page: str) -> list[str]:
    tree = lxml_html.fromstring(page)
    for bad in tree.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    body = tree.find("body") if tree.find("body") is not None else tree
    texts = [t.strip() for t in body.itertext()]
    for attribute in ATTRIBUTES:
        texts += [v.strip() for v in body.xpath(f"//@{attribute}")]
    texts += [v.strip() for v in body.xpath("//input[@type='submit']/@value")]
    texts += [t.strip() for t in tree.xpath("//head/title/text()")]
    return [t for t in texts if t]


def untranslated(page: str) -> list[str]:
    foreign = _foreign_strings()
    return sorted(
        {
            f"{text!r} ({foreign[text]})"
            for text in _texts(page)
            if text in foreign and text not in SAME_IN_EVERY_LANGUAGE
        }
    )


@pytest.fixture
def focal(kolwezi):
    return make_focal_point(kolwezi)


def _kiswahili(client: Client) -> Client:
    response = client.post(reverse("set_language"), {"language": "sw", "next": "/"})
    assert response.status_code == 302
    return client


def _check(client: Client, url: str, *, method: str = "get", data=None, status=(200,)) -> str:
    response = getattr(client, method)(url, data or {})
    assert response.status_code in status, (url, response.status_code)
    page = response.content.decode()
    assert '<html lang="sw">' in page, f"{url} is not in Kiswahili"
    missing = untranslated(page)
    assert not missing, f"{url}: not in Kiswahili: {', '.join(missing)}"
    return page


def test_the_checker_finds_a_string_left_in_english_or_french():
    page = (
        '<html><body><h1>Ripoti watoto</h1><p>Report an alert</p><input placeholder="Rechercher">'
        "<script>var x = 'Report an alert';</script></body></html>"
    )
    found = untranslated(page)
    assert len(found) == 2 and "Report an alert" in found[1] and "Rechercher" in found[0], found


def test_every_page_of_a_focal_point_reads_in_kiswahili(focal):
    client = _kiswahili(client_for(focal))
    _check(client, reverse("core:home"))
    _check(client, reverse("community:alert_add"))
    # A refused alert: the form again, its errors in Kiswahili.
    _check(client, reverse("community:alert_add"), method="post", data={"channel": "web"}, status=(200, 400))
    response = client.post(
        reverse("community:alert_add"),
        {
            "channel": "web",
            "site": "codmine00123",
            "n_F_12_14": "2",
            "urgency": "urgent",
            "location_text": "Kisima",
        },
        follow=True,
    )
    assert Alert.objects.count() == 1
    assert not untranslated(response.content.decode()), untranslated(response.content.decode())
    _check(client, reverse("core:home"))  # the alert on the home panel, with its status
    _check(client, reverse("community:networks"))
    network = Network.objects.get()
    _check(client, reverse("community:network", args=[network.uuid]))
    _check(client, reverse("messaging:preferences"))


def test_the_public_alert_pages_read_in_kiswahili(site):
    client = _kiswahili(Client())
    _check(client, reverse("public_alert:form"))
    _check(client, reverse("public_alert:followup"))
    _check(client, reverse("public_alert:followup"), method="post", data={"code": "ZZZZZZZZZZ"})


def test_the_awareness_session_pages_of_a_focal_point_read_in_kiswahili(focal, kolwezi):
    """The sessions a focal point records (sessions de sensibilisation): the list, the form, its errors, the
    recorded session and the list again."""
    from kinga.community.models import AwarenessSession  # noqa: PLC0415

    client = _kiswahili(client_for(focal))
    _check(client, reverse("community:sessions"))
    _check(client, reverse("community:session_add"))
    _check(
        client, reverse("community:session_add"), method="post", data={"kind": "session"}, status=(200, 400)
    )
    response = client.post(
        reverse("community:session_add"),
        {
            "kind": "session",
            "theme": "child_labour_risks",
            "audience": "parents",
            "date": "2026-02-25",
            "place": kolwezi.pk,
            "p_parents_F": "12",
            "p_parents_M": "8",
            "parents_committed_f": "5",
            "report_written": "on",
        },
        follow=True,
    )
    session = AwarenessSession.objects.get()
    assert not untranslated(response.content.decode()), untranslated(response.content.decode())
    page = _check(client, reverse("community:session", args=[session.uuid]))
    assert "20" in page
    _check(client, reverse("community:sessions"))
