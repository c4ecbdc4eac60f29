from django import forms
from django.utils.translation import gettext_lazy as _

from kinga.core.organisation_fields import OrganisationChoiceField, OrganisationMultipleChoiceField
from kinga.core.people import Sex
from kinga.plan.models import ActivityStatus, Currency, DeliverableKind, ProgressReport, TransactionKind

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class ProgressForm(forms.Form):
    date = forms.DateField(label=_("Date of the report"), widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=ActivityStatus.choices)
    percent_done = forms.IntegerField(label=_("Percentage done"), min_value=0, max_value=100)
    actual_start = forms.DateField(label=_("Actual start"), required=False, widget=DATE)
    actual_end = forms.DateField(label=_("Actual end"), required=False, widget=DATE)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReviseActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), widget=forms.Textarea(attrs={"rows": 2}))
    cost_usd = forms.DecimalField(
        label=_("Estimated cost (USD)"), required=False, min_value=0, decimal_places=2
    )
    duration_months = forms.IntegerField(
        label=_("Duration (months)"), required=False, min_value=1, max_value=120
    )
    planned_start = forms.DateField(label=_("Planned start"), required=False, widget=DATE)
    planned_end = forms.DateField(label=_("Planned end"), required=False, widget=DATE)
    targets_text = forms.CharField(label=_("Targets"), required=False)
    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}))


class AddActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), widget=forms.Textarea(attrs={"rows": 2}))
    cost_usd = forms.DecimalField(
        label=_("Estimated cost (USD)"), required=False, min_value=0, decimal_places=2
    )
    duration_months = forms.IntegerField(
        label=_("Duration (months)"), required=False, min_value=1, max_value=120
    )
    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}))


class ActionCostForm(forms.Form):
    # No min_value: the service says why a negative amount is refused.
    cost_usd = forms.DecimalField(label=_("Estimated cost (USD)"), required=False, decimal_places=2)
    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}))


class ImplementersForm(forms.Form):
    organisations = OrganisationMultipleChoiceField(
        label=_("Organisations"),
        required=False,
        help_text=_("Type a few letters of each organisation and tap it; tap a chosen one to remove it."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Generic categories"), required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organisations=None, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = organisations
        self.fields["categories"].choices = [(c, c) for c in categories]


class PeriodTargetForm(forms.Form):
    period_end = forms.DateField(label=_("Due by"), widget=DATE)
    # Text, not a number field: "12,5" is accepted and the service explains what it refuses.
    value = forms.CharField(label=_("Target"))
    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}))


class FinalTargetForm(forms.Form):
    target = forms.CharField(label=_("Target at the end of the plan"), required=False)
    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}))


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the removal"), widget=forms.Textarea(attrs={"rows": 2}))


class CommitmentForm(forms.Form):
    funder = OrganisationChoiceField(label=_("Funder"))
    activity = forms.ModelChoiceField(label=_("Activity (optional)"), queryset=None, required=False)
    date = forms.DateField(label=_("Date"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    document_ref = forms.CharField(label=_("Document reference"), required=False)
    note = forms.CharField(label=_("Comment"), required=False)

    def __init__(self, *args, funders=None, activities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders
        self.fields["activity"].queryset = activities


class TransactionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TransactionKind.choices)
    date = forms.DateField(label=_("Date"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    document_ref = forms.CharField(label=_("Document reference"), required=False)
    note = forms.CharField(label=_("Comment"), required=False)
    override_reason = forms.CharField(
        label=_("Reason to exceed the commitment (only if it does)"), required=False
    )


class ExchangeRateForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    cdf_per_usd = forms.DecimalField(label=_("Congolese francs for 1 USD"), min_value=0, decimal_places=4)
    source = forms.CharField(label=_("Source"), required=False)


class IndicatorValueForm(forms.Form):
    period_start = forms.DateField(label=_("Period start"), widget=DATE)
    period_end = forms.DateField(label=_("Period end"), widget=DATE)
    area = forms.ModelChoiceField(label=_("Area"), queryset=None)
    value = forms.CharField(label=_("Value"))
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", "—"), *Sex.choices])
    note = forms.CharField(label=_("Comment"), required=False)

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas


class DeliverableForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DeliverableKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What it contains"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(label=_("File (PDF, Word, OpenDocument or photo)"))
    progress_report = forms.ModelChoiceField(
        label=_("Progress report it goes with"), queryset=ProgressReport.objects.none(), required=False
    )

    def __init__(self, *args, reports=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["progress_report"]
        field.queryset = reports if reports is not None else ProgressReport.objects.none()
        field.label_from_instance = lambda r: (
            f"{r.date:%d/%m/%Y} — {r.get_status_display()}, {r.percent_done} %"
        )


class ReviewForm(forms.Form):
    validated = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Validate the document")), ("0", _("Send it back"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note (required to send it back)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
