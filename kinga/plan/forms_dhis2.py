"""Forms of the DHIS2 link: the settings, one mapping row at a time, the export and the push of a period."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kinga.core import periods
from kinga.plan.models import Disaggregation


class PeriodField(forms.CharField):
    """A period as DHIS2 writes it (2026Q3, 2026, 202609), cleaned into a kinga.core.periods.Period."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Period"))
        kwargs.setdefault("help_text", _("A quarter (2026Q3), a year (2026) or a month (202609)."))
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        try:
            return periods.parse(text)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class Dhis2SettingsForm(forms.Form):
    data_set = forms.CharField(label=_("Data set (identifier)"), max_length=11, required=False)
    data_set_code = forms.CharField(label=_("Data set (code, for ADX)"), max_length=50, required=False)
    attribute_option_combo = forms.CharField(
        label=_("Attribute option combination (identifier)"), max_length=11, required=False
    )
    adx_sex_category = forms.CharField(
        label=_("Code of the sex category (ADX)"), max_length=50, initial="SEX"
    )
    adx_age_category = forms.CharField(
        label=_("Code of the age category (ADX)"), max_length=50, initial="AGE_GROUP"
    )
    server_url = forms.URLField(
        label=_("Address of the DHIS2 instance"), required=False, assume_scheme="https"
    )
    username = forms.CharField(label=_("DHIS2 user name"), max_length=100, required=False)
    password = forms.CharField(
        label=_("DHIS2 password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored password."),
    )

    def clean_password(self):
        return self.cleaned_data["password"] or None


class DataElementForm(forms.Form):
    uid = forms.CharField(label=_("Data element (identifier)"), max_length=11)
    code = forms.CharField(label=_("Data element (code, for ADX)"), max_length=50)
    disaggregation = forms.ChoiceField(label=_("Disaggregation in DHIS2"), choices=Disaggregation.choices)


class OrgUnitForm(forms.Form):
    place = forms.ModelChoiceField(label=_("Place"), queryset=None)
    uid = forms.CharField(label=_("Organisation unit (identifier)"), max_length=11)
    code = forms.CharField(label=_("Organisation unit (code, for ADX)"), max_length=50)

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places


SEXES = [("", _("All")), ("F", _("Girls")), ("M", _("Boys"))]
AGE_BANDS = [("", _("All")), ("0-4", "0–4"), ("5-11", "5–11"), ("12-14", "12–14"), ("15-17", "15–17")]


class CategoryOptionComboForm(forms.Form):
    sex = forms.ChoiceField(label=_("Sex"), choices=SEXES, required=False)
    age_band = forms.ChoiceField(label=_("Age band"), choices=AGE_BANDS, required=False)
    uid = forms.CharField(label=_("Category option combination (identifier)"), max_length=11)
    adx_sex_code = forms.CharField(label=_("Code of the sex option (ADX)"), max_length=50, required=False)
    adx_age_code = forms.CharField(label=_("Code of the age option (ADX)"), max_length=50, required=False)


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("dhis2", _("DHIS2 (JSON)")), ("adx", _("ADX (XML)")), ("hxl", _("HXL (CSV)"))],
    )
    period = PeriodField()


class PushForm(forms.Form):
    period = PeriodField()
