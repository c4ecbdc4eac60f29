from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kinga.community.models import AdvocacyTarget
from kinga.core import clock
from kinga.core.models import Place
from kinga.core.organisation_fields import OrganisationChoiceField
from kinga.core.pickers import PickerChoiceField
from kinga.governance.models import (
    EquipmentCategory,
    InfrastructureKind,
    InfrastructureWork,
    Milestone,
    TrackOutcome,
)

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label, required=True):
    return forms.DateField(
        label=label, widget=DATE, required=required, initial=(lambda: clock.today()) if required else None
    )


def _place():
    return PickerChoiceField("places", label=_("Place"), queryset=Place.objects.none())


class DonationForm(forms.Form):
    description = forms.CharField(label=_("What was given"), max_length=300)
    category = forms.ChoiceField(label=_("Category"), choices=EquipmentCategory.choices)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    recipient = OrganisationChoiceField(label=_("State service receiving"))
    recipient_unit = forms.CharField(label=_("Unit or post"), max_length=200, required=False)
    place = _place()
    given_on = _date(_("Given on"))
    cost_usd = forms.DecimalField(label=_("Cost (USD)"), **MONEY)
    reference = forms.CharField(label=_("Reference (handover report)"), max_length=100, required=False)
    donor = OrganisationChoiceField(
        label=_("Given by (an organisation of the registry)"),
        required=False,
        help_text=_("Or, if the registry does not hold it, the donor's name below."),
    )
    donor_name = forms.CharField(
        label=_("Given by (donor outside the registry)"), max_length=200, required=False
    )

    def __init__(self, *args, recipients, places, donors=None, **kwargs):
        """`donors`: the organisations the coordination may name as the donor; without it (an organisation's
        staff), the donation is their organisation's and the form does not ask."""
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = recipients
        self.fields["place"].queryset = places
        if donors is None:
            del self.fields["donor"], self.fields["donor_name"]
        else:
            self.fields["donor"].queryset = donors

    def clean(self):
        data = super().clean()
        if "donor" in self.fields and not self.errors:
            if data.get("donor") is None and not data.get("donor_name", "").strip():
                self.add_error(
                    "donor", _("Say who gave it: an organisation of the registry or the donor's name.")
                )
            elif data.get("donor") is not None and data.get("donor_name", "").strip():
                self.add_error(
                    "donor_name",
                    _("Give either an organisation of the registry or a donor's name, not both."),
                )
        return data


class InfrastructureForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=InfrastructureKind.choices)
    work = forms.ChoiceField(label=_("Works"), choices=InfrastructureWork.choices)
    place = _place()
    funded_by = OrganisationChoiceField(label=_("Funded by"))
    cost_usd = forms.DecimalField(label=_("Cost (USD)"), **MONEY)
    works_started_on = _date(_("Works started on"))
    in_service_on = _date(_("In service since"), required=False)
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def __init__(self, *args, organisations, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funded_by"].queryset = organisations
        self.fields["place"].queryset = places


class InServiceForm(forms.Form):
    in_service_on = _date(_("In service since"))


class TrackForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    goal = forms.CharField(label=_("What the advocacy seeks"), max_length=300)
    place = _place()
    started_on = _date(_("Started on"))

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places


class StepForm(forms.Form):
    date = _date(_("Date"))
    milestone = forms.ChoiceField(label=_("Milestone"), choices=Milestone.choices)
    target = forms.ChoiceField(label=_("Addressed to"), choices=AdvocacyTarget.choices)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    outcome = forms.CharField(label=_("Result"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[c for c in TrackOutcome.choices if c[0] != TrackOutcome.ONGOING]
    )
    outcome_on = _date(_("Date"))
    outcome_note = forms.CharField(label=_("What was obtained"), max_length=300, required=False)
