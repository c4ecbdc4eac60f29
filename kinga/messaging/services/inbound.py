"""Coded alerts received by SMS or USSD: kept first, then turned into an alert through the community app's
services (the same checks as the public form), answered in the sender's language with the tracking code."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kinga.community import services as community_services
from kinga.community.models import Alert
from kinga.community.models import Channel as AlertChannel
from kinga.community.selectors import feedback_by_code
from kinga.core.actors import system_actor
from kinga.sites.models import Site

from .. import parsing, texts
from ..gateways import Incoming
from ..models import InboundMessage, InboundStatus


@dataclass
class Reply:
    text: str
    language: str
    status: str
    code: str = ""


def _site_code(ref: str) -> str:
    """A site as people write it in an SMS: its full code, or the number that ends it ("123" for
    codmine00123) when exactly one site has it."""
    if not ref or Site.objects.filter(code__iexact=ref).exists():
        return ref
    if ref.isdigit():
        matches = list(
            Site.objects.filter(code__iregex=rf"^[a-z]+0*{int(ref)}$").values_list("code", flat=True)[:2]
        )
        if len(matches) == 1:
            return matches[0]
    return ref


def _example() -> str:
    return _("ALERT site 123, 3 children, urgent")


def _answer(inbound: InboundMessage, alert: Alert | None) -> Reply:
    with translation.override(inbound.language):
        if inbound.status == InboundStatus.ALERT and alert is not None:
            text = _("Kinga: alert received, thank you. Your tracking code: %(code)s") % {
                "code": alert.feedback_code
            }
        elif inbound.status == InboundStatus.INCOMPLETE and alert is not None:
            text = _(
                "Kinga: message kept (code %(code)s) but not fully understood; a social worker will check it. "
                "Next time write for example: %(example)s"
            ) % {"code": alert.feedback_code, "example": _example()}
        else:
            text = _(
                "Kinga: message not understood. To report children at a mine site write for example: %(example)s"
            ) % {"example": _example()}
    return Reply(
        text=text,
        language=inbound.language,
        status=inbound.status,
        code=alert.feedback_code if alert is not None else "",
    )


def _follow_up(parsed: parsing.Parsed) -> Reply:
    with translation.override(parsed.language):
        feedback = feedback_by_code(parsed.follow_up_code)
        if feedback is None:
            text = _("Kinga: no alert has this code. Check it and try again.")
        else:
            text = _("Kinga, alert %(code)s: %(status)s. %(message)s") % {
                "code": parsed.follow_up_code,
                "status": feedback.status,
                "message": feedback.message,
            }
    return Reply(text=text, language=parsed.language, status="follow_up")


def receive_sms(*, incoming: Incoming) -> Reply:
    """Keep the message, make the alert (or keep it for a person to read), and say what to answer.

    A message already received (the gateway's id seen before) gets the same answer and creates nothing."""
    if incoming.external_id:
        seen = InboundMessage.objects.filter(external_id=incoming.external_id).select_related("alert").first()
        if seen is not None:
            return _answer(seen, seen.alert)
    parsed = parsing.parse(incoming.text)
    if parsed.follow_up_code and re.fullmatch(r"[A-Z0-9]{6,20}", parsed.follow_up_code):
        return _follow_up(parsed)
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(
                gateway_format=incoming.gateway_format,
                channel=incoming.channel,
                external_id=incoming.external_id,
                sender=incoming.sender[:40],
                sender_masked=texts.mask_address(incoming.sender),
                text=incoming.text[:2000],
                language=parsed.language,
                status=InboundStatus.UNREADABLE,
            )
    except IntegrityError:  # the same message delivered twice at once
        seen = InboundMessage.objects.select_related("alert").get(external_id=incoming.external_id)
        return _answer(seen, seen.alert)
    alert = None
    if parsed.has_keyword or parsed.understood:
        payload = parsed.payload(incoming.text)
        if parsed.site:
            payload["site"] = _site_code(parsed.site)
        alert, _created = community_services.receive_alert(
            actor=system_actor(),
            channel=AlertChannel.USSD if incoming.channel == "ussd" else AlertChannel.SMS,
            payload=payload,
            external_id=incoming.external_id,
            reporter_contact=incoming.sender[:40],
        )
        alert.refresh_from_db()
        inbound.alert = alert
        inbound.status = InboundStatus.INCOMPLETE if alert.processing_error else InboundStatus.ALERT
        inbound.save(update_fields=["alert", "status"])
    return _answer(inbound, alert)
