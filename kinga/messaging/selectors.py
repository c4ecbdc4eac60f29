"""Reads of the messaging app."""

from __future__ import annotations

from django.db.models import QuerySet

from kinga.core import access
from kinga.core.access import Actor

from .models import InboundMessage, Message, NotificationPreference
from .senders import email_enabled, sms_enabled


def preferences_of(actor: Actor) -> dict:
    """The person's channels as the form shows them, with what the deployment offers and what they lack."""
    preference = NotificationPreference.objects.filter(user=actor.user).first()
    return {
        "by_sms": preference.by_sms if preference else True,
        "by_email": preference.by_email if preference else True,
        "sms_offered": sms_enabled(),
        "email_offered": email_enabled(),
        "has_phone": bool(str(actor.user.phone or "").strip()),
        "has_email": bool(actor.user.email),
    }


def my_messages(actor: Actor, limit: int = 20) -> QuerySet[Message]:
    """The last messages sent to the person (the log: masked address, status; never the text)."""
    return access.scoped(actor, Message).filter(recipient_user=actor.user)[:limit]


def inbound_messages(actor: Actor) -> QuerySet[InboundMessage]:
    """The SMS/USSD messages received, newest first: those not understood first wait for a person to read."""
    access.require(actor, "community.triage")
    return access.scoped(actor, InboundMessage, perm="community.triage").select_related("alert")


def message_log(actor: Actor, *, status: str = "") -> QuerySet[Message]:
    """Every message sent by Kinga (administrators and coordinators): to check that the gateway and the mail
    server deliver. The masked recipient, never the text."""
    access.require(actor, "core.view_audit")
    qs = access.scoped(actor, Message, perm="core.view_audit").select_related("recipient_user")
    return qs.filter(status=status) if status else qs
