"""Forms of the community screens. Choices of places, sites and organisations come from selectors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kinga.core import clock, uploads
from kinga.core.concurrency import VersionField
from kinga.core.models import Organisation, Place, PlaceLevel
from kinga.core.organisation_fields import OrganisationChoiceField, OrganisationMultipleChoiceField
from kinga.core.people import AGE_BANDS
from kinga.core.pickers import PickerChoiceField
from kinga.plan.attribution import AttributionFields
from kinga.sites.models import Site

from .models import (
    ActionItemStatus,
    Activity,
    AdvocacyTarget,
    Alert,
    AlertStatus,
    AreaKind,
    Audience,
    Campaign,
    FourWStatus,
    MemberRole,
    Network,
    SessionKind,
    Sex,
    Theme,
    TrainedGroup,
    TrainingTopic,
    Urgency,
)

DATE = forms.DateInput(attrs={"type": "date"})
BAND_LABELS = {"0-4": "0–4", "5-11": "5–11", "12-14": "12–14", "15-17": "15–17"}


def _count_field(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=500,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class SiteField(forms.CharField):
    """A mine site by IPIS code or exact name: a select of thousands of sites is too heavy for a phone."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mine site (name or code)"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Site):
            return value.code
        if isinstance(value, int):
            site = Site.objects.filter(pk=value).only("code").first()
            return site.code if site else ""
        return value

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        site = Site.objects.filter(code__iexact=text).first()
        if site is None:
            matches = list(Site.objects.filter(name__iexact=text)[:2])
            if len(matches) > 1:
                raise forms.ValidationError(_("Several sites have this name: give the site's code."))
            site = matches[0] if matches else None
        if site is None:
            raise forms.ValidationError(_("Unknown mine site. Give its name or IPIS code (codmine…)."))
        return site


def _places() -> forms.ModelChoiceField:
    return PickerChoiceField("places", label=_("Place"), queryset=Place.objects.none())


def _orgs(label, required=False) -> OrganisationChoiceField:
    return OrganisationChoiceField(label=label, required=required)


class ScopedForm(forms.Form):
    """A form whose choice lists are given by the view (already scoped by the selectors)."""

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, queryset in (choices or {}).items():
            if name in self.fields:
                self.fields[name].queryset = queryset


class ChildrenCountsMixin(forms.Form):
    """Children counts by sex and apparent age band, as a small grid."""

    def children_rows(self) -> list[dict]:
        rows = []
        for sex in ("F", "M", ""):
            for band in (*AGE_BANDS, ""):
                n = self.cleaned_data.get(_count_name(sex, band)) or 0
                if n:
                    rows.append({"sex": sex, "age_band": band, "count": n})
        return rows

    def grid(self):
        return [
            (label, [self[_count_name(sex, band)] for band in (*AGE_BANDS, "")])
            for sex, label in (("F", _("Girls")), ("M", _("Boys")), ("", _("Sex unknown")))
        ]

    def clean(self):
        cleaned = super().clean()
        total = sum(cleaned.get(_count_name(s, b)) or 0 for s in ("F", "M", "") for b in (*AGE_BANDS, ""))
        if total == 0:
            self.add_error(None, _("Say how many children were seen (at least one)."))
        if total > 500:
            self.add_error(None, _("Too many children for one alert."))
        return cleaned


def _count_name(sex: str, band: str) -> str:
    return f"n_{sex or 'u'}_{band.replace('-', '_') or 'u'}"


def _add_count_fields(cls):
    for sex in ("F", "M", ""):
        for band in (*AGE_BANDS, ""):
            cls.base_fields[_count_name(sex, band)] = _count_field(BAND_LABELS.get(band, _("age unknown")))
    return cls


