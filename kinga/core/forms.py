"""Forms of the core screens, and the one way every app shows a form page (`form_page`, `core/form_page.html`)
or takes a small form posted from another page (`submit_and_redirect`)."""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from kinga.core.models import Membership, OrganisationType, Place, PlaceLevel
from kinga.core.organisation_fields import OrganisationChoiceField

T = TypeVar("T")


def form_page(
    request,
    form: forms.Form,
    *,
    title: str = "",
    save: Callable[[dict], T],
    success: str | Callable[[T], str],
    done: Callable[[T], str | HttpResponse],
    intro: str = "",
    back: tuple[str, str] | None = None,
    cancel: str | None = None,
    submit_label: str | None = None,
    template: str = "core/form_page.html",
    context: dict | None = None,
    page: Callable[[forms.Form], HttpResponse] | None = None,
) -> HttpResponse:
    """The one form page of every app: a GET shows `form`; a POST hands its cleaned data to `save` (the service
    call), then flashes `success` and goes where `done(saved)` says (a URL, or a response of its own); while the
    form or the service refuses, the page again with each error on its field, status 400, nothing typed lost.

    `title` is the heading, `intro` a paragraph under it, `back` a (url, label) link above the form, `cancel` the
    URL of a Cancel link, `submit_label` the button ("Save" by default). A page that needs more than the fields
    (a grid of counts) names its own `template`, which extends core/form_page.html and fills `{% block fields %}`;
    `context` adds what that template needs. One form per page: a page with two forms is two views.

    A page that shows more than one form (an activity's progress and its revision; a list of rates and the form
    to add one) passes `page`: the function that renders that page with `form` in its place, the first time and
    again (status 400) while the form is refused; `title` and the other keywords about the page then go unused.
    Each of its forms posts to its own small view.
    """
    saved = submit(request, form, save, success=success)
    if saved is not None:
        target = done(saved)
        return target if isinstance(target, HttpResponse) else redirect(target)
    if page is not None:
        response = page(form)
        response.status_code = 400 if form.errors else 200
        return response
    page = {
        "form": form,
        "title": title,
        "intro": intro,
        "back": back,
        "cancel": cancel,
        "submit_label": submit_label or _("Save"),
        **(context or {}),
    }
    return render(request, template, page, status=400 if form.errors else 200)


def submit_and_redirect(
    request,
    form: forms.Form,
    save: Callable[[dict], object],
    *,
    success: str,
    back: str,
    refused: str | None = None,
) -> HttpResponse:
    """A small form posted from the page that shows it (a button, a date, a file on a record's page), then back
    to that page: `save` receives the form's cleaned data and calls the service; `success` is flashed, or each
    message of the service's ValidationError as an error. A form that does not validate flashes `refused` when
    given, else each of its own errors. `back` is where to go either way (a URL, or a URL name without
    arguments, as redirect() takes it). The errors are flashed, not shown on fields: the page that shows the
    form is another view's. A page that is a form of its own uses form_page instead."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(request, success)
    elif refused is not None:
        messages.error(request, refused)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(back)


def submit(
    request, form: forms.Form, save: Callable[[dict], T], *, success: str | Callable[[T], str]
) -> T | None:
    """A posted form through the service that saves it: what the service returned (and `success` flashed), or
    None while the form or the service refuses it (their errors then on the form, for the page to show again).
    `save` receives the form's cleaned data and must return something (the saved object); `success` is the
    message, or a function of the saved object that gives it. Views that are a plain form page use form_page."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(form.cleaned_data)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return None
    messages.success(request, success(saved) if callable(success) else success)
    return saved


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError shown on the form that fed it: each field's errors under that field, errors
    about fields the form does not have (or about nothing in particular) at the top, so none is lost."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            # A hidden field (the record's version...) cannot show its error: the top of the form does.
            shown = field in form.fields and not form.fields[field].widget.is_hidden
            form.add_error(field if shown else None, errors)
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


class ReplaceAuthenticatorForm(forms.Form):
    code = forms.CharField(
        label=_("Code shown by the new app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    expires_at = forms.DateTimeField(label=_("Expires on (optional)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_at"].help_text = _(
            "A token lives at most %(days)d days: a later date, or none, gives that maximum."
        ) % {"days": settings.KINGA_API_TOKEN_MAX_DAYS}


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


class AuditOrganisationForm(forms.Form):
    """The audit trail's organisation filter (a GET form: the searchable picker, its id `organisation`)."""

    organisation = OrganisationChoiceField(
        to_field_name="uuid", required=False, empty_label=_("All organisations"), label=_("Organisation")
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def organisation_errors(self) -> list[str]:
        """What to say of a filter that is not valid: the search's answer (« Chercher » without JavaScript),
        else that no such organisation exists (a mistyped or foreign uuid in the address)."""
        if self.fields["organisation"].widget.search_text:
            return list(self.errors["organisation"])
        return [str(_("Unknown organisation."))]
