"""Forms of the households screens: they only shape input; the services check it and may refuse it."""

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kinga.core.concurrency import VersionField
from kinga.core.models import Place, PlaceLevel
from kinga.core.people import Sex
from kinga.core.pickers import PickerChoiceField
from kinga.households.index import DEFAULT_THRESHOLDS, ITEMS, THRESHOLD_LABELS
from kinga.households.models import (
    CooperativeKind,
    DeliveryKind,
    EnrolmentStatus,
    HousingType,
    IncomeSourceKind,
    Occupation,
    ProgrammeKind,
    Relationship,
    RoundKind,
    Schooling,
)
from kinga.households.models.programmes import BusinessStatus
from kinga.plan.attribution import AttributionFields

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> reads


def round_label(rnd) -> str:
    """A round with its dates: the one to choose is the one whose dates hold the survey's date."""
    return _("%(name)s (%(start)s to %(end)s)") % {
        "name": rnd.name,
        "start": date_format(rnd.starts_on, "SHORT_DATE_FORMAT"),
        "end": date_format(rnd.ends_on, "SHORT_DATE_FORMAT"),
    }


def place_field(required: bool = True, label=None) -> forms.ModelChoiceField:
    return PickerChoiceField(
        "places",
        label=label or _("Place"),
        required=required,
        to_field_name="uuid",
        queryset=Place.objects.filter(level__gte=PlaceLevel.TERRITORY).order_by("path", "name"),
    )


class HouseholdForm(forms.Form):
    survey_id = forms.CharField(label=_("Survey identifier"), max_length=64)
    place = place_field()
    head_name = forms.CharField(label=_("Name of the head of household"), max_length=200)
    size = forms.IntegerField(label=_("Number of people"))
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    address = forms.CharField(label=_("Address or landmark"), max_length=200, required=False)
    latitude = forms.DecimalField(label=_("Latitude (GPS, optional)"), required=False, decimal_places=6)
    longitude = forms.DecimalField(label=_("Longitude (GPS, optional)"), required=False, decimal_places=6)
    version = VersionField()


class MemberForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    relationship = forms.ChoiceField(label=_("Relationship to the head"), choices=Relationship.choices)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    age = forms.IntegerField(label=_("Or age in years"), required=False)
    schooling = forms.ChoiceField(label=_("Highest schooling"), choices=Schooling.choices)
    attends_school = forms.BooleanField(label=_("Attends school now"), required=False)
    occupation = forms.ChoiceField(label=_("Occupation"), choices=Occupation.choices)
    works_at_mine_site = forms.BooleanField(label=_("Works at a mine site"), required=False)
    disability_or_chronic_illness = forms.BooleanField(
        label=_("Disability or chronic illness"), required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)


