"""Outgoing messages: queued (one row per recipient and channel), sent by a task, tried again with backoff.

A message is queued when the writer's transaction commits (nothing is sent for a write that rolled back),
then the task `deliver_message` sends it. A temporary failure (gateway down, 5xx, 429) is tried again after
KINGA_MESSAGE_RETRY_SECONDS × 1, 2, 4…, at most KINGA_MESSAGE_MAX_ATTEMPTS times: by the task backend's own
deferral when it has one (the database backend), otherwise by `kinga messages send-due` (a timer)."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django_tasks import default_task_backend

from kinga.core import clock
from kinga.core.models import User

from .. import senders, tasks, texts
from ..models import Channel, Message, MessageStatus, NotificationPreference

log = logging.getLogger(__name__)


def channels_for(user: User) -> list[str]:
    """The channels this person chose among those the deployment offers, each only with an address."""
    preference = NotificationPreference.objects.filter(user=user).first()
    chosen = []
    if (preference is None or preference.by_sms) and senders.sms_enabled() and str(user.phone or "").strip():
        chosen.append(Channel.SMS)
    if (preference is None or preference.by_email) and senders.email_enabled() and user.email:
        chosen.append(Channel.EMAIL)
    return chosen


def _queue(
    *,
    channel: str,
    address: str,
    template_key: str,
    params: dict[str, Any],
    dedupe_key: str,
    language: str,
    user: User | None = None,
) -> Message | None:
    key = f"{dedupe_key}:{channel}"[:200]
    if Message.objects.filter(dedupe_key=key).exists():
        return None
    try:
        with transaction.atomic():
            message = Message.objects.create(
                template_key=template_key,
                params=params,
                language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
                channel=channel,
                recipient_user=user,
                recipient_masked=texts.mask_address(address),
                address=address,
                dedupe_key=key,
            )
    except IntegrityError:  # the same trigger queued at the same moment elsewhere
        return None
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _enqueue(message_id: int, run_after: datetime.datetime | None = None) -> None:
    task = tasks.deliver_message
    if run_after is not None:
        task = task.using(run_after=run_after)
    task.enqueue(message_id=message_id)


def notify_user(*, user: User, template_key: str, params: dict[str, Any], dedupe_key: str) -> list[Message]:
    """Queue a message to a Kinga user on each channel they chose (in their language)."""
    if not user.is_active or user.is_system:
        return []
    queued = []
    for channel in channels_for(user):
        address = str(user.phone).strip() if channel == Channel.SMS else user.email
        message = _queue(
            channel=channel,
            address=address,
            template_key=template_key,
            params=params,
            dedupe_key=f"{dedupe_key}:u{user.pk}",
            language=user.preferred_language,
            user=user,
        )
        if message is not None:
            queued.append(message)
    return queued


def notify_address(
    *, address: str, template_key: str, params: dict[str, Any], dedupe_key: str, language: str = "fr"
) -> Message | None:
    """Queue a message to a phone number (SMS) or an e-mail address of someone without an account."""
    address = str(address or "").strip()
    if not address:
        return None
    channel = Channel.EMAIL if "@" in address else Channel.SMS
    if (channel == Channel.SMS and not senders.sms_enabled()) or (
        channel == Channel.EMAIL and not senders.email_enabled()
    ):
        return None
    return _queue(
        channel=channel,
        address=address,
        template_key=template_key,
        params=params,
        dedupe_key=dedupe_key,
        language=language,
    )


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.KINGA_MESSAGE_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def deliver(*, message_id: int) -> str:
    """One attempt at sending a queued message; returns its status. Called by the task."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status not in (MessageStatus.QUEUED, MessageStatus.RETRYING):
            return message.status if message is not None else "missing"
        subject, body = texts.render(message.template_key, message.params, message.language)
        outgoing = senders.Outgoing(
            channel=message.channel,
            to=str(message.address),
            subject=subject,
            body=body,
            reference=str(message.uuid),
        )
        message.attempts += 1
        now = clock.now()
        retry_at = None
        try:
            # The log's error reads in the default language, whoever's worker sends it.
            with translation.override(settings.LANGUAGE_CODE):
                message.provider_reference = senders.send(outgoing)
        except senders.DeliveryError as exc:
            message.last_error = str(exc)[:300]
            if exc.temporary and message.attempts < settings.KINGA_MESSAGE_MAX_ATTEMPTS:
                message.status = MessageStatus.RETRYING
                message.next_attempt_at = retry_at = now + _backoff(message.attempts)
            else:
                message.status = MessageStatus.FAILED
                message.next_attempt_at = None
            log.warning("Message %s not sent (attempt %d): %s", message.uuid, message.attempts, exc)
        else:
            message.status = MessageStatus.SENT
            message.sent_at = now
            message.next_attempt_at = None
            message.last_error = ""
        message.save(
            update_fields=[
                "attempts",
                "status",
                "sent_at",
                "next_attempt_at",
                "last_error",
                "provider_reference",
            ]
        )
    if retry_at is not None and default_task_backend.supports_defer:
        transaction.on_commit(lambda: _enqueue(message_id, run_after=retry_at))
    return message.status


def send_due(*, now: datetime.datetime | None = None) -> int:
    """Try again every message whose retry time has come (and any queued one a lost worker left behind);
    returns how many were attempted. `kinga messages send-due`, run by a timer."""
    now = now or clock.now()
    stale = now - datetime.timedelta(minutes=10)
    due = list(
        Message.objects.filter(status=MessageStatus.RETRYING, next_attempt_at__lte=now).values_list(
            "pk", flat=True
        )
    ) + list(
        Message.objects.filter(status=MessageStatus.QUEUED, created_at__lte=stale).values_list(
            "pk", flat=True
        )
    )
    for pk in due:
        deliver(message_id=pk)
    return len(due)
