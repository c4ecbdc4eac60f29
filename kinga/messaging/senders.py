"""Where a message goes out: an SMS gateway's JSON HTTP API, Django's mail, or the log (development).

KINGA_SMS_BACKEND chooses the SMS sender (`console`, `http`, `disabled`); e-mail always goes through Django's
mail backend (EMAIL_URL). A sender returns the provider's reference or raises DeliveryError, saying whether
trying again later may help (a timeout, a 5xx, a 429) or not (a refused number, a wrong token)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10


class DeliveryError(Exception):
    def __init__(self, message: str, *, temporary: bool):
        super().__init__(message)
        self.temporary = temporary


@dataclass
class Outgoing:
    channel: str
    to: str
    subject: str
    body: str
    reference: str  # the message's uuid: the gateway may echo it back


# What the console sender wrote, for the development server's log and the tests' scans of every message sent.
console_outbox: list[Outgoing] = []


def send_console(message: Outgoing) -> str:
    console_outbox.append(message)
    log.info("SMS (console) %s: %s", message.reference, message.body)
    return f"console-{len(console_outbox)}"


def send_http(message: Outgoing) -> str:
    """A generic JSON gateway: POST {"to", "text", "from", "reference"} with a bearer token; 2xx is accepted
    (its JSON "id", if any, kept as the provider's reference)."""
    url = settings.KINGA_SMS_GATEWAY_URL
    if not url:
        raise ImproperlyConfigured("KINGA_SMS_BACKEND=http needs KINGA_SMS_GATEWAY_URL")
    headers = {"Accept": "application/json"}
    if settings.KINGA_SMS_GATEWAY_TOKEN:
        headers["Authorization"] = f"Bearer {settings.KINGA_SMS_GATEWAY_TOKEN}"
    body = {
        "to": message.to,
        "text": message.body,
        "from": settings.KINGA_SMS_SENDER_ID,
        "reference": message.reference,
    }
    try:
        response = httpx.post(url, json=body, headers=headers, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        raise DeliveryError(
            _("gateway unreachable (%(error)s)") % {"error": type(exc).__name__}, temporary=True
        ) from None
    if response.status_code >= 300:
        temporary = response.status_code >= 500 or response.status_code in (408, 429)
        raise DeliveryError(
            _("the gateway answered HTTP %(status)d") % {"status": response.status_code}, temporary=temporary
        )
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    return str(answer.get("id", "") if isinstance(answer, dict) else "")[:100]


def send_email(message: Outgoing) -> str:
    try:
        EmailMessage(
            subject=message.subject,
            body=message.body,
            to=[message.to],
            from_email=settings.DEFAULT_FROM_EMAIL,
        ).send(fail_silently=False)
    except OSError as exc:  # SMTP server unreachable, refused: try again later
        raise DeliveryError(
            _("mail server error (%(error)s)") % {"error": type(exc).__name__}, temporary=True
        ) from None
    return ""


SMS_SENDERS = {"console": send_console, "http": send_http}


def send(message: Outgoing) -> str:
    if message.channel == "email":
        return send_email(message)
    sender = SMS_SENDERS.get(settings.KINGA_SMS_BACKEND)
    if sender is None:
        if settings.KINGA_SMS_BACKEND == "disabled":
            raise DeliveryError(_("SMS are not sent by this installation."), temporary=False)
        raise ImproperlyConfigured(f"Unknown KINGA_SMS_BACKEND {settings.KINGA_SMS_BACKEND!r}")
    return sender(message)


def sms_enabled() -> bool:
    return "sms" in settings.KINGA_NOTIFICATION_CHANNELS and settings.KINGA_SMS_BACKEND != "disabled"


def email_enabled() -> bool:
    return "email" in settings.KINGA_NOTIFICATION_CHANNELS
