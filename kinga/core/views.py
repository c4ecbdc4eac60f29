from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinga.core import access, selectors, services
from kinga.core.forms import ApiTokenForm, PlaceForm
from kinga.core.models import ApiToken, AuditAction, OrganisationType, Place, PlaceLevel
from kinga.core.plugins import nav_items


def health(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request):
    actor = request.actor
    access.require(actor, "core.view_home")
    tiles = [item for item in nav_items() if item.url_name != "core:home" and actor.has(item.permission)]
    return render(request, "core/home.html", {"tiles": tiles})


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
    form = PlaceForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        try:
            place = services.create_place(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Place “%(name)s” added.") % {"name": place.name})
            return redirect(f"{_url('core:places')}?parent={place.parent.uuid}")
    return render(request, "core/place_form.html", {"form": form}, status=400 if form.errors else 200)


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
        {"page": page, "q": q, "type": kind, "types": OrganisationType.choices},
    )


@login_required
def audit_log(request):
    actor = request.actor
    filters = {
        "action": request.GET.get("action", ""),
        "target_type": request.GET.get("target_type", ""),
        "actor_email": request.GET.get("actor_email", ""),
        "target_id": request.GET.get("target_id", ""),
    }
    page = Paginator(selectors.audit_events(actor, **filters), 50).get_page(request.GET.get("page"))
    return render(
        request, "core/audit.html", {"page": page, "filters": filters, "actions": AuditAction.choices}
    )


@login_required
def profile(request):
    actor = request.actor
    form = ApiTokenForm()
    return render(
        request,
        "core/profile.html",
        {"tokens": selectors.my_tokens(actor), "memberships": selectors.my_memberships(actor), "form": form},
    )


@login_required
@require_POST
def token_create(request):
    actor = request.actor
    form = ApiTokenForm(request.POST)
    new_key = None
    if form.is_valid():
        try:
            _token, new_key = services.create_api_token(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
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


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)
