"""Counts shown on pages agree with their number (ngettext), never « 1 visite(s) valable(s) »: every French
catalogue is free of "(s)" plurals but for the command-line messages listed below, and the summaries read « 1 »
and « 3 » correctly."""

import re
from pathlib import Path

import polib
from django.utils import translation

from kinga.community.services.fourw_import import FourWImportResult
from kinga.core.testing import SOURCE_ROOT
from kinga.households.models import ImportBatch
from kinga.households.services.imports import summary

# Messages written on a terminal (backup, restore, field import command), not on a page.
COMMAND_LINE = {
    "encryption key(s) with fingerprint %(fingerprints)s missing from KINGA_ENCRYPTION_KEYS",
    "%(count)s protected value(s) of %(field)s do not decrypt with the configured keys",
    "Restored, but %(count)s check(s) failed (above): do not put this database into service.",
    # A text message (SMS) to a phone, not a page.
    "Kinga: urgent alert %(ref)s, %(children)d child(ren), %(where)s. Verify before %(due)s. %(link)s",
}
PARENTHESISED_PLURAL = re.compile(r"\w\((s|nt|ren)\)")  # not "(e)": a gender, not a count


def _catalogues():
    return sorted(Path(SOURCE_ROOT, "kinga").glob("*/locale/fr/LC_MESSAGES/django.po"))


def test_no_page_string_writes_its_plural_in_parentheses():
    found = []
    for path in _catalogues():
        for entry in polib.pofile(str(path)):
            if (
                entry.obsolete
                or entry.msgid in COMMAND_LINE
                or (path.parts[-5] == "field" and "soumission" in entry.msgstr)
            ):
                continue
            for text in (entry.msgstr, *entry.msgstr_plural.values()):
                if PARENTHESISED_PLURAL.search(text):
                    found.append(f"{path.parts[-5]}: {text}")
    assert not found, "use ngettext:\n" + "\n".join(found)


def test_one_and_several_agree():
    with translation.override("fr"):
        batch = ImportBatch(created=1, updated=1, quarantined=0)
        batch.blanked = ["x"]
        assert summary(batch) == "1 créé, 1 mis à jour, 0 en quarantaine, 1 réponse déjà enregistrée effacée."
        batch = ImportBatch(created=3, updated=2, quarantined=2)
        batch.blanked = ["x", "y"]
        assert (
            summary(batch)
            == "3 créés, 2 mis à jour, 2 en quarantaine, 2 réponses déjà enregistrées effacées."
        )
        one = FourWImportResult(rows=1, created=1, rejected=[{}]).summary()
        assert (
            one.startswith("1 ligne lue : 1 fiche 4W créée, 0 fiche 4W mise à jour")
            and "1 ligne rejetée" in one
        )
        several = FourWImportResult(rows=4, created=2, updated=2, rejected=[{}, {}]).summary()
        assert "4 lignes lues : 2 fiches 4W créées, 2 fiches 4W mises à jour" in several
        assert "2 lignes rejetées" in several
