"""Forms of the agreements with partners and of the companies' commitments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kinga.core.models import Organisation, Place
from kinga.core.organisation_fields import OrganisationChoiceField
from kinga.core.pickers import PickerChoiceField, PickerMultipleChoiceField
from kinga.sites.models import Site
from kinga.supply.forms import DateInput
from kinga.supply.models import (
    BreachResponse,
    Clause,
    CommitmentStatus,
    CommitmentTheme,
    Finding,
    VerificationVisit,
)


class AgreementForm(forms.Form):
    buyer = OrganisationChoiceField(label=_("Buying company"))
    reference = forms.CharField(label=_("Reference"), max_length=100)
    cooperative = OrganisationChoiceField(label=_("Cooperative"), required=False)
    sites = PickerMultipleChoiceField("sites", label=_("Sites"), required=False)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput())
    starts_on = forms.DateField(label=_("In force from"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    clauses = forms.MultipleChoiceField(
        label=_("Child-labour clauses"),
        choices=Clause.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_clauses = forms.CharField(
        label=_("Other clauses (the parties' words)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, buyers=None, cooperatives=None, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = buyers if buyers is not None else Organisation.objects.none()
        self.fields["cooperative"].queryset = (
            cooperatives if cooperatives is not None else Organisation.objects.none()
        )
        self.fields["sites"].queryset = sites if sites is not None else Site.objects.none()


class VisitForm(forms.Form):
    date = forms.DateField(label=_("Date of the visit"), widget=DateInput())
    site = forms.ModelChoiceField(label=_("Site visited"), queryset=Site.objects.none(), required=False)
    finding = forms.ChoiceField(label=_("Finding"), choices=Finding.choices)
    children_found = forms.IntegerField(label=_("Children found at work"), min_value=0, initial=0)
    notes = forms.CharField(
        label=_("What was seen"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites if sites is not None else Site.objects.none()


class BreachForm(forms.Form):
    noticed_on = forms.DateField(label=_("Noticed on"), widget=DateInput())
    clause = forms.ChoiceField(label=_("Clause breached"), required=False)
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))
    children_involved = forms.IntegerField(label=_("Children involved"), min_value=0, initial=0)
    visit = forms.ModelChoiceField(
        label=_("Found during the visit of"), queryset=VerificationVisit.objects.none(), required=False
    )
    response = forms.ChoiceField(label=_("What followed"), choices=BreachResponse.choices)
    response_on = forms.DateField(label=_("On"), required=False, widget=DateInput())

    def __init__(self, *args, agreement=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Clause.choices)
        codes = agreement.clauses if agreement is not None else []
        self.fields["clause"].choices = [("", _("Another obligation"))] + [
            (c, labels.get(c, c)) for c in codes
        ]
        if agreement is not None:
            self.fields["visit"].queryset = agreement.visits.all()
        self.fields["visit"].label_from_instance = lambda v: f"{v.date:%d/%m/%Y} — {v.get_finding_display()}"


class ResolveForm(forms.Form):
    resolved_on = forms.DateField(label=_("Resolved on"), widget=DateInput())


class CommitmentForm(forms.Form):
    company = OrganisationChoiceField(label=_("Company"))
    commitment = forms.CharField(label=_("Commitment"), widget=forms.Textarea(attrs={"rows": 2}))
    theme = forms.ChoiceField(label=_("Theme"), choices=CommitmentTheme.choices)
    child_protection = forms.CharField(
        label=_("How it bears on child protection"), widget=forms.Textarea(attrs={"rows": 2})
    )
    place = PickerChoiceField("places", label=_("Place"), required=False)
    amount_usd = forms.DecimalField(label=_("Amount (USD)"), required=False, min_value=0, decimal_places=2)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())

    def __init__(self, *args, companies=None, places=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies if companies is not None else Organisation.objects.none()
        self.fields["place"].queryset = places if places is not None else Place.objects.none()


class CommitmentStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CommitmentStatus.choices)
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DateInput())
    evidence = forms.FileField(label=_("Evidence (PDF, Word, OpenDocument or photo)"), required=False)
    evidence_note = forms.CharField(
        label=_("Evidence (description)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
