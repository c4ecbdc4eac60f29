"""Each person's notification channels, every outgoing message (its log) and every incoming SMS/USSD.

A message row keeps the template key and its parameters (case numbers, counts, site codes, tracking codes:
never a child's identity); the text is rendered from them when it is sent, so the log holds no content. The
recipient's address is kept encrypted for the worker that sends it, and shown masked."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.core.fields import EncryptedTextField


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Failed, will be tried again")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent (no address)")


class NotificationPreference(models.Model):
    """The channels one person chose; without a row, both (each used when the person has that address)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    by_sms = models.BooleanField(_("by SMS"), default=True)
    by_email = models.BooleanField(_("by e-mail"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: sms={self.by_sms} email={self.by_email}"


class Message(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    template_key = models.CharField(_("message"), max_length=40)
    # Case numbers, counts, site and tracking codes, ids: what the text is rendered from, never an identity.
    params = models.JSONField(default=dict)
    language = models.CharField(max_length=8, default="fr")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_masked = models.CharField(_("recipient"), max_length=80)
    address = EncryptedTextField(_("address"))
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_reference = models.CharField(max_length=100, blank=True)
    # One message per trigger and recipient: a replayed event or a second timer run sends nothing twice.
    dedupe_key = models.CharField(max_length=200, unique=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="messaging_message_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="messaging_message_sent_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template_key} → {self.recipient_masked} ({self.status})"


class InboundStatus(models.TextChoices):
    ALERT = "alert", _("Alert created")
    INCOMPLETE = "incomplete", _("Alert kept, to be completed")
    UNREADABLE = "unreadable", _("Not understood, help sent")


class InboundMessage(models.Model):
    """An SMS or USSD message received from the gateway, kept whatever it says (nothing is lost)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    gateway_format = models.CharField(max_length=16)
    channel = models.CharField(max_length=8)
    external_id = models.CharField(max_length=120, null=True, blank=True, unique=True)
    sender = EncryptedTextField(_("sender"))
    sender_masked = models.CharField(_("sender"), max_length=80, blank=True)
    text = EncryptedTextField(_("text"))
    language = models.CharField(max_length=8, default="fr")
    status = models.CharField(_("status"), max_length=12, choices=InboundStatus.choices)
    alert = models.ForeignKey(
        "community.Alert", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("message received")
        verbose_name_plural = _("messages received")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.gateway_format} {self.sender_masked} ({self.status})"
