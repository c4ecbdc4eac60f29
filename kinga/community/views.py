"""Screens of networks, alerts and triage, and the public anonymous alert form."""

from __future__ import annotations

import uuid

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from kinga.core import access
from kinga.core.access import ANONYMOUS
from kinga.core.forms import apply_service_errors, form_page, submit_and_redirect
from kinga.sites.models import Site

from . import forms, selectors, services
from .models import Alert, AlertStatus, Channel, Network, NetworkMember, Urgency

# ---------------------------------------------------------------------------------------------- home


@login_required
def home(request):
    actor = request.actor
    access.require(actor, "community.view")
    context = {"overdue": selectors.overdue_count(actor)}
    if actor.has("community.triage"):
        context["open_alerts"] = selectors.triage_queue(actor).count()
    if actor.organisation is not None:
        context["my_items"] = selectors.action_items(actor, owner=actor.organisation).count()
    return render(request, "community/home.html", context)


# ---------------------------------------------------------------------------------------------- networks


@login_required
def networks(request):
    actor = request.actor
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.networks(actor, q=q, active=request.GET.get("active", "")), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "community/networks.html", {"page": page, "q": q})


@login_required
@require_http_methods(["GET", "POST"])
def network_add(request):
    actor = request.actor
    access.require(actor, "community.manage_networks")
    form = forms.NetworkForm(request.POST or None, choices={"place": selectors.lualaba_places(actor)})
    return form_page(
        request,
        form,
        title=_("New community network"),
        save=lambda data: services.create_network(actor=actor, **data),
        success=_("Network created."),
        done=lambda network: redirect("community:network", network.uuid),
    )


