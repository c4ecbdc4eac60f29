"""Fields several forms share: yes/no questions, places by p-code, sites by their Kinga code, the case number."""

from __future__ import annotations

from ..spec import Field, L, Label, Rule, pattern

# A case number as registration writes it (cases.services.registration.next_case_number): LUA-KZI-2026-000123,
# or the territory's p-code (CD7201-2026-000004) or P<id> outside Lualaba.
CASE_NUMBER_REGEX = "^[A-Za-z0-9]+(-[A-Za-z]+)?-[0-9]{4}-[0-9]{6}$"


def yes_no(name: str, label: Label, *, required: bool = False, unknown: bool = False, **extra) -> Field:
    return Field(
        name,
        "select_one yes_no_unknown" if unknown else "select_one yes_no",
        label,
        required=required,
        **extra,
    )


def text(name: str, label: Label, *, rule: Rule | None = None, multiline: bool = False, **extra) -> Field:
    return Field(name, "text", label, rule=rule, appearance="multiline" if multiline else "", **extra)


def territory(*, required: bool = True, relevant: str = "") -> Field:
    """Not a service's field: it narrows the sites and places offered to those of one territory."""
    return Field(
        "territory",
        "select_one_from_file places.csv",
        L("Territoire ou ville", "Territory or town", "Wilaya au mji"),
        required=required,
        relevant=relevant,
        choice_filter="level='2'",
        appearance="minimal",
    )


def site(
    name: str = "site", *, required: bool = False, relevant: str = "", label: Label | None = None
) -> Field:
    return Field(
        name,
        "select_one_from_file sites.csv",
        label or L("Site minier", "Mine site", "Machimbo"),
        required=required,
        relevant=relevant,
        choice_filter="territory=${territory}",
        appearance="autocomplete",
    )


def place(
    name: str,
    label: Label,
    *,
    required: bool | str = False,
    in_territory: bool = True,
    hint: Label | None = None,
) -> Field:
    """A place by its p-code: of the chosen territory (the territory itself included), or of the whole list."""
    return Field(
        name,
        "select_one_from_file places.csv",
        label,
        required=required,
        choice_filter="territory=${territory}" if in_territory else "",
        appearance="autocomplete",
        hint=hint,
    )


def case_number() -> Field:
    return Field(
        "case_number",
        "text",
        L("Numéro du dossier", "Case number", "Namba ya faili"),
        required=True,
        rule=pattern(
            CASE_NUMBER_REGEX,
            L(
                "Un numéro de dossier s'écrit comme LUA-KZI-2026-000123.",
                "A case number reads like LUA-KZI-2026-000123.",
                "Namba ya faili inaandikwa kama LUA-KZI-2026-000123.",
            ),
        ),
        hint=L(
            "Comme sur la fiche de l'enfant : LUA-KZI-2026-000123.",
            "As on the child's file: LUA-KZI-2026-000123.",
            "Kama kwenye faili la mtoto: LUA-KZI-2026-000123.",
        ),
    )


def notes(name: str = "notes", label: Label | None = None) -> Field:
    return text(name, label or L("Remarques", "Notes", "Maelezo"), multiline=True)
