import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kinga.core import clock
from kinga.core.models import Place
from kinga.core.organisation_fields import OrganisationChoiceField, OrganisationMultipleChoiceField
from kinga.core.pickers import PickerChoiceField
from kinga.fund.models import AccountKind, DecisionKind, MemberCategory, ReceiptSource

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date(label, **kwargs):
    return forms.DateField(label=label, widget=DateInput(), initial=lambda: clock.today(), **kwargs)


class RateForm(forms.Form):
    valid_from = _date(_("In force from"))
    rate_percent = forms.DecimalField(
        label=_("Rate (%)"), max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=100
    )
    legal_reference = forms.CharField(label=_("Legal reference"), max_length=200, required=False)


class FundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    managed_by = OrganisationChoiceField(label=_("Managed by"))
    place = PickerChoiceField("places", label=_("Place"), queryset=Place.objects.none())
    created_on = _date(_("Created on"))
    target_usd = forms.DecimalField(label=_("Target (USD)"), required=False, **MONEY)

    def __init__(self, *args, organisations, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["managed_by"].queryset = organisations
        self.fields["place"].queryset = places


class AccountForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AccountKind.choices)
    bank = forms.CharField(label=_("Bank"), max_length=200)
    number = forms.CharField(label=_("Account number"), max_length=64)
    opened_on = _date(_("Opened on"))
    partners = OrganisationMultipleChoiceField(label=_("Partners (PTF)"), required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = organisations


class ReceiptForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=ReceiptSource.choices)
    account = forms.ModelChoiceField(label=_("Account credited"), queryset=None)
    received_on = _date(_("Received on"))
    payer = forms.CharField(label=_("Payer"), max_length=200)
    reference = forms.CharField(label=_("Reference"), max_length=100)
    surface_rights_usd = forms.DecimalField(
        label=_("Surface rights collected (USD)"),
        required=False,
        help_text=_("For a retrocession: the rate in force on the day is applied to it."),
        **MONEY,
    )
    amount = forms.DecimalField(
        label=_("Amount received (USD)"),
        required=False,
        help_text=_("Empty for a retrocession: the surface rights times the rate."),
        **MONEY,
    )

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts


class CommissionForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=200, initial=_("Joint management commission of the support fund")
    )
    established_on = _date(_("Established on"))
    act_reference = forms.CharField(label=_("Founding act"), max_length=200, required=False)


class MemberForm(forms.Form):
    organisation = OrganisationChoiceField(label=_("Organisation"))
    category = forms.ChoiceField(label=_("Category"), choices=MemberCategory.choices)
    representative = forms.CharField(label=_("Representative"), max_length=200, required=False)
    function = forms.CharField(label=_("Function in the commission"), max_length=100, required=False)
    joined_on = _date(_("Member since"))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class SessionForm(forms.Form):
    date = _date(_("Date"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    members_present = forms.ModelMultipleChoiceField(
        label=_("Members present"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    minutes_text = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members_present"].queryset = members
        self.fields["members_present"].label_from_instance = lambda m: (
            f"{m.organisation} ({m.get_category_display()})"
        )


class DecisionForm(forms.Form):
    number = forms.CharField(label=_("Decision number"), max_length=40)
    subject = forms.CharField(label=_("Subject"), widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Kind"), choices=DecisionKind.choices)
    cooperative = OrganisationChoiceField(label=_("Cooperative"), required=False)
    amount = forms.DecimalField(label=_("Amount (USD)"), required=False, **MONEY)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, initial=0)
    votes_abstaining = forms.IntegerField(label=_("Abstentions"), min_value=0, initial=0)

    def __init__(self, *args, cooperatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cooperative"].queryset = cooperatives


class DisbursementForm(forms.Form):
    decision = forms.ModelChoiceField(label=_("Decision of the commission"), queryset=None)
    account = forms.ModelChoiceField(label=_("Account debited"), queryset=None)
    amount = forms.DecimalField(label=_("Amount (USD)"), **MONEY)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 2}))
    disbursed_on = _date(_("Disbursed on"))
    reference = forms.CharField(label=_("Reference"), max_length=100)
    first_due_on = forms.DateField(
        label=_("First instalment due on"),
        widget=DateInput(),
        required=False,
        help_text=_("For a loan: equal monthly instalments from this date."),
    )
    instalment_count = forms.IntegerField(
        label=_("Number of monthly instalments"), min_value=1, max_value=120, required=False
    )

    def __init__(self, *args, decisions, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = decisions
        self.fields["decision"].label_from_instance = lambda d: (
            f"{d.number} — {d.cooperative} — {d.get_kind_display()} {d.amount} USD"
        )
        self.fields["account"].queryset = accounts

    def clean(self):
        data = super().clean()
        first, count = data.get("first_due_on"), data.get("instalment_count")
        if (first is None) != (count is None):
            raise ValidationError(
                _("Give both the first due date and the number of instalments, or neither.")
            )
        data["instalments"] = monthly_instalments(data.get("amount"), first, count) if first and count else []
        return data


def monthly_instalments(amount: Decimal | None, first: datetime.date, count: int) -> list:
    """Equal monthly instalments (the last one takes the cents left over) from `first` on."""
    if amount is None:
        return []
    share = (amount / count).quantize(Decimal("0.01"))
    result = []
    for k in range(count):
        y, m = divmod(first.month - 1 + k, 12)
        due = datetime.date(first.year + y, m + 1, min(first.day, 28))
        result.append((due, share if k < count - 1 else amount - share * (count - 1)))
    return result


class RepaymentForm(forms.Form):
    account = forms.ModelChoiceField(label=_("Account credited"), queryset=None)
    paid_on = _date(_("Paid on"))
    amount = forms.DecimalField(label=_("Amount (USD)"), **MONEY)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"))