@_add_count_fields
class AlertForm(ChildrenCountsMixin, ScopedForm):
    """An alert entered by a member or by a focal point taking a phone call."""

    channel = forms.ChoiceField(
        label=_("How the alert came"), choices=[("web", _("I saw it myself")), ("phone", _("Phone call"))]
    )
    site = SiteField()
    place = PickerChoiceField("places", label=_("Or place"), queryset=Place.objects.none(), required=False)
    location_text = forms.CharField(label=_("Where exactly"), max_length=300, required=False)
    observed_at = forms.DateTimeField(
        label=_("When were they seen"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    activity = forms.ChoiceField(
        label=_("What were they doing"), choices=[("", "—"), *Activity.choices], required=False
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    anonymous = forms.BooleanField(label=_("The caller wants to stay anonymous"), required=False)
    reporter_contact = forms.CharField(
        label=_("Caller's phone (for feedback)"), max_length=40, required=False
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("site") and not cleaned.get("place"):
            self.add_error("site", _("Say where: a mine site or a place."))
        return cleaned

    def payload(self) -> dict:
        d = self.cleaned_data
        return {
            "site": d["site"].code if d.get("site") else "",
            "place": d["place"].pcode or str(d["place"].uuid) if d.get("place") else "",
            "location_text": d.get("location_text", ""),
            "observed_at": d["observed_at"].isoformat() if d.get("observed_at") else "",
            "children": self.children_rows(),
            "activity": d.get("activity", ""),
            "urgency": d.get("urgency", ""),
            "description": d.get("description", ""),
            "anonymous": bool(d.get("anonymous")),
        }


@_add_count_fields
class PublicAlertForm(ChildrenCountsMixin, forms.Form):
    """The anonymous public form: it reads nothing back, only territories to choose from."""

    territory = forms.ModelChoiceField(label=_("Territory or town"), queryset=Place.objects.none())
    site_name = forms.CharField(label=_("Name of the mine site (if known)"), max_length=120, required=False)
    location_text = forms.CharField(label=_("Where exactly (village, quartier, landmark)"), max_length=300)
    observed_on = forms.DateField(label=_("When did you see them"), required=False, widget=DATE)
    activity = forms.ChoiceField(
        label=_("What were they doing"), choices=[("", "—"), *Activity.choices], required=False
    )
    urgency = forms.ChoiceField(
        label=_("Is a child in danger right now?"), choices=Urgency.choices, initial=Urgency.NORMAL
    )
    description = forms.CharField(
        label=_("What did you see"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reporter_contact = forms.CharField(
        label=_("Your phone (optional, only to tell you what happened)"), max_length=40, required=False
    )
    # Honeypot: hidden from people, filled by robots.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, territories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = territories if territories is not None else Place.objects.none()

    def clean_observed_on(self):
        day = self.cleaned_data.get("observed_on")
        if day and day > clock.today():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day

    def clean_reporter_contact(self):
        contact = self.cleaned_data.get("reporter_contact", "").strip()
        if contact and not all(ch.isdigit() or ch in "+ -." for ch in contact):
            raise forms.ValidationError(_("Enter a phone number (digits only)."))
        return contact

    def is_robot(self) -> bool:
        return bool(self.data.get("website"))


class RepairAlertForm(ScopedForm):
    version = VersionField()
    site = SiteField()
    place = PickerChoiceField("places", label=_("Or place"), queryset=Place.objects.none(), required=False)
    girls = _count_field(_("Girls"))
    boys = _count_field(_("Boys"))
    unknown = _count_field(_("Sex unknown"))

    def corrections(self) -> dict:
        d = self.cleaned_data
        out = {}
        if d.get("site"):
            out["site"] = d["site"].code
        if d.get("place"):
            out["place"] = d["place"].pcode or str(d["place"].uuid)
        if d.get("girls") or d.get("boys") or d.get("unknown"):
            out["children"] = [
                {"sex": s, "age_band": "", "count": d.get(k) or 0}
                for s, k in (("F", "girls"), ("M", "boys"), ("", "unknown"))
                if d.get(k)
            ]
        return out


class VerificationForm(forms.Form):
    version = VersionField()
    children_found = forms.IntegerField(label=_("Children found at the visit"), min_value=0, max_value=500)
    note = forms.CharField(
        label=_("What the visit found"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseAlertForm(forms.Form):
    version = VersionField()
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(AlertStatus.UNFOUNDED, _("Unfounded")), (AlertStatus.DUPLICATE, _("Duplicate"))],
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    duplicate_of = forms.ModelChoiceField(label=_("Duplicate of"), queryset=None, required=False)

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["duplicate_of"].queryset = group if group is not None else Alert.objects.none()


class ReferForm(ScopedForm):
    version = VersionField()
    to = _orgs(_("Refer to"), required=True)
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NetworkForm(ScopedForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    area_kind = forms.ChoiceField(label=_("Area"), choices=AreaKind.choices)
    place = _places()
    site = SiteField()
    founded_on = forms.DateField(label=_("Founded on"), required=False, widget=DATE)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MemberForm(ScopedForm):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    sex = forms.ChoiceField(
        label=_("Sex"), choices=[("", "—"), ("F", _("Woman")), ("M", _("Man"))], required=False
    )
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)
    contact = forms.CharField(label=_("Phone"), max_length=40, required=False)
    backing_organisation = _orgs(_("Organisation backing the member"))
    joined_on = forms.DateField(label=_("Joined on"), required=False, widget=DATE)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class MemberTrainingForm(ScopedForm):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DATE)
    organisation = _orgs(_("Trainer"))


def _participant_fields(cls):
    for audience, label in Audience.choices:
        for sex in ("F", "M"):
            cls.base_fields[f"p_{audience}_{sex}"] = forms.IntegerField(
                label=f"{label} ({sex})", min_value=0, max_value=100_000, required=False
            )
    return cls


@_participant_fields
class SessionForm(ScopedForm, AttributionFields):
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices)
    theme = forms.ChoiceField(label=_("Theme"), choices=Theme.choices)
    audience = forms.ChoiceField(label=_("Main audience"), choices=Audience.choices)
    date = forms.DateField(label=_("Date"), widget=DATE)
    place = _places()
    site = SiteField()
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    network = forms.ModelChoiceField(label=_("Network"), queryset=Network.objects.none(), required=False)
    radio_station = forms.CharField(label=_("Radio station"), max_length=120, required=False)
    broadcasts = forms.IntegerField(
        label=_("Number of broadcasts"), min_value=0, max_value=1000, required=False
    )
    parents_committed_f = forms.IntegerField(
        label=_("Mothers who signed a commitment"), min_value=0, max_value=100_000, required=False
    )
    parents_committed_m = forms.IntegerField(
        label=_("Fathers who signed a commitment"), min_value=0, max_value=100_000, required=False
    )
    report_written = forms.BooleanField(label=_("Report written"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def participant_grid(self):
        return [(label, self[f"p_{a}_F"], self[f"p_{a}_M"]) for a, label in Audience.choices]

    def main_fields(self):
        return [f for f in self if not f.name.startswith("p_")]

    def participants(self) -> list[dict]:
        return [
            {"audience": a, "sex": s, "count": self.cleaned_data.get(f"p_{a}_{s}") or 0}
            for a in Audience.values
            for s in ("F", "M")
            if self.cleaned_data.get(f"p_{a}_{s}")
        ]

    def service_kwargs(self) -> dict:
        d = dict(self.cleaned_data)
        fields = {k: d[k] for k in ("kind", "theme", "audience", "date", "place")}
        for k in (
            "site",
            "campaign",
            "network",
            "radio_station",
            "report_written",
            "notes",
            "plan_activity",
            "commitment",
        ):
            if d.get(k) not in (None, ""):
                fields[k] = d[k]
        fields["parents_committed_f"] = d.get("parents_committed_f") or 0
        fields["parents_committed_m"] = d.get("parents_committed_m") or 0
        if d.get("broadcasts"):
            fields["broadcasts"] = d["broadcasts"]
        fields["participants"] = self.participants()
        return fields


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    theme = forms.ChoiceField(label=_("Theme"), choices=Theme.choices)
    start = forms.DateField(label=_("Start"), widget=DATE)
    end = forms.DateField(label=_("End"), required=False, widget=DATE)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TrainingForm(ScopedForm, AttributionFields):
    group = forms.ChoiceField(label=_("Who was trained"), choices=TrainedGroup.choices)
    topic = forms.ChoiceField(label=_("Topic"), choices=TrainingTopic.choices)
    start = forms.DateField(label=_("Start"), widget=DATE)
    end = forms.DateField(label=_("End"), required=False, widget=DATE)
    place = _places()
    trained_f = forms.IntegerField(label=_("Women trained"), min_value=0, max_value=100_000, initial=0)
    trained_m = forms.IntegerField(label=_("Men trained"), min_value=0, max_value=100_000, initial=0)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AdvocacyForm(ScopedForm):
    date = forms.DateField(label=_("Date"), widget=DATE)
    target = forms.ChoiceField(label=_("Addressed to"), choices=AdvocacyTarget.choices)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    place = _places()
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FourWForm(ScopedForm):
    activity = forms.CharField(label=_("Activity"), max_length=300)
    place = _places()
    status = forms.ChoiceField(label=_("Status"), choices=FourWStatus.choices)
    start = forms.DateField(label=_("Start"), widget=DATE)
    end = forms.DateField(label=_("End"), required=False, widget=DATE)
    implementing_partner = _orgs(_("Implementing partner"))
    funder = _orgs(_("Funder"))
    plan_action = forms.ModelChoiceField(
        label=_("Plan action"), queryset=Organisation.objects.none(), required=False
    )
    targeted_f = forms.IntegerField(label=_("Girls targeted"), min_value=0, initial=0)
    targeted_m = forms.IntegerField(label=_("Boys targeted"), min_value=0, initial=0)
    reached_f = forms.IntegerField(label=_("Girls reached"), min_value=0, initial=0)
    reached_m = forms.IntegerField(label=_("Boys reached"), min_value=0, initial=0)

    def values(self) -> dict:
        return dict(self.cleaned_data)


class FourWImportForm(forms.Form):
    file = forms.FileField(label=_("4W file (CSV or XLSX, as exported)"))
    dry_run = forms.BooleanField(label=_("Dry run: check every row, save nothing"), required=False)
    accept_rejections = forms.BooleanField(
        label=_("Import even if many rows are rejected or recorded values would be blanked"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is too large (20 MB at most)."))
        return upload


class FourWImportAgainForm(forms.Form):
    accept_rejections = forms.BooleanField(
        label=_("Import even if many rows are rejected or recorded values would be blanked"), required=False
    )


class MeetingForm(ScopedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DATE)
    place = PickerChoiceField("places", label=_("Place"), queryset=Place.objects.none(), required=False)
    participant_organisations = OrganisationMultipleChoiceField(
        label=_("Participating organisations"), required=False
    )
    participants = forms.CharField(
        label=_("Participants (people)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One person per line."),
    )
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    minutes_text = forms.CharField(
        label=_("Minutes (text)"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    minutes_file = forms.FileField(
        label=_("Minutes (document: PDF, Word, photo)"),
        required=False,
        validators=[uploads.validate_document],
    )
    decisions = forms.CharField(
        label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    ALLOWED = (".pdf", ".doc", ".docx", ".odt", ".jpg", ".jpeg", ".png")

    def clean_minutes_file(self):
        upload = self.cleaned_data.get("minutes_file")
        if upload:
            if upload.size > 10 * 1024 * 1024:
                raise forms.ValidationError(_("The file is too large (10 MB at most)."))
            if not upload.name.lower().endswith(self.ALLOWED):
                raise forms.ValidationError(_("Send a PDF, Word, OpenDocument or photo file."))
        return upload


class ActionItemForm(ScopedForm):
    description = forms.CharField(
        label=_("Action"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = _orgs(_("Owner organisation"), required=True)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)


class ItemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionItemStatus.choices)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)


def territory_choices():
    return Place.objects.filter(level=PlaceLevel.TERRITORY, pcode__startswith="CD72").order_by("name")


SEX_LABELS = dict(Sex.choices)


class ChildCaseForm(forms.Form):
    """One child found at a verified alert, to register as a case (identity goes to the cases app)."""

    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("F", _("Girl")), ("M", _("Boy"))])
    estimated_age = forms.IntegerField(
        label=_("Age (years, estimated)"), min_value=0, max_value=17, required=False
    )
    date_of_birth = forms.DateField(label=_("Date of birth (if known)"), required=False, widget=DATE)

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def child_case_formset(extra: int):
    """One empty row per child found; rows left empty are ignored."""
    return forms.formset_factory(ChildCaseForm, extra=min(max(extra, 1), 100), max_num=500)


class AttendanceForm(forms.Form):
    """A training's attendance list, one person per line: name; sex (F or M); phone or service number."""

    people = forms.CharField(
        label=_("People trained, one per line"),
        help_text=_(
            "Name; sex (F or M); phone or service number. Example: Mambwe Kalenga Odette; F; 0990000001"
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=200_000,
    )

    def clean_people(self) -> list[dict]:
        rows = []
        for line in self.cleaned_data["people"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace(",", ";").split(";")]
            parts += [""] * (3 - len(parts))
            rows.append({"full_name": parts[0], "sex": parts[1], "identifier": parts[2]})
        if not rows:
            raise forms.ValidationError(_("Give at least one person."))
        return rows
