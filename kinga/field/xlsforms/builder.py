"""A form definition written as an XLSForm workbook (survey, choices, settings sheets) and converted by pyxform."""

from __future__ import annotations

import hashlib
import io
import json

from pyxform import xls2xform

from kinga.core import spreadsheets

from . import choices
from .spec import DEFAULT_LANGUAGE, LANGUAGES, VALUE_COLUMN, Field, FormDefinition, Label

_TRANSLATED = ("label", "hint", "constraint_message", "required_message")
SURVEY_COLUMNS = [
    "type",
    "name",
    *(f"label::{language}" for _code, language in LANGUAGES),
    *(f"hint::{language}" for _code, language in LANGUAGES),
    "required",
    *(f"required_message::{language}" for _code, language in LANGUAGES),
    "constraint",
    *(f"constraint_message::{language}" for _code, language in LANGUAGES),
    "relevant",
    "choice_filter",
    "appearance",
    "parameters",
    "default",
]
CHOICES_COLUMNS = ["list_name", "name", *(f"label::{language}" for _code, language in LANGUAGES)]
REQUIRED_MESSAGE = Label(
    "Cette réponse est obligatoire.", "This answer is required.", "Jibu hili linahitajika."
)


def _translated(prefix: str, label: Label | None) -> dict[str, str]:
    if label is None:
        return {}
    return {f"{prefix}::{language}": label.get(code) for code, language in LANGUAGES}


def _survey_row(f: Field) -> dict[str, str]:
    row = {"type": f.type, "name": f.name, **_translated("label", f.label), **_translated("hint", f.hint)}
    if f.required:
        row["required"] = "yes" if f.required is True else f.required
        row.update(_translated("required_message", REQUIRED_MESSAGE))
    if f.rule is not None:
        row["constraint"] = f.rule.xpath
        row.update(_translated("constraint_message", f.rule.message))
    row.update(
        {
            "relevant": f.relevant,
            "choice_filter": f.choice_filter,
            "appearance": f.appearance,
            "parameters": " ".join(
                filter(None, (f.parameters, f"value={VALUE_COLUMN}" if f.is_external else ""))
            ),
            "default": f.default,
        }
    )
    return row


def survey_rows(form: FormDefinition) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []

    def add(fields) -> None:
        for f in fields:
            rows.append(_survey_row(f))
            if f.type == "begin_repeat":
                add(f.children)
                rows.append({"type": "end_repeat", "name": ""})

    add(form.fields)
    return rows


def internal_lists(form: FormDefinition) -> list[str]:
    return sorted({f.list_name for f in form.walk() if f.list_name and not f.is_external})


def choice_rows(form: FormDefinition) -> list[dict[str, str]]:
    return [
        {"list_name": list_name, "name": value, **_translated("label", label)}
        for list_name in internal_lists(form)
        for value, label in choices.choice_list(list_name)
    ]


def version(form: FormDefinition) -> str:
    """Changes when, and only when, the form's questions or choices change (the CSV lists are not part of it)."""
    content = json.dumps([survey_rows(form), choice_rows(form)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(content.encode()).hexdigest()[:12]


def settings_row(form: FormDefinition) -> dict[str, str]:
    return {
        "form_title": form.title.fr,
        "form_id": form.form_id,
        "version": version(form),
        "default_language": DEFAULT_LANGUAGE,
    }


def _sheet(book: spreadsheets.Workbook, title: str, columns: list[str], rows: list[dict[str, str]]) -> None:
    # Kinga's one writer (kinga.core.spreadsheets): a label or place name that starts like a formula stays text.
    sheet = book.add_worksheet(title)
    sheet.write_row(0, 0, columns)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, [row.get(column, "") or None for column in columns])


def workbook_bytes(form: FormDefinition) -> bytes:
    def build(book: spreadsheets.Workbook) -> None:
        _sheet(book, "survey", SURVEY_COLUMNS, survey_rows(form))
        _sheet(book, "choices", CHOICES_COLUMNS, choice_rows(form))
        settings = settings_row(form)
        _sheet(book, "settings", list(settings), [settings])

    return spreadsheets.xlsx_bytes(build)


def to_xform(xlsx: bytes) -> str:
    """The XForm XML pyxform makes of a workbook (raises pyxform's PyXFormError when the form is invalid)."""
    return xls2xform.convert(xlsform=io.BytesIO(xlsx), file_type=".xlsx").xform


def filename(form: FormDefinition) -> str:
    return f"{form.form_id}.xlsx"
