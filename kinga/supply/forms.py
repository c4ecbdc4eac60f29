from django import forms
from django.utils.translation import gettext_lazy as _

from kinga.core import clock
from kinga.core.organisation_fields import OrganisationChoiceField
from kinga.core.people import Sex
from kinga.core.pickers import PickerChoiceField
from kinga.supply.models import Mineral


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class LotForm(forms.Form):
    site = PickerChoiceField("sites", label=_("Site"))
    cooperative = OrganisationChoiceField(label=_("Cooperative"))
    mineral = forms.ChoiceField(label=_("Mineral"), choices=Mineral.choices)
    weight_kg = forms.DecimalField(label=_("Weight (kg)"), max_digits=12, decimal_places=2, min_value=0)
    grade_percent = forms.DecimalField(
        label=_("Grade (%)"), max_digits=5, decimal_places=2, required=False, min_value=0, max_value=100
    )
    date = forms.DateField(label=_("Date"), widget=DateInput(), initial=lambda: clock.today())
    buyer = OrganisationChoiceField(label=_("Buyer company"))
    reference = forms.CharField(
        label=_("Reference"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to number it automatically."),
    )

    def __init__(self, *args, sites, cooperatives, buyers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["cooperative"].queryset = cooperatives
        self.fields["buyer"].queryset = buyers


class ProductionForm(forms.Form):
    site = PickerChoiceField("sites", label=_("Site"))
    cooperative = OrganisationChoiceField(label=_("Cooperative"))
    mineral = forms.ChoiceField(label=_("Mineral"), choices=Mineral.choices)
    month = forms.DateField(
        label=_("Month"),
        widget=DateInput(),
        help_text=_("Any day of the month."),
        initial=lambda: clock.today(),
    )
    tonnage = forms.DecimalField(label=_("Tonnage (t)"), max_digits=12, decimal_places=3, min_value=0)
    grade_percent = forms.DecimalField(
        label=_("Grade (%)"), max_digits=5, decimal_places=2, required=False, min_value=0, max_value=100
    )

    def __init__(self, *args, sites, cooperatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["cooperative"].queryset = cooperatives


class DocumentForm(forms.Form):
    document_type = forms.ModelChoiceField(label=_("Document"), queryset=None)
    reference = forms.CharField(label=_("Number or reference"), max_length=100, required=False)
    issued_on = forms.DateField(label=_("Issued on"), widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"),
        widget=DateInput(),
        required=False,
        help_text=_("Empty if it does not expire."),
    )
    issuer = forms.CharField(label=_("Issued by"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, document_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_type"].queryset = document_types


class MinerForm(forms.Form):
    member_number = forms.CharField(label=_("Member number"), max_length=40)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_year = forms.IntegerField(label=_("Year of birth"), min_value=1900, max_value=2100)
    joined_on = forms.DateField(label=_("Member since"), widget=DateInput(), required=False)


class MinerLeftForm(forms.Form):
    left_on = forms.DateField(label=_("Left the cooperative on"), widget=DateInput())


class DocumentTypeForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name_fr = forms.CharField(label=_("Name (French)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    is_required = forms.BooleanField(label=_("Required for evacuation"), required=False, initial=True)
    default_validity_months = forms.IntegerField(
        label=_("Usual validity (months)"), required=False, min_value=1, max_value=120
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=1000, initial=100)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Written reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        help_text=_("At least 10 characters; it is kept in the audit trail."),
    )


class ReportForm(forms.Form):
    buyer = OrganisationChoiceField(label=_("Buyer company"))
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())

    def __init__(self, *args, buyers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = buyers

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period comes before its start."))
        elif data.get("start") and data.get("end") and (data["end"] - data["start"]).days > 3 * 366:
            self.add_error("end", _("Choose a period of three years at most."))
        return data
