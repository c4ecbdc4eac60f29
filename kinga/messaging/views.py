"""The person's notification channels, and the SMS/USSD gateway's webhook."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from kinga.core.forms import form_page

from . import forms, gateways, selectors, services, texts
from .models import MessageStatus

WEBHOOK_MAX_BODY = 20_000  # bytes: one SMS and its envelope


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    actor = request.actor
    current = selectors.preferences_of(actor)
    form = forms.PreferencesForm(
        request.POST or None, initial={"by_sms": current["by_sms"], "by_email": current["by_email"]}
    )
    return form_page(
        request,
        form,
        title=_("My notifications"),
        intro=_(
            "Kinga tells you by SMS or e-mail when an urgent alert arrives in your territory, when a case is "
            "assigned to you and when a referral waits too long for your answer. No message ever contains a "
            "child's name: only case numbers, site codes and links."
        ),
        save=lambda data: services.save_preferences(actor=actor, **data),
        success=_("Your choice is saved."),
        done=lambda saved: redirect("messaging:preferences"),
        template="messaging/preferences.html",
        context={
            **current,
            "messages_sent": selectors.my_messages(actor),
            "labels": texts.labels(),
        },
    )


@login_required
def inbound(request):
    """The SMS/USSD messages received: what each became (an alert, one to complete, or not understood) and,
    for those not understood, their text for a person to read and act on."""
    page = Paginator(selectors.inbound_messages(request.actor), 30).get_page(request.GET.get("page"))
    return render(request, "messaging/inbound.html", {"page": page})


@login_required
def log(request):
    """The log of every message sent (administrators and coordinators): status, attempts, last error."""
    status = request.GET.get("status", "")
    status = status if status in MessageStatus.values else ""
    page = Paginator(selectors.message_log(request.actor, status=status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "messaging/log.html",
        {"page": page, "status": status, "statuses": MessageStatus.choices, "labels": texts.labels()},
    )


def _token_ok(request) -> bool:
    expected = settings.KINGA_SMS_INBOUND_TOKEN
    if not expected:
        return False
    header = request.headers.get("Authorization", "")
    given = header.split(" ", 1)[1] if " " in header else request.headers.get("X-Kinga-Token", "")
    given = given or request.GET.get("token", "")
    return hmac.compare_digest(given.strip().encode(), expected.encode())


@csrf_exempt
@require_POST
def sms_webhook(request):
    """RapidPro/TextIt flows (JSON) or a plain gateway (key=value) post the message; the answer is the reply
    to send back: JSON {"reply", "code", "status", "language"} to a flow, the text itself to a plain gateway
    ("END …" to a USSD session)."""
    if not _token_ok(request):
        return HttpResponse(
            _("Wrong or missing token."), status=403, content_type="text/plain; charset=utf-8"
        )
    if int(request.META.get("CONTENT_LENGTH") or 0) > WEBHOOK_MAX_BODY:
        return HttpResponse(
            _("The message is too large."), status=413, content_type="text/plain; charset=utf-8"
        )
    channel = "ussd" if request.GET.get("channel") == "ussd" else "sms"
    content_type = request.content_type or ""
    if content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse({"error": _("The body is not valid JSON.")}, status=400)
        if not isinstance(data, dict):
            return JsonResponse({"error": _("The body is not valid JSON.")}, status=400)
        incoming = gateways.from_rapidpro(data, channel=channel)
    elif content_type == "text/plain":
        incoming = gateways.from_plain(
            gateways.parse_plain_body(request.body.decode("utf-8", "replace")), channel
        )
    else:
        incoming = gateways.from_plain(request.POST, channel=channel)
    reply = services.receive_sms(incoming=incoming)
    if incoming.gateway_format == "rapidpro":
        return JsonResponse(
            {"reply": reply.text, "code": reply.code, "status": reply.status, "language": reply.language}
        )
    text = f"END {reply.text}" if incoming.channel == "ussd" else reply.text
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
