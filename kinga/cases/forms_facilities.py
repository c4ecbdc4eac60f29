"""Forms of the register of care facilities."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kinga.core import clock
from kinga.core.organisation_fields import OrganisationChoiceField
from kinga.core.pickers import PickerChoiceField

from .forms import DATE
from .models import FacilityStatus, WorkKind


def _date(label, required=True):
    return forms.DateField(label=label, widget=DATE, required=required, initial=lambda: clock.today())


class RegisterFacilityForm(forms.Form):
    service = PickerChoiceField("services", label=_("Facility of the services directory"))
    status = forms.ChoiceField(label=_("Operating status"), choices=FacilityStatus.choices)
    since = _date(_("Since"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Operating status"), choices=FacilityStatus.choices)
    since = _date(_("Since"))
    capacity = forms.IntegerField(
        label=_("Capacity (children)"),
        required=False,
        min_value=0,
        help_text=_("Leave empty to keep the capacity of the directory."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class WorkForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of works"), choices=WorkKind.choices)
    description = forms.CharField(label=_("What was done"), max_length=300)
    started_on = _date(_("Started on"))
    completed_on = forms.DateField(label=_("Completed on"), widget=DATE, required=False)
    cost_usd = forms.DecimalField(
        label=_("Cost (USD)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    funded_by = OrganisationChoiceField(label=_("Funded by"))
    reference = forms.CharField(label=_("Reference (contract, invoice)"), max_length=100, required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funded_by"].queryset = organisations


class CompleteWorkForm(forms.Form):
    completed_on = _date(_("Completed on"))
