from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kinga.core.models import Membership, OrganisationType, Place, PlaceLevel

T = TypeVar("T")


def submit(request, form: forms.Form, save: Callable[[dict], T], *, success: str) -> T | None:
    """A posted form through the service that saves it: what the service returned (and `success` flashed), or
    None while the form or the service refuses it (their errors then on the form, for the page to show again).
    `save` receives the form's cleaned data and must return something (the saved object)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(form.cleaned_data)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return None
    messages.success(request, success)
    return saved


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError shown on the form that fed it: each field's errors under that field, errors
    about fields the form does not have (or about nothing in particular) at the top, so none is lost."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class PlaceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ModelChoiceField(label=_("Parent place"), queryset=Place.objects.none())
    level = forms.TypedChoiceField(
        label=_("Level"), choices=[c for c in PlaceLevel.choices if c[0] >= PlaceLevel.COMMUNE], coerce=int
    )
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9, decimal_places=6)

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    expires_at = forms.DateTimeField(label=_("Expires on (optional)"), required=False)


def _split_aliases(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(";", "\n").splitlines() if line.strip()]


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    acronym = forms.CharField(label=_("Acronym"), max_length=60, required=False)
    type = forms.ChoiceField(label=_("Type"), choices=OrganisationType.choices)
    aliases = forms.CharField(
        label=_("Other names and spellings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line (e.g. SAESCAM for SAESSCAM): imports and searches recognise them."),
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Areas of operation"),
        queryset=Place.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Provinces, territories, towns or communes where the organisation works."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, areas=None, organisation=None, **kwargs):
        if organisation is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": organisation.name,
                "acronym": organisation.acronym,
                "type": organisation.type,
                "aliases": "\n".join(
                    a.alias
                    for a in organisation.aliases.all()
                    if a.alias not in (organisation.name, organisation.acronym)
                ),
                "areas": list(organisation.areas.all()),
                "is_active": organisation.is_active,
            }
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = areas
        if organisation is None:
            del self.fields["is_active"]

    def clean_aliases(self) -> list[str]:
        return _split_aliases(self.cleaned_data.get("aliases", ""))


class MemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=())
    supervisor = forms.ModelChoiceField(
        label=_("Supervisor"),
        queryset=Membership.objects.none(),
        required=False,
        help_text=_("For a caseworker: the supervisor who follows their cases."),
    )

    def __init__(self, *args, roles=(), supervisors=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
        self.fields["supervisor"].queryset = supervisors
        self.fields["supervisor"].label_from_instance = lambda m: m.user.full_name or m.user.email
        if editing:
            del self.fields["email"]
            del self.fields["full_name"]
