"""The built workbooks: pyxform converts every one, in three languages, and the CSV lists come from Kinga's data."""

import csv
import io
import re
import shutil

import pytest
from openpyxl import load_workbook
from pyxform import xls2xform

from kinga.core.testing import make_organisation
from kinga.field.xlsforms import builder, choices, reference
from kinga.field.xlsforms.catalogue import FORMS
from kinga.field.xlsforms.spec import LANGUAGES
from kinga.sites.models import Site

LABEL_COLUMNS = [f"label::{language}" for _code, language in LANGUAGES]


@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_every_form_converts_with_pyxform(form_id):
    form = FORMS[form_id]
    xform = builder.to_xform(builder.workbook_bytes(form))
    assert f'id="{form_id}"' in xform and f'version="{builder.version(form)}"' in xform
    for _code, language in LANGUAGES:
        assert f'<translation lang="{language}"' in xform
    for name in form.attachments:
        assert f'src="jr://file-csv/{name}"' in xform
    # A select from a list submits its `code`, never `name` (an entity's UUID when the list is an ODK Central
    # entity list): the same form reads the CSV attached on KoboToolbox and the entity list on Central.
    values = re.findall(r"<itemset nodeset=\"instance\('([^']+)'\)[^>]*><value ref=\"([^\"]+)\"", xform)
    assert {(f"{i}.csv", v) for i, v in values if f"{i}.csv" in form.attachments} == {
        (name, "code") for name in form.attachments
    }


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_every_form_passes_odk_validate(form_id, tmp_path):
    """JavaRosa, the engine of ODK Collect and KoboCollect, loads the form (pyxform runs its ODK Validate)."""
    workbook = tmp_path / f"{form_id}.xlsx"
    workbook.write_bytes(builder.workbook_bytes(FORMS[form_id]))
    xls2xform.xls2xform_convert(workbook, tmp_path / f"{form_id}.xml", validate=True)


@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_every_question_and_choice_has_its_three_labels(form_id):
    workbook = load_workbook(io.BytesIO(builder.workbook_bytes(FORMS[form_id])))
    for sheet in ("survey", "choices"):
        rows = list(workbook[sheet].iter_rows(values_only=True))
        header = rows[0]
        for row in rows[1:]:
            values = dict(zip(header, row, strict=True))
            if values.get("type") == "end_repeat":
                continue
            assert all(values[column] for column in LABEL_COLUMNS), values
    settings = dict(zip(*workbook["settings"].iter_rows(values_only=True), strict=True))
    assert settings["form_id"] == form_id and settings["default_language"] == "Français (fr)"


def test_the_version_changes_with_the_questions_only(monkeypatch):
    form = FORMS["kinga_follow_up"]
    before = builder.version(form)
    assert builder.version(form) == before
    monkeypatch.setitem(
        choices.FIXED, "yes_no", [*choices.FIXED["yes_no"], ("maybe", choices.FIXED["yes_no"][0][1])]
    )
    assert builder.version(form) != before


def test_every_model_choice_has_a_kiswahili_label():
    for list_name in choices.ENUMS:
        for value, label in choices.choice_list(list_name):
            assert label.sw and label.fr, (list_name, value)


def _rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def test_choice_lists_come_from_the_reference_data(kolwezi, lualaba):
    Site.objects.create(code="codmine00001", name="Kasulo", place=kolwezi)
    org = make_organisation("Enfance Lualaba", acronym="EL")
    places = {row["name"]: row for row in _rows(reference.build("places.csv"))}
    assert places["CD7201"]["level"] == "2" and places["CD7201"]["territory"] == "CD7201"
    assert places["CD7201"]["code"] == "CD7201" and places["CD72"]["territory"] == ""
    sites = _rows(reference.build("sites.csv"))
    assert sites == [
        {
            "name": "codmine00001",
            "label": "Kasulo (codmine00001)",
            "code": "codmine00001",
            "territory": "CD7201",
        }
    ]
    assert reference.build("sites.csv", territory="CD7202").decode().splitlines() == [
        "name,label,code,territory"
    ]
    organisations = {row["name"]: row["label"] for row in _rows(reference.build("organisations.csv"))}
    assert organisations[str(org.uuid)] == "EL — Enfance Lualaba"  # as on every page of Kinga
    assert _rows(reference.build("rounds.csv")) == []


@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_messages_on_the_phone_name_no_field(form_id):
    for field in FORMS[form_id].walk():
        if field.rule is not None:
            for code, _language in LANGUAGES:
                message = field.rule.message.get(code)
                assert "${" not in message and "_" not in message, (field.name, message)
