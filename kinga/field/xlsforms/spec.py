"""The vocabulary the form definitions are written in: a field, its labels in three languages, its rules.

A rule is written once here and gives both the XPath constraint the phone checks offline and, through
kinga.field.xlsforms.xpath, a Python check the tests run against the service that takes the same field: the
form and the service refuse the same values (tests/test_xlsforms_rules.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

LANGUAGES = (("fr", "Français (fr)"), ("en", "English (en)"), ("sw", "Kiswahili (sw)"))
DEFAULT_LANGUAGE = "Français (fr)"


@dataclass(frozen=True)
class Label:
    fr: str
    en: str
    sw: str

    def get(self, code: str) -> str:
        return getattr(self, code)


def L(fr: str, en: str, sw: str) -> Label:
    return Label(fr, en, sw)


# --- rules -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One condition on a field's value; `xpath` is what the phone evaluates, `message` what it shows."""

    xpath: str
    message: Label


def between(low: int | float, high: int | float | str, high_label: Label | None = None) -> Rule:
    """A number between low and high inclusive; high may be another answer (`${household_size}`), then named in
    the message by `high_label`."""
    names = high_label or L(str(high), str(high), str(high))
    return Rule(
        f". >= {low} and . <= {high}",
        L(f"Entre {low} et {names.fr}.", f"Between {low} and {names.en}.", f"Kati ya {low} na {names.sw}."),
    )


def at_most(other: str, message: Label) -> Rule:
    return Rule(f". <= ${{{other}}}", message)


def not_after_today() -> Rule:
    return Rule(
        ". <= today()",
        L(
            "Cette date est dans le futur : donnez la date où c'est arrivé.",
            "This date is in the future: enter the date it happened.",
            "Tarehe hii ni ya baadaye: andika tarehe ilipotokea.",
        ),
    )


def at_least(low: int) -> Rule:
    return Rule(
        f". >= {low}",
        L(f"Au moins {low}.", f"At least {low}.", f"Angalau {low}."),
    )


def not_before(other: str, message: Label, *, optional: bool = False) -> Rule:
    """Not before another answer's date; `optional`: that answer may be missing (then no check)."""
    condition = f". >= ${{{other}}}"
    return Rule(f"${{{other}}} = '' or {condition}" if optional else condition, message)


def not_after(other: str, message: Label) -> Rule:
    return Rule(f". <= ${{{other}}}", message)


def max_length(limit: int) -> Rule:
    return Rule(
        f"string-length(.) <= {limit}",
        L(
            f"Trop long ({limit} caractères au plus).",
            f"Too long ({limit} characters at most).",
            f"Ni ndefu mno (herufi {limit} tu zaidi).",
        ),
    )


def pattern(regex: str, message: Label) -> Rule:
    return Rule(f"regex(., '{regex}')", message)


def all_of(*rules: Rule) -> Rule:
    """Several rules on one field: XLSForm has one constraint per field, so they are joined with `and`."""
    return Rule(
        " and ".join(f"({r.xpath})" for r in rules),
        L(*(" ".join(getattr(r.message, code) for r in rules) for code in ("fr", "en", "sw"))),
    )


# The column of an attached list (or property of an ODK Central entity list) a select from a file submits: not
# `name`, which in an entity list is the entity's UUID (see kinga.field.xlsforms.reference).
VALUE_COLUMN = "code"


# --- fields and forms -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One row of the XLSForm's survey sheet. `type` is the XLSForm type (`integer`, `select_one yes_no`,
    `select_one_from_file sites.csv`, `begin_repeat`…); a repeat carries its rows in `children`."""

    name: str
    type: str
    label: Label
    required: bool | str = False  # an XPath string: required when it holds
    rule: Rule | None = None
    relevant: str = ""
    choice_filter: str = ""
    hint: Label | None = None
    appearance: str = ""
    parameters: str = ""
    default: str = ""
    children: tuple[Field, ...] = ()

    @property
    def list_name(self) -> str:
        """The choice list (internal) or the attached file (external) of a select, else ""."""
        parts = self.type.split()
        return parts[1] if len(parts) == 2 and parts[0].startswith("select_") else ""

    @property
    def is_external(self) -> bool:
        return self.type.startswith(("select_one_from_file", "select_multiple_from_file"))


@dataclass(frozen=True)
class FormDefinition:
    """One XLSForm: its stable id (submissions are routed by it), title, the service it feeds, its fields."""

    form_id: str
    title: Label
    service: str
    fields: tuple[Field, ...]
    notes: str = ""
    choice_lists: tuple[str, ...] = field(default=())

    def walk(self):
        """Every field, repeats' rows included, in order."""
        stack = list(self.fields)
        while stack:
            f = stack.pop(0)
            yield f
            stack[0:0] = list(f.children)

    def get(self, name: str) -> Field:
        for f in self.walk():
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def attachments(self) -> list[str]:
        """The CSV files the form reads its external choices from (kinga.field.xlsforms.reference builds them)."""
        return sorted({f.list_name for f in self.walk() if f.is_external})
