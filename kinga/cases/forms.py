"""Forms of the case screens: they parse input; the services decide (and explain what is refused)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kinga.core.organisation_fields import OrganisationChoiceField, OrganisationMultipleChoiceField
from kinga.core.pickers import PickerChoiceField
from kinga.plan.attribution import AttributionFields

from .models import (
    DOMAINS,
    CarePlanItemStatus,
    ClosureReason,
    ConsentKind,
    Disability,
    Hazard,
    IdentificationMethod,
    RelapseSource,
    RiskLevel,
    SchoolStatus,
    ServiceType,
    Sex,
    WorkActivity,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> reads


def _date(label, required=True):
    return forms.DateField(label=label, required=required, widget=DATE)


def _blank(choices):
    return [("", "—"), *choices]


class RegistrationForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    middle_name = forms.CharField(label=_("Middle name (post-name)"), max_length=100, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    other_names = forms.CharField(label=_("Other names or nicknames"), max_length=200, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=_blank(Sex.choices))
    date_of_birth = _date(_("Date of birth"), required=False)
    estimated_age = forms.IntegerField(
        label=_("Or estimated age (years)"), required=False, min_value=0, max_value=17
    )
    residence = PickerChoiceField("places", label=_("Place of residence"), required=False)
    place_of_origin = PickerChoiceField("places", label=_("Place of origin"), required=False)
    languages = forms.CharField(
        label=_("Languages"), required=False, help_text=_("Separated by commas: swahili, kiluba, français…")
    )
    disability = forms.ChoiceField(label=_("Disability"), choices=Disability.choices, initial=Disability.NONE)
    school_status = forms.ChoiceField(
        label=_("School status"), choices=SchoolStatus.choices, initial=SchoolStatus.UNKNOWN
    )
    last_grade = forms.CharField(label=_("Last grade completed"), max_length=40, required=False)
    caregiver_name = forms.CharField(label=_("Parent or caregiver: name"), max_length=200, required=False)
    caregiver_relationship = forms.CharField(label=_("Relationship"), max_length=60, required=False)
    caregiver_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    caregiver_address = forms.CharField(label=_("Address"), max_length=200, required=False)
    identification_method = forms.ChoiceField(
        label=_("Identified through"), choices=_blank(IdentificationMethod.choices)
    )
    identification_date = _date(_("Identification date"))
    identification_site = PickerChoiceField("sites", label=_("Mine site"), required=False)
    identification_place = PickerChoiceField("places", label=_("Or place of identification"), required=False)
    work_activities = forms.MultipleChoiceField(
        label=_("Work done"),
        choices=WorkActivity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hazards = forms.MultipleChoiceField(
        label=_("Hazards"), choices=Hazard.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    hours_per_week = forms.IntegerField(label=_("Hours per week"), required=False, min_value=0, max_value=168)
    working_since = _date(_("Working since"), required=False)
    registration_date = _date(_("Registration date"), required=False)
    risk = forms.ChoiceField(label=_("Initial risk level"), choices=_blank(RiskLevel.choices), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, places=None, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("residence", "place_of_origin", "identification_place"):
            self.fields[name].queryset = places
        self.fields["identification_site"].queryset = sites

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        caregiver = {
            "name": data.pop("caregiver_name"),
            "relationship": data.pop("caregiver_relationship"),
            "phone": data.pop("caregiver_phone"),
            "address": data.pop("caregiver_address"),
        }
        data["caregivers"] = [caregiver]
        data["languages"] = [x.strip() for x in (data.get("languages") or "").split(",") if x.strip()]
        return data


class AssessmentForm(forms.Form):
    date = _date(_("Assessment date"))
    child_resources = forms.CharField(
        label=_("The child's resources"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    family_resources = forms.CharField(
        label=_("The family's resources"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    SCORE_CHOICES = [
        (0, _("0 — no concern")),
        (1, _("1 — low")),
        (2, _("2 — serious")),
        (3, _("3 — very serious")),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in DOMAINS:
            self.fields[key] = forms.TypedChoiceField(
                label=label, choices=self.SCORE_CHOICES, coerce=int, widget=forms.RadioSelect
            )

    def scores(self) -> dict:
        return {key: self.cleaned_data[key] for key, _label in DOMAINS}


class PlanItemForm(forms.Form):
    need = forms.CharField(label=_("Need"), widget=forms.Textarea(attrs={"rows": 2}))
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 2}))
    planned_support = forms.CharField(label=_("Planned support"), widget=forms.Textarea(attrs={"rows": 2}))
    service_type = forms.ChoiceField(
        label=_("Type of service"), choices=_blank(ServiceType.choices), required=False
    )
    responsible_organisation = OrganisationChoiceField(label=_("Responsible organisation"))
    due_date = _date(_("Due date"))

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_organisation"].queryset = organisations


class PlanItemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CarePlanItemStatus.choices)


class DecisionForm(forms.Form):
    date = _date(_("Date"))
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    override_reason = forms.CharField(
        label=_("If the exit rule is not met: your reason to close as exit achieved anyway"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DateForm(forms.Form):
    date = _date(_("Date"))


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ConsentKind.choices)
    given_by = forms.CharField(label=_("Given by"), max_length=200)
    relationship = forms.CharField(label=_("Relationship to the child"), max_length=60, required=False)
    date = _date(_("Date"))
    for_services = forms.BooleanField(label=_("For services"), required=False)
    for_data_sharing = forms.BooleanField(label=_("For sharing data"), required=False)
    share_with = OrganisationMultipleChoiceField(
        label=_("With these organisations"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    for_photos = forms.BooleanField(label=_("For photos"), required=False)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["share_with"].queryset = organisations


class ReferralForm(AttributionFields):
    service = PickerChoiceField("services", label=_("Service (directory)"), required=False)
    provider = OrganisationChoiceField(label=_("Or provider organisation"), required=False)
    service_type = forms.ChoiceField(
        label=_("Type of service"), choices=_blank(ServiceType.choices), required=False
    )
    reason = forms.CharField(label=_("Reason for the referral"), widget=forms.Textarea(attrs={"rows": 2}))
    date = _date(_("Date"))
    consent_override_reason = forms.CharField(
        label=_("Emergency without consent (supervisor): reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, organisations=None, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = organisations
        self.fields["service"].queryset = services


class ReferralAnswerForm(forms.Form):
    date = _date(_("Date"))
    decision = forms.ChoiceField(
        label=_("Answer"),
        choices=[("accept", _("Accept")), ("decline", _("Decline")), ("delivered", _("Service delivered"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for declining, or what was delivered"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


TRISTATE = [("", "—"), ("1", _("Yes")), ("0", _("No"))]


def _tristate(label):
    return forms.TypedChoiceField(
        label=label, choices=TRISTATE, required=False, coerce=lambda v: v == "1", empty_value=None
    )


class FollowUpForm(forms.Form):
    visit_date = _date(_("Visit date"))
    child_seen = forms.TypedChoiceField(
        label=_("Child seen?"), choices=TRISTATE[1:], coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    in_school_or_training = _tristate(_("Enrolled in school or training?"))
    attending = _tristate(_("Attending regularly?"))
    found_working = forms.BooleanField(label=_("Found working in a mine"), required=False)
    seen_at_site = forms.BooleanField(label=_("Seen at a mine site"), required=False)
    site = PickerChoiceField("sites", label=_("Mine site"), required=False)
    household_situation = forms.CharField(
        label=_("Household situation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    risks = forms.CharField(label=_("Risks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class RetentionForm(forms.Form):
    date = _date(_("Date of the check"))
    found_working = forms.BooleanField(label=_("Found working in a mine"), required=False)
    seen_at_site = forms.BooleanField(label=_("Seen at a mine site"), required=False)
    in_school_or_training = _tristate(_("In school or training?"))
    site = PickerChoiceField("sites", label=_("Mine site"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class ClosureForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for closing"), choices=_blank(ClosureReason.choices))
    date = _date(_("Date"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    override_reason = forms.CharField(
        label=_("Supervisor: reason to close as exit achieved without meeting the exit rule"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RelapseForm(forms.Form):
    date = _date(_("Date"))
    source = forms.ChoiceField(label=_("Found by"), choices=RelapseSource.choices)
    site = PickerChoiceField("sites", label=_("Mine site"), required=False)
    note = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class AssignForm(forms.Form):
    caseworker = forms.ModelChoiceField(label=_("Caseworker"), queryset=None)

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = staff


class ServiceForm(AttributionFields):
    name = forms.CharField(label=_("Name"), max_length=200)
    service_type = forms.ChoiceField(label=_("Type of service"), choices=ServiceType.choices)
    organisation = OrganisationChoiceField(label=_("Provider"))
    place = PickerChoiceField("places", label=_("Place"))
    capacity = forms.IntegerField(label=_("Capacity (children)"), required=False, min_value=0)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)

    def __init__(self, *args, organisations=None, places=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["place"].queryset = places


class RulesForm(forms.Form):
    assessment_days = forms.IntegerField(label=_("Assessment within (days)"), min_value=0, max_value=60)
    assessment_days_high_risk = forms.IntegerField(
        label=_("Assessment within, high risk (days)"), min_value=0, max_value=60
    )
    care_plan_days = forms.IntegerField(
        label=_("Care plan within (days after assessment)"), min_value=1, max_value=120
    )
    follow_up_every_months = forms.IntegerField(
        label=_("Follow-up every (months)"), min_value=1, max_value=12
    )
    referral_response_days = forms.IntegerField(
        label=_("Referral answered within (days)"), min_value=1, max_value=60
    )
    exit_min_follow_ups = forms.IntegerField(label=_("Exit: follow-ups at least"), min_value=1, max_value=12)
    exit_months_apart = forms.IntegerField(
        label=_("Exit: months between first and last"), min_value=0, max_value=24
    )
    retention_months = forms.CharField(
        label=_("Retention checks (months after closure)"), help_text=_("Separated by commas, e.g. 3, 6, 12.")
    )

    def clean_retention_months(self):
        try:
            return [int(x) for x in self.cleaned_data["retention_months"].replace(" ", "").split(",") if x]
        except ValueError:
            raise forms.ValidationError(_("Give whole numbers of months, e.g. 3, 6, 12.")) from None


class ScoringForm(forms.Form):
    medium_from = forms.IntegerField(label=_("Medium risk from (total)"), min_value=1, max_value=17)
    high_from = forms.IntegerField(label=_("High risk from (total)"), min_value=2, max_value=18)
    label = forms.CharField(label=_("Label"), max_length=100, required=False)


class PhotoForm(forms.Form):
    photo = forms.ImageField(label=_("Photo (JPEG or PNG, at most 300 KB)"))

    def clean_photo(self):
        photo = self.cleaned_data["photo"]
        if photo.size > 300 * 1024:
            raise forms.ValidationError(_("The photo is larger than 300 KB: take it at a lower resolution."))
        return photo
