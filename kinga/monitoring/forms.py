"""The form that asks for a report of the plan."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kinga.core import clock, periods
from kinga.monitoring.models import ReportFormat, ReportLanguage


def period_choices() -> list[tuple[str, str]]:
    """This quarter and the seven before (while in the plan), this year and the years before, to the plan's start."""
    choices = []
    quarter = periods.month_period_containing(clock.today(), periods.QUARTER)
    for _i in range(8):
        choices.append((quarter.iso, quarter.label))
        if quarter.start <= periods.plan_start():
            break
        quarter = quarter.previous()
    for year in range(clock.today().year, periods.plan_start().year - 1, -1):
        p = periods.year(year)
        choices.append((p.iso, p.label))
    return choices


def territory_choices(territories) -> list[tuple[str, str]]:
    """The dashboard's territory filter as choices: the whole province first, then each territory or town."""
    return [("", _("The whole province")), *((place.pcode, place.name) for place in territories)]


class PruneForm(forms.Form):
    older_than = forms.IntegerField(
        label=_("Delete the reports requested more than this many days ago"),
        min_value=1,
        max_value=36500,
        initial=365,
    )


class ReportForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"))
    territory = forms.ChoiceField(label=_("Territory"), required=False)
    fmt = forms.ChoiceField(label=_("Format"), choices=ReportFormat.choices, initial=ReportFormat.PDF)
    language = forms.ChoiceField(
        label=_("Language"), choices=ReportLanguage.choices, initial=ReportLanguage.FR
    )

    def __init__(self, *args, territories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices()
        self.fields["territory"].choices = territory_choices(territories)
