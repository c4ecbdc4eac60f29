"""Forms of the production and nutrition screens: they shape input; the services check it and may refuse it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kinga.core import clock
from kinga.core.pickers import PickerChoiceField
from kinga.households.forms import DATE, place_field
from kinga.households.models import (
    GroupKind,
    Household,
    LoanPurpose,
    NutritionVisit,
    Product,
    ProductionKind,
    Season,
    Unit,
)
from kinga.households.models.production import FOOD_GROUPS
from kinga.households.nutrition import age_in_months


def _date(label, **kwargs):
    return forms.DateField(label=label, widget=DATE, initial=lambda: clock.today(), **kwargs)


def _money(label, **kwargs):
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, **kwargs)


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=GroupKind.choices)
    place = place_field()
    formed_on = _date(_("Formed on"))
    capital_usd = _money(
        _("Capital put in (USD)"),
        required=False,
        help_text=_("Members' savings and the grant that seeded the fund."),
    )


class GroupMemberForm(forms.Form):
    household = PickerChoiceField(
        "households",
        label=_("Household"),
        to_field_name="uuid",
        queryset=Household.objects.none(),
        help_text=_("Search by the household's survey identifier."),
    )
    joined_on = _date(_("Joined on"))

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households


class CapitalForm(forms.Form):
    amount_usd = _money(_("Amount put in (USD)"), help_text=_("Members' savings or a grant."))


class LoanForm(forms.Form):
    household = forms.ModelChoiceField(label=_("Member household"), queryset=None, to_field_name="uuid")
    purpose = forms.ChoiceField(label=_("Purpose"), choices=LoanPurpose.choices)
    amount_usd = _money(_("Amount lent (USD)"))
    interest_percent = forms.DecimalField(
        label=_("Interest (%)"), max_digits=5, decimal_places=2, required=False, initial=0
    )
    issued_on = _date(_("Lent on"))
    due_on = forms.DateField(label=_("Due on"), widget=DATE)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = members
        self.fields["household"].label_from_instance = lambda h: h.survey_id


class RepaymentForm(forms.Form):
    paid_on = _date(_("Paid on"))
    amount_usd = _money(_("Amount paid (USD)"))


class HarvestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Crop or livestock"), choices=ProductionKind.choices)
    product = forms.ChoiceField(label=_("Product"), choices=Product.choices)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=10, decimal_places=2)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    area_ha = forms.DecimalField(
        label=_("Area farmed (ha)"),
        max_digits=6,
        decimal_places=2,
        required=False,
        help_text=_("For a crop only."),
    )
    season = forms.ChoiceField(label=_("Season"), choices=Season.choices)
    season_year = forms.IntegerField(label=_("Year of the season"), initial=lambda: clock.today().year)
    recorded_on = _date(_("Recorded on"))


class NutritionVisitForm(forms.Form):
    """The week's food groups (days eaten, 0 to 7), then one MUAC per child of 6 to 59 months of the household."""

    visited_on = _date(_("Visited on"))

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        for group in FOOD_GROUPS:
            label = NutritionVisit._meta.get_field(group).verbose_name
            self.fields[group] = forms.IntegerField(
                label=label.capitalize(), min_value=0, max_value=7, initial=0
            )
        self.children = children
        today = clock.today()
        for child in children:
            months = age_in_months(child.birth_date, today)
            self.fields[f"muac_{child.uuid}"] = forms.IntegerField(
                label=_("MUAC of %(child)s, %(months)s months (mm)")
                % {"child": child.full_name, "months": months},
                required=False,
                help_text=_("Empty if the child was not measured."),
            )
            self.fields[f"oedema_{child.uuid}"] = forms.BooleanField(
                label=_("Oedema of both feet"), required=False
            )

    def food_days(self) -> dict:
        return {group: self.cleaned_data[group] for group in FOOD_GROUPS}

    def measures(self) -> list[tuple]:
        found = []
        for child in self.children:
            mm = self.cleaned_data.get(f"muac_{child.uuid}")
            if mm is not None:
                found.append((child, mm, self.cleaned_data.get(f"oedema_{child.uuid}", False)))
        return found
