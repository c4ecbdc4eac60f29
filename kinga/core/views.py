import base64
import datetime
import uuid

from allauth.account.decorators import reauthentication_required
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from kinga.core import access, audit_display, selectors, services
from kinga.core.auth import has_second_factor, session_passed_second_factor
from kinga.core.forms import (
    ApiTokenForm,
    AuditOrganisationForm,
    PlaceForm,
    ReplaceAuthenticatorForm,
    apply_service_errors,
    form_page,
)
from kinga.core.models import ApiToken, AuditAction, OrganisationType, Place, PlaceLevel
from kinga.core.plugins import home_panels


def set_language(request):
    """Django's language switch, also remembered in the person's profile (for the e-mails they get)."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.set_preferred_language(user=request.user, language=language)
    return response


def health(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request):
    actor = request.actor
    if actor.membership is None:  # a person without any active role: say so instead of a bare 403
        return render(request, "core/home.html", {"panels": []})
    access.require(actor, "core.view_home")
    # The panels of the actor's role, each built by the app that owns the work (kinga.core.plugins); the pages
    # themselves are in the menu.
    return render(request, "core/home.html", {"panels": home_panels(actor)})


@login_required
def places(request):
    actor = request.actor
    q = request.GET.get("q", "").strip()
    parent = None
    if request.GET.get("parent"):
        parent = access.get_object_or_404(actor, Place, uuid=request.GET["parent"])
    qs = selectors.places(actor, q=q, parent=parent if not q else None)
    if not q and parent is None:
        qs = qs.filter(level__lte=PlaceLevel.PROVINCE)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    template = "core/places.html#place-rows" if request.htmx else "core/places.html"
    return render(request, template, {"page": page, "q": q, "parent": parent})


@login_required
def place_add(request):
    actor = request.actor
    access.require(actor, "core.add_place")
    parents = selectors.places(actor).filter(level__gte=PlaceLevel.PROVINCE, level__lt=PlaceLevel.VILLAGE)
    return form_page(
        request,
        PlaceForm(request.POST or None, parents=parents),
        title=_("Add a place"),
        save=lambda data: services.create_place(actor=actor, **data),
        success=lambda place: _("Place “%(name)s” added.") % {"name": place.name},
        done=lambda place: f"{reverse('core:places')}?parent={place.parent.uuid}",
    )


@login_required
def organisations(request):
    actor = request.actor
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("type", "")
    qs = selectors.organisations(actor, q=q, type=kind).prefetch_related("aliases")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/organisations.html",
        {
            "page": page,
            "q": q,
            "type": kind,
            "types": OrganisationType.choices,
            "can_add": actor.has("core.manage_organisations"),
        },
    )


@login_required
def audit_log(request):
    actor = request.actor
    access.require(actor, "core.view_audit")
    filters = {
        key: request.GET.get(key, "").strip()
        for key in (
            "action",
            "target_type",
            "actor_email",
            "target_id",
            "date_from",
            "date_to",
            "organisation",
        )
    }
    query = {k: filters[k] for k in ("action", "target_type", "actor_email", "target_id")}
    errors = []
    for key in ("date_from", "date_to"):
        if filters[key]:
            try:
                query[key] = datetime.date.fromisoformat(filters[key])
            except ValueError:
                errors.append(_("Invalid date: %(value)s (expected YYYY-MM-DD).") % {"value": filters[key]})
    # 4,274 organisations at national scale: the searchable picker, not a <select> of all (a 460 KB page).
    organisation_form = AuditOrganisationForm(
        request.GET, organisations=selectors.organisations(actor), auto_id="%s"
    )
    if organisation_form.is_valid():
        query["organisation"] = organisation_form.cleaned_data["organisation"]
    else:
        errors += organisation_form.organisation_errors()
    events = selectors.audit_events(actor, **query)
    if errors:
        events = events.none()
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit.html",
        {
            "page": page,
            "events": audit_display.describe(page),
            "record_kinds": audit_display.record_kinds(),
            "filters": filters,
            "filter_errors": errors,
            "actions": AuditAction.choices,
            "organisation_form": organisation_form,
        },
        status=400 if errors else 200,
    )


def _uuid_or_none(text: str):
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


@login_required
def profile(request):
    actor = request.actor
    form = ApiTokenForm()
    return render(
        request,
        "core/profile.html",
        {"tokens": selectors.my_tokens(actor), "memberships": selectors.my_memberships(actor), "form": form},
    )


# The secret of the new authenticator app while its replacement is being confirmed (never in a page's form).
_REPLACEMENT_SECRET = "kinga_mfa_replacement_secret"


@login_required
@reauthentication_required(app="allauth.mfa")
def mfa_replace(request):
    """Replace the authenticator app (a new phone): the new app's code confirms it, then the old one stops
    working. Roles that must have a second factor cannot switch it off; this is how they change phones."""
    if not has_second_factor(request.user):
        return redirect("mfa_activate_totp")
    if request.method != "POST" or not request.session.get(_REPLACEMENT_SECRET):
        request.session[_REPLACEMENT_SECRET] = generate_totp_secret()
    secret = request.session[_REPLACEMENT_SECRET]
    adapter = get_mfa_adapter()
    qr = adapter.build_totp_svg(adapter.build_totp_url(request.user, secret))

    def replaced(authenticator):
        request.session.pop(_REPLACEMENT_SECRET, None)
        return reverse("core:profile")

    return form_page(
        request,
        ReplaceAuthenticatorForm(request.POST or None),
        title=_("Replace the authenticator app"),
        intro=_(
            "Scan this QR code with the app on your new phone (or type the secret key into it), then enter "
            "the code it shows. Until then, your current app keeps working; once confirmed, it stops working."
        ),
        back=(reverse("core:profile"), _("My profile")),
        save=lambda data: services.replace_totp(actor=request.actor, secret=secret, code=data["code"]),
        success=_(
            "Authenticator app replaced: only the new one gives codes now. Your recovery codes are unchanged."
        ),
        done=replaced,
        submit_label=_("Replace"),
        template="core/mfa_replace.html",
        context={
            "secret": secret,
            "qr_data_uri": "data:image/svg+xml;base64," + base64.b64encode(qr.encode()).decode(),
        },
    )


@login_required
@require_POST
def token_create(request):
    actor = request.actor
    form = ApiTokenForm(request.POST)
    new_key = None
    if not session_passed_second_factor(request):
        form.add_error(
            None, _("Tokens are created from a session that passed the second factor (authenticator app).")
        )
    elif form.is_valid():
        try:
            _token, new_key = services.create_api_token(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
    return render(
        request,
        "core/profile.html",
        {
            "tokens": selectors.my_tokens(actor),
            "memberships": selectors.my_memberships(actor),
            "form": form,
            "new_key": new_key,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def token_revoke(request, token_uuid):
    actor = request.actor
    token = access.get_object_or_404(actor, ApiToken, uuid=token_uuid)
    services.revoke_api_token(actor=actor, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("core:profile")


@login_required
@require_POST
def switch_membership(request):
    """Choose which of one's memberships (organisation and role) to act in."""
    actor = request.actor
    membership = selectors.my_memberships(actor).filter(uuid=request.POST.get("membership")).first()
    if membership is None:
        messages.error(request, _("Unknown membership."))
    else:
        request.session["kinga_membership"] = membership.pk
    return redirect("core:home")
