"""Template filters every page uses to show a value the one French way (built into every template: settings).

- `day`: a date as dd/mm/yyyy, a moment as dd/mm/yyyy HH:MM in Kinga's time zone — the time only for a value
  that has one (a DateTimeField), never for a date; an ISO day kept as text (2026-12-05) is a date too.
- `choice`: a stored choice value (`blue`, `care_plan`) as its label, from the model field that holds it:
  `{{ e.status|choice:"sites.site.status" }}`; a page never shows the code itself.
"""

from __future__ import annotations

import datetime
from functools import cache

from django import template
from django.apps import apps
from django.template import defaultfilters
from django.utils import formats, timezone

register = template.Library()


@register.filter
def day(value, part: str = ""):
    """`part` "date": the day of a moment whose time nobody gave (`{{ alert.observed_at|day:"date" }}`)."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime) and part == "date":
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, str):
        try:  # a day kept as text in a stored snapshot (a lot's decision): shown as any other day
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return value


@cache
def _choices(field_path: str) -> dict:
    app_label, model_name, field_name = field_path.split(".")
    field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    return dict(field.flatchoices)


@register.filter
def choice(value, field_path: str):
    if value in (None, ""):
        return ""
    return _choices(field_path).get(value, value)


# Words that end in s or x in the singular too, and the words after which a unit's noun phrase goes on
# unchanged (« enfants sortis des mines » → « enfant sorti des mines »).
_INVARIABLE = {
    "mois",
    "fois",
    "cas",
    "pays",
    "poids",
    "prix",
    "choix",
    "temps",
    "avis",
    "corps",
    "repas",
    "accès",
}
_STOP = {
    "de",
    "des",
    "du",
    "d",
    "à",
    "au",
    "aux",
    "en",
    "par",
    "pour",
    "dans",
    "sur",
    "avec",
    "et",
    "ou",
    "(",
    "%",
}


def _singular_word(word: str) -> str:
    low = word.lower()
    if low in _INVARIABLE or len(low) < 3:
        return word
    if low.endswith("eaux"):
        return word[:-1]
    if low.endswith("aux"):
        return word[:-3] + "al"
    if low.endswith("s") and not low.endswith("ss"):
        return word[:-1]
    return word


def singular(unit: str) -> str:
    """A plural unit in the singular, up to its first preposition: « ménages ciblés » → « ménage ciblé »."""
    words, out, stopped = unit.split(" "), [], False
    for word in words:
        stopped = stopped or word.lower().split("'")[0] in _STOP
        out.append(word if stopped else _singular_word(word))
    return " ".join(out)


@register.filter
def quantity(value, unit: str = ""):
    """A figure and its unit, agreeing the French way: « 1 entreprise », « 0 enfant », « 12 enfants »,
    « 2,5 tonnes » (0 and 1 take the singular); the figure with a decimal comma and grouped digits."""
    if value is None or value == "":
        return "—"
    figure = defaultfilters.floatformat(value, "-2g")
    if not unit:
        return figure
    try:
        one = abs(float(value)) < 2
    except (TypeError, ValueError):
        one = False
    return f"{figure} {singular(unit) if one else unit}"