class SurveyForm(forms.Form):
    round = forms.ModelChoiceField(label=_("Round"), queryset=None, to_field_name="uuid")
    round.label_from_instance = round_label
    surveyed_on = forms.DateField(label=_("Survey date"), widget=DATE)
    household_size = forms.IntegerField(label=_("People in the household"))
    head_sex = forms.ChoiceField(label=_("Sex of the head"), choices=Sex.choices)
    head_age = forms.IntegerField(label=_("Age of the head"))
    hunger_scale = forms.IntegerField(
        label=_("Household Hunger Scale (0–6)"),
        help_text=_("0–1 little or no hunger, 2–3 moderate, 4–6 severe."),
    )
    housing = forms.ChoiceField(label=_("Housing"), choices=HousingType.choices)
    has_productive_assets = forms.BooleanField(label=_("Has productive assets"), required=False)
    assets = forms.CharField(label=_("Assets (separated by ;)"), required=False)
    children_working = forms.IntegerField(label=_("Children working"), initial=0)
    children_working_at_mine = forms.IntegerField(label=_("Children 5–17 working at a mine"), initial=0)
    school_age_out_of_school = forms.IntegerField(label=_("School-age children out of school"), initial=0)
    members_disabled_or_ill = forms.IntegerField(
        label=_("Members with a disability or chronic illness"), initial=0
    )
    access_to_water = forms.BooleanField(label=_("Access to drinking water"), required=False)
    access_to_health = forms.BooleanField(label=_("Access to a health centre"), required=False)
    access_to_school = forms.BooleanField(label=_("Access to a school"), required=False)
    access_to_credit = forms.BooleanField(label=_("Access to credit or savings"), required=False)
    business_opportunities = forms.CharField(
        label=_("Business opportunities named"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, rounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds
        for kind, label in IncomeSourceKind.choices:
            self.fields[f"income_{kind}"] = forms.DecimalField(
                label=_("Monthly income (USD): %(source)s") % {"source": label}, required=False
            )

    def answers(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("round")
        data["income_sources"] = {
            kind: data.pop(f"income_{kind}")
            for kind in IncomeSourceKind.values
            if data.get(f"income_{kind}") is not None
        }
        for kind in IncomeSourceKind.values:
            data.pop(f"income_{kind}", None)
        data["assets"] = [a.strip() for a in (data.get("assets") or "").split(";") if a.strip()]
        return data


class RoundForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=RoundKind.choices)
    number = forms.IntegerField(label=_("Order"), min_value=1)
    starts_on = forms.DateField(label=_("Start"), widget=DATE)
    ends_on = forms.DateField(
        label=_("End"),
        widget=DATE,
        required=False,  # the service says why it is needed
        help_text=_("A survey is filed in the round whose dates hold its date; rounds cannot overlap."),
    )


class RoundEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = forms.DateField(label=_("Start"), widget=DATE)
    ends_on = forms.DateField(label=_("End"), widget=DATE)


class ImportForm(forms.Form):
    round = forms.ModelChoiceField(label=_("Round"), queryset=None, to_field_name="uuid")
    round.label_from_instance = round_label
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    dry_run = forms.BooleanField(
        label=_("Dry run: show what would change, save nothing"), required=False, initial=True
    )
    accept_rejections = forms.BooleanField(
        label=_("Import even if many rows are quarantined or recorded answers would be blanked"),
        required=False,
    )

    def __init__(self, *args, rounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds


class IndexVersionForm(forms.Form):
    code = forms.SlugField(label=_("Version code"), max_length=16)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in ITEMS:
            self.fields[f"weight_{item.code}"] = forms.DecimalField(
                label=_("Weight: %(item)s") % {"item": item.label}, initial=1, min_value=0
            )
        for name, default in DEFAULT_THRESHOLDS.items():
            self.fields[name] = forms.DecimalField(label=THRESHOLD_LABELS[name], initial=default)


class ProgrammeForm(AttributionFields):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Support type"), choices=ProgrammeKind.choices)
    starts_on = forms.DateField(label=_("Start"), widget=DATE)
    ends_on = forms.DateField(label=_("End"), required=False, widget=DATE)
    area = place_field(required=False, label=_("Area (optional)"))
    max_hectares = forms.DecimalField(
        label=_("Hectares per household (limit)"),
        required=False,
        help_text=_("The plan: 5 ha per household in agro-pastoral cooperatives."),
    )
    min_score = forms.DecimalField(label=_("Minimum vulnerability score"), required=False)
    capacity = forms.IntegerField(label=_("Places"), required=False, min_value=1)


class EnrolForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=None, to_field_name="uuid")
    member = forms.ModelChoiceField(
        label=_("Member concerned"), queryset=None, required=False, to_field_name="uuid"
    )
    enrolled_on = forms.DateField(label=_("Enrolled on"), widget=DATE)
    cooperative = forms.ModelChoiceField(
        label=_("Cooperative"), queryset=None, required=False, to_field_name="uuid"
    )
    hectares = forms.DecimalField(label=_("Hectares allocated"), required=False)
    trade = forms.CharField(label=_("Trade learnt"), required=False, max_length=120)
    previous_occupation = forms.ChoiceField(
        label=_("Occupation before"), choices=[("", "—"), *Occupation.choices], required=False
    )
    business_name = forms.CharField(label=_("Business"), required=False, max_length=200)
    bank = forms.CharField(label=_("Bank or savings group"), required=False, max_length=120)
    account_opened_on = forms.DateField(label=_("Account opened on"), required=False, widget=DATE)
    sessions_planned = forms.IntegerField(label=_("Sessions planned"), required=False, min_value=0)

    def __init__(self, *args, programmes=None, members=None, cooperatives=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda m: (
            f"{m.full_name} ({m.get_relationship_display()})"
        )
        self.fields["cooperative"].queryset = cooperatives

    def details(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        for key in ("programme", "member", "enrolled_on"):
            data.pop(key, None)
        return data


class EnrolmentUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=EnrolmentStatus.choices)
    ended_on = forms.DateField(label=_("Ended on"), required=False, widget=DATE)
    hectares = forms.DecimalField(label=_("Hectares allocated"), required=False)
    trade = forms.CharField(label=_("Trade learnt"), required=False, max_length=120)
    new_occupation = forms.ChoiceField(
        label=_("New occupation"), choices=[("", "—"), *Occupation.choices], required=False
    )
    business_name = forms.CharField(label=_("Business"), required=False, max_length=200)
    business_created_on = forms.DateField(label=_("Business created on"), required=False, widget=DATE)
    business_status = forms.ChoiceField(
        label=_("Business status"), choices=[("", "—"), *BusinessStatus.choices], required=False
    )
    business_registration = forms.CharField(
        label=_("Business registration (RCCM)"), required=False, max_length=64
    )
    bank = forms.CharField(label=_("Bank or savings group"), required=False, max_length=120)
    account_opened_on = forms.DateField(label=_("Account opened on"), required=False, widget=DATE)
    sessions_planned = forms.IntegerField(label=_("Sessions planned"), required=False, min_value=0)
    sessions_attended = forms.IntegerField(label=_("Sessions attended"), required=False, min_value=0)

    def details(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        data.pop("status", None)
        data.pop("ended_on", None)
        return data


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DATE)
    kind = forms.ChoiceField(label=_("What"), choices=DeliveryKind.choices)
    description = forms.CharField(label=_("Description"), required=False, max_length=200)
    quantity = forms.DecimalField(label=_("Quantity"))
    unit = forms.CharField(label=_("Unit"), required=False, max_length=20)
    value_usd = forms.DecimalField(label=_("Value (USD)"), required=False)


class DepositForm(forms.Form):
    deposited_on = forms.DateField(label=_("Deposited on"), widget=DATE)
    amount_usd = forms.DecimalField(label=_("Amount (USD)"))


class CooperativeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    acronym = forms.CharField(label=_("Acronym"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=CooperativeKind.choices)
    place = place_field()
    registration_number = forms.CharField(label=_("Registration number"), max_length=64, required=False)
    registered_on = forms.DateField(label=_("Registered on"), required=False, widget=DATE)
    hectares = forms.DecimalField(label=_("Hectares"), required=False)
    network = forms.ModelChoiceField(label=_("Network"), queryset=None, required=False, to_field_name="uuid")

    def __init__(self, *args, networks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks


class NetworkForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    place = place_field(required=False)
    founded_on = forms.DateField(label=_("Founded on"), required=False, widget=DATE)


class CooperativeMemberForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    age = forms.IntegerField(label=_("Or age in years"), required=False)
    joined_on = forms.DateField(label=_("Joined on"), widget=DATE)
    is_artisanal_miner = forms.BooleanField(label=_("Artisanal miner (EMA)"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)


class LinkCaseForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=32)