@login_required
def network_detail(request, uuid):
    actor = request.actor
    network = access.get_object_or_404(actor, Network, uuid=uuid)
    alerts = (
        list(selectors.network_alerts(actor, network))
        if actor.has("community.triage") or actor.has("community.report_alert")
        else []
    )
    return render(
        request,
        "community/network.html",
        {
            "network": network,
            "members": selectors.network_members(actor, network),
            "alerts": alerts,
            "can_manage": actor.has("community.manage_networks"),
            "show_contacts": actor.has("community.manage_networks") or actor.has("community.triage"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def network_edit(request, uuid):
    actor = request.actor
    network = access.get_object_or_404(actor, Network, perm="community.manage_networks", uuid=uuid)
    initial = {
        f: getattr(network, f)
        for f in ("name", "area_kind", "place", "site", "founded_on", "is_active", "notes")
    }
    form = forms.NetworkForm(
        request.POST or None, initial=initial, choices={"place": selectors.lualaba_places(actor)}
    )
    return form_page(
        request,
        form,
        title=_("Edit the network"),
        save=lambda data: services.update_network(actor=actor, network=network, **data),
        success=_("Network updated."),
        done=lambda saved: redirect("community:network", network.uuid),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request, uuid):
    actor = request.actor
    network = access.get_object_or_404(actor, Network, perm="community.manage_networks", uuid=uuid)
    form = forms.MemberForm(
        request.POST or None, choices={"backing_organisation": selectors.active_organisations(actor)}
    )
    return form_page(
        request,
        form,
        title=_("New member of %(network)s") % {"network": network},
        save=lambda data: services.add_member(actor=actor, network=network, **data),
        success=_("Member added."),
        done=lambda saved: redirect("community:network", network.uuid),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, uuid):
    actor = request.actor
    member = access.get_object_or_404(actor, NetworkMember, perm="community.manage_networks", uuid=uuid)
    fields = ("full_name", "sex", "role", "contact", "backing_organisation", "joined_on", "is_active")
    form = forms.MemberForm(
        request.POST or None,
        initial={f: getattr(member, f) for f in fields},
        choices={"backing_organisation": selectors.active_organisations(actor)},
    )
    return form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": member.full_name},
        save=lambda data: services.update_member(actor=actor, member=member, **data),
        success=_("Member updated."),
        done=lambda saved: redirect("community:network", member.network.uuid),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_training_add(request, uuid):
    actor = request.actor
    member = access.get_object_or_404(actor, NetworkMember, perm="community.manage_networks", uuid=uuid)
    form = forms.MemberTrainingForm(
        request.POST or None, choices={"organisation": selectors.active_organisations(actor)}
    )
    return form_page(
        request,
        form,
        title=_("Training received by %(name)s") % {"name": member.full_name},
        save=lambda data: services.add_member_training(actor=actor, member=member, **data),
        success=_("Training recorded."),
        done=lambda saved: redirect("community:network", member.network.uuid),
    )


# ---------------------------------------------------------------------------------------------- alerts


@login_required
def triage(request):
    actor = request.actor
    access.require(actor, "community.triage")
    status = request.GET.get("status", "open")
    urgency = request.GET.get("urgency", "")
    overdue = request.GET.get("overdue") == "1"
    failed = request.GET.get("failed") == "1"
    qs = selectors.triage_queue(actor, status=status, urgency=urgency, overdue=overdue, failed=failed)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "community/triage.html",
        {
            "page": page,
            "status": status,
            "urgency": urgency,
            "overdue": overdue,
            "failed": failed,
            "statuses": AlertStatus.choices,
            "urgencies": Urgency.choices,
            "overdue_count": selectors.overdue_count(actor),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_add(request):
    actor = request.actor
    access.require(actor, "community.report_alert")
    # From an inspection that found children (its page's link): the site and the counts, as initial values.
    initial = {name: request.GET[name] for name in forms.AlertForm.base_fields if name in request.GET}
    if request.GET.get("site"):
        site = access.scoped(actor, Site).filter(uuid=_uuid_or_none(request.GET["site"])).first()
        initial["site"] = site.code if site else ""
    form = forms.AlertForm(
        request.POST or None, choices={"place": selectors.lualaba_places(actor)}, initial=initial
    )

    def receive(data) -> Alert:
        alert, _created = services.receive_alert(
            actor=actor,
            channel=Channel.PHONE if data["channel"] == "phone" else Channel.WEB,
            payload=form.payload(),
            reporter_contact=data.get("reporter_contact", ""),
        )
        return alert

    def done(alert: Alert) -> str:
        if actor.has("community.triage"):
            return reverse("community:alert", args=[alert.uuid])
        return reverse("community:alert_add")

    return form_page(
        request,
        form,
        title=_("Report an alert"),
        intro=_("Children seen at a mine site or at risk. Do not write any child's name here."),
        submit_label=_("Send the alert"),
        template="community/alert_form.html",
        save=receive,
        success=lambda alert: _("Alert %(ref)s recorded.") % {"ref": alert.reference},
        done=done,
    )


def _alert(request, uuid, perm="community.triage") -> Alert:
    return access.get_object_or_404(request.actor, Alert, perm=perm, uuid=uuid)


@login_required
def alert_detail(request, uuid):
    actor = request.actor
    alert = _alert(request, uuid)
    group = selectors.group_alerts(actor, alert)
    context = {
        "alert": alert,
        "children": selectors.alert_children(alert),
        "group": group,
        "verification_form": forms.VerificationForm(
            initial={"children_found": alert.children_count, "version": alert.version}
        ),
        "close_form": forms.CloseAlertForm(group=group, initial={"version": alert.version}),
        "refer_form": forms.ReferForm(
            choices={"to": selectors.active_organisations(actor).exclude(pk=alert.organisation_id or -1)},
            initial={"version": alert.version},
        ),
        "repair_form": forms.RepairAlertForm(
            choices={"place": selectors.lualaba_places(actor)}, initial={"version": alert.version}
        )
        if alert.processing_error
        else None,
        "feedback": selectors.feedback_for(alert),
        "cases": selectors.alert_cases(actor, alert),
        "can_register": actor.has("cases.register"),
        "still_to_register": selectors.children_to_register(alert),
        "reporter_contact": alert.reporter_contact if actor.sees_identities else "",
    }
    return render(request, "community/alert.html", context)


def _alert_page(alert: Alert) -> str:
    return reverse("community:alert", args=[alert.uuid])


@login_required
@require_POST
def alert_start(request, uuid):
    alert = _alert(request, uuid)
    try:
        services.start_verification(
            actor=request.actor, alert=alert, version=request.POST.get("version") or None
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You are verifying this alert."))
    return redirect("community:alert", alert.uuid)


@login_required
@require_POST
def alert_verify(request, uuid):
    actor, alert = request.actor, _alert(request, uuid)
    return submit_and_redirect(
        request,
        forms.VerificationForm(request.POST),
        lambda d: services.record_verification(actor=actor, alert=alert, **d),
        success=_("Visit recorded."),
        back=_alert_page(alert),
    )


@login_required
@require_POST
def alert_close(request, uuid):
    actor, alert = request.actor, _alert(request, uuid)
    return submit_and_redirect(
        request,
        forms.CloseAlertForm(request.POST, group=selectors.group_alerts(actor, alert)),
        lambda d: services.close_alert(actor=actor, alert=alert, **d),
        success=_("Alert closed."),
        back=_alert_page(alert),
    )


@login_required
@require_POST
def alert_refer(request, uuid):
    actor, alert = request.actor, _alert(request, uuid)
    return submit_and_redirect(
        request,
        forms.ReferForm(request.POST, choices={"to": selectors.active_organisations(actor)}),
        lambda d: services.refer_alert(actor=actor, alert=alert, **d),
        success=_("Alert referred."),
        back=_alert_page(alert),
    )


@login_required
@require_POST
def alert_repair(request, uuid):
    actor, alert = request.actor, _alert(request, uuid)
    form = forms.RepairAlertForm(request.POST, choices={"place": selectors.lualaba_places(actor)})
    return submit_and_redirect(
        request,
        form,
        lambda d: services.reprocess_alert(
            actor=actor, alert=alert, corrections=form.corrections(), version=d.get("version")
        ),
        success=_("Alert completed."),
        back=_alert_page(alert),
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_register(request, uuid):
    """Register the children found at a verified alert as cases, linked to the alert."""
    actor = request.actor
    access.require(actor, "cases.register")
    alert = _alert(request, uuid)
    already = alert.case_links.count()
    expected = max((alert.children_found or alert.children_count) - already, 1)
    formset = forms.child_case_formset(expected)(request.POST or None, prefix="children")
    if request.method == "POST" and formset.is_valid():
        filled = [f for f in formset.forms if f.has_changed()]
        children = [f.values() for f in filled]
        try:
            cases = services.register_children(actor=actor, alert=alert, children=children)
        except ValidationError as exc:
            _formset_errors(filled or formset.forms, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)d child registered as a case from alert %(ref)s.",
                    "%(n)d children registered as cases from alert %(ref)s.",
                    len(cases),
                )
                % {"n": len(cases), "ref": alert.reference},
            )
            return redirect("community:alert", alert.uuid)
    return render(
        request,
        "community/alert_register.html",
        {"alert": alert, "formset": formset, "already": already},
        status=400 if request.method == "POST" else 200,
    )


def _formset_errors(forms_sent: list, exc: ValidationError) -> None:
    """Errors keyed "children-<i>-<field>" (i: position among the children sent) on the right row."""
    for key, errors in exc.message_dict.items():
        parts = key.split("-")
        if (
            parts[0] == "children"
            and len(parts) >= 2
            and parts[1].isdigit()
            and int(parts[1]) < len(forms_sent)
        ):
            form = forms_sent[int(parts[1])]
            field = parts[2] if len(parts) > 2 and parts[2] in form.fields else None
            form.add_error(field, errors)
        else:
            forms_sent[0].add_error(None, errors)


# ---------------------------------------------------------------------------------------------- public form

PUBLIC_MAX_BODY = 20_000  # bytes: the form is small; anything bigger is not a person typing


def _client_address(request) -> str:
    """The reporter's address: behind the reverse proxy, the one it forwards, read with the trusted proxy
    count configured for django-axes (KINGA_PROXY_COUNT), never the proxy's own address that every reporter
    would share."""
    return get_client_ip_address(request) or "unknown"


def _count(key: str, window: int) -> int:
    """A fixed-window counter in the shared cache (the same count for every worker and server)."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def public_alert(request):
    """Anyone may report children at risk, without an account. The page shows nothing from the database
    beyond the list of territories, and answers only with the alert's follow-up code."""
    territories = forms.territory_choices()
    if request.method == "POST":
        if int(request.META.get("CONTENT_LENGTH") or 0) > PUBLIC_MAX_BODY:
            return HttpResponse(
                _("The form is too large."), status=413, content_type="text/plain; charset=utf-8"
            )
        form = forms.PublicAlertForm(request.POST, territories=territories)
        # One client over its own limit is refused, with its form kept on the page to send later; everyone
        # else still gets through. Over the province-wide ceiling (a flood from many addresses), alerts are
        # still accepted, marked to be triaged after the others.
        limit, window = settings.KINGA_PUBLIC_ALERT_RATE
        if _count(f"community:rate:alert:{_client_address(request)}", window) > limit:
            return render(request, "community/public_alert.html", {"form": form, "limited": True}, status=429)
        if form.is_robot():
            # Answer as if accepted: a robot learns nothing. Nothing is stored.
            return render(request, "community/public_thanks.html", {"code": None}, status=200)
        if form.is_valid():
            d = form.cleaned_data
            payload = {
                "place": d["territory"].pcode,
                "site_name": d.get("site_name", ""),
                "location_text": " — ".join(x for x in (d.get("site_name", ""), d["location_text"]) if x),
                "observed_at": d["observed_on"].isoformat() if d.get("observed_on") else "",
                "children": form.children_rows(),
                "activity": d.get("activity", ""),
                "urgency": d.get("urgency", ""),
                "description": d.get("description", ""),
                # The language the reporter chose: the outcome sent to their number is written in it.
                "language": get_language(),
            }
            site = selectors.public_site_match(d["territory"], d.get("site_name", ""))
            if site is not None:
                payload["site"] = site.code
            ceiling, ceiling_window = settings.KINGA_PUBLIC_ALERT_CEILING
            try:
                alert, _created = services.receive_alert(
                    actor=ANONYMOUS,
                    channel=Channel.PUBLIC_WEB,
                    payload=payload,
                    reporter_contact=d.get("reporter_contact", ""),
                    held_for_triage=_count("community:rate:alert:province", ceiling_window) > ceiling,
                )
            except ValidationError as exc:
                # The form mirrors the service's rules; should they ever differ, the reporter sees why, with
                # what was typed still in the form, rather than an error page that loses the alert.
                apply_service_errors(form, exc)
            else:
                return render(
                    request, "community/public_thanks.html", {"code": alert.feedback_code}, status=201
                )
        return render(request, "community/public_alert.html", {"form": form}, status=400)
    return render(
        request, "community/public_alert.html", {"form": forms.PublicAlertForm(territories=territories)}
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def public_followup(request):
    """The reporter's follow-up: a code in, the outcome out; no child, no name, no place detail."""
    feedback = None
    code = ""
    if request.method == "POST":
        if _count(f"community:rate:followup:{_client_address(request)}", 600) > 20:
            return render(request, "community/public_followup.html", {"limited": True}, status=429)
        code = request.POST.get("code", "")[:40]
        feedback = selectors.feedback_by_code(code)
        if feedback is None:
            messages.error(request, _("No alert has this code. Check it and try again."))
    return render(request, "community/public_followup.html", {"feedback": feedback, "code": code})


def reverse_alert(alert: Alert) -> str:
    return reverse("community:alert", args=[alert.uuid])


def _uuid_or_none(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
