from django import forms
from django.utils.translation import gettext_lazy as _

from kinga.core.models import Organisation, Place, PlaceLevel
from kinga.core.organisation_fields import OrganisationChoiceField, OrganisationMultipleChoiceField
from kinga.core.pickers import PickerChoiceField
from kinga.sites.models import (
    INSPECTION_FIELDS,
    DocumentCheck,
    ObservationSource,
    Safety,
    Site,
    SiteType,
    StatusRule,
    Zone,
    ZoneStudy,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> reads


def _places():
    return Place.objects.filter(level__gte=PlaceLevel.PROVINCE).order_by("level", "name")


class SiteForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    place = PickerChoiceField("places", label=_("Place"))
    site_type = forms.ChoiceField(label=_("Type"), choices=SiteType.choices)
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9, decimal_places=6)
    minerals = forms.CharField(label=_("Minerals (comma-separated)"), required=False)
    workers_count = forms.IntegerField(label=_("Number of workers"), required=False, min_value=0)
    operator = OrganisationChoiceField(label=_("Operator or cooperative"), required=False)
    state_services = forms.CharField(label=_("State services present (comma-separated)"), required=False)
    zone = forms.ModelChoiceField(label=_("ZEA"), queryset=Zone.objects.none(), required=False)

    def __init__(self, *args, places=None, organisations=None, zones=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places if places is not None else _places()
        self.fields["operator"].queryset = (
            organisations if organisations is not None else Organisation.objects.none()
        )
        self.fields["zone"].queryset = zones if zones is not None else Zone.objects.none()
        if editing:
            del self.fields["code"]

    def clean_minerals(self):
        return [m.strip() for m in self.cleaned_data["minerals"].split(",") if m.strip()]

    def clean_state_services(self):
        return [m.strip() for m in self.cleaned_data["state_services"].split(",") if m.strip()]


class InspectionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    organisations = OrganisationMultipleChoiceField(label=_("Team (organisations)"), required=False)
    boys_under_15 = forms.IntegerField(label=_("Boys under 15"), min_value=0, initial=0)
    girls_under_15 = forms.IntegerField(label=_("Girls under 15"), min_value=0, initial=0)
    boys_15_17 = forms.IntegerField(label=_("Boys aged 15–17"), min_value=0, initial=0)
    girls_15_17 = forms.IntegerField(label=_("Girls aged 15–17"), min_value=0, initial=0)
    children_tasks = forms.CharField(label=_("What the children were doing"), required=False, max_length=255)
    pregnant_women_working = forms.BooleanField(label=_("Pregnant women working"), required=False)
    armed_group_present = forms.BooleanField(label=_("Armed group present"), required=False)
    security_forces_present = forms.BooleanField(label=_("Public security forces present"), required=False)
    security_forces_interfering = forms.BooleanField(
        label=_("Security forces taxing, digging or controlling the site"), required=False
    )
    armed_activity = forms.CharField(label=_("What they were doing"), required=False, max_length=255)
    illegal_taxation = forms.BooleanField(label=_("Illegal taxation by state agents"), required=False)
    safety = forms.ChoiceField(label=_("Safety incidents"), choices=Safety.choices, initial=Safety.NONE)
    safety_notes = forms.CharField(label=_("Safety notes"), required=False, max_length=255)
    cooperative_registration = forms.ChoiceField(
        label=_("Cooperative registration"), choices=DocumentCheck.choices, required=False
    )
    management_documents = forms.ChoiceField(
        label=_("Management documents"), choices=DocumentCheck.choices, required=False
    )
    production_records = forms.ChoiceField(
        label=_("Production records"), choices=DocumentCheck.choices, required=False
    )
    workers_count = forms.IntegerField(label=_("Number of workers"), required=False, min_value=0)
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    action_1 = forms.CharField(label=_("Corrective action"), required=False, max_length=255)
    deadline_1 = forms.DateField(label=_("Deadline"), required=False, widget=DATE)
    action_2 = forms.CharField(label=_("Second corrective action"), required=False, max_length=255)
    deadline_2 = forms.DateField(label=_("Deadline"), required=False, widget=DATE)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = (
            organisations if organisations is not None else Organisation.objects.none()
        )

    def actions(self):
        data = self.cleaned_data
        return [
            (data[f"action_{i}"], data[f"deadline_{i}"])
            for i in (1, 2)
            if data.get(f"action_{i}") or data.get(f"deadline_{i}")
        ]

    def inspection_fields(self):
        return {k: v for k, v in self.cleaned_data.items() if k in INSPECTION_FIELDS}


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("Photo"))
    caption = forms.CharField(label=_("Caption"), required=False, max_length=255)


class ActionDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE)


class RulesForm(forms.Form):
    correction_months = forms.IntegerField(
        label=_("Months to correct a yellow finding"), min_value=1, max_value=120
    )
    red_clearance_months = forms.IntegerField(
        label=_("Months after a red finding before an on-site re-inspection can clear it"),
        min_value=1,
        max_value=120,
    )
    expiry_months = forms.IntegerField(
        label=_("Months without inspection before a status expires"), min_value=1, max_value=120
    )

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rule_names = []
        for row in rows:
            name = f"rule_{row['condition']}"
            self.fields[name] = forms.ChoiceField(
                label=row["label"],
                choices=StatusRule.Outcome.choices,
                initial=row["outcome"],
                # Shown in the table's row, whose first cell says the condition: the select is named after it.
                widget=forms.Select(attrs={"aria-label": row["label"]}),
            )
            self.rule_names.append((name, row["condition"]))

    def outcomes(self):
        return {condition: self.cleaned_data[name] for name, condition in self.rule_names}


class ZoneForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    place = PickerChoiceField("places", label=_("Place"))
    expired_title = forms.CharField(label=_("Expired mining title"), required=False, max_length=100)
    area_ha = forms.DecimalField(label=_("Area (ha)"), required=False, max_digits=10, decimal_places=2)
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9, decimal_places=6)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, places=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places if places is not None else _places()
        if editing:
            del self.fields["code"]


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("New stage"), choices=Zone.Stage.choices)
    on = forms.DateField(label=_("Date"), widget=DATE)
    processing_units = forms.IntegerField(
        label=_("Processing units (when equipped)"), required=False, min_value=1
    )


class StudyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    kind = forms.ChoiceField(label=_("Kind"), choices=ZoneStudy.Kind.choices)
    author = forms.CharField(label=_("Author"), required=False, max_length=255)
    published_on = forms.DateField(label=_("Published on"), required=False, widget=DATE)
    document = forms.FileField(label=_("Document"), required=False)
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")


# --- movements of people around sites -------------------------------------------------------------------------

MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")  # what <input type=month> reads and sends


def _month_field(label):
    return forms.DateField(label=label, widget=MONTH, input_formats=["%Y-%m", "%Y-%m-%d", "%m/%Y"])


def _count_field(label):
    return forms.IntegerField(
        label=label, required=False, min_value=0, help_text=_("Empty: not counted; 0: nobody.")
    )


class ObservationCountsForm(forms.Form):
    source = forms.ChoiceField(label=_("Observed by"), choices=ObservationSource.choices)
    families_arrived = _count_field(_("Families arrived"))
    families_departed = _count_field(_("Families departed"))
    children_arrived = _count_field(_("Children arrived"))
    children_departed = _count_field(_("Children departed"))


class ObservationForm(ObservationCountsForm):
    site = PickerChoiceField("sites", label=_("Mine site"))
    month = _month_field(_("Month"))

    field_order = ["site", "month", "source"]

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites if sites is not None else Site.objects.none()


class RelocationForm(forms.Form):
    mining_title = forms.CharField(label=_("Mining title"), max_length=60)
    from_place = PickerChoiceField("places", label=_("Place left (village or quartier)"))
    destination = PickerChoiceField("places", label=_("New settlement"), required=False)
    site = PickerChoiceField("sites", label=_("Nearest mine site"), required=False)
    month = _month_field(_("Month of the move"))
    households = forms.IntegerField(label=_("Households relocated"), min_value=1)
    people = forms.IntegerField(label=_("People"), required=False, min_value=0)
    children = forms.IntegerField(label=_("Of whom children"), required=False, min_value=0)
    reference = forms.CharField(label=_("Decision or programme"), required=False, max_length=200)

    def __init__(self, *args, places=None, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("from_place", "destination"):
            self.fields[name].queryset = places if places is not None else Place.objects.none()
        self.fields["site"].queryset = sites if sites is not None else Site.objects.none()
