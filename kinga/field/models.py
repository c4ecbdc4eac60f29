"""Submissions from KoboToolbox and ODK, kept as received before anything reads them, and the per-form keys that
let a server push them.

A submission is identified by its server (`source`), its form and its instance ID: the database refuses a
second row for the same three, so a redelivery or two concurrent posts of one submission give one row. An edit
(a new instance ID) shares the `root_id` of the first version: it updates what that version created.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kinga.core.fields import EncryptedJSONField, EncryptedTextField


class Source(models.TextChoices):
    KOBO = "kobo", _("KoboToolbox")
    ODK = "odk", _("ODK")


class Channel(models.TextChoices):
    PUSH = "push", _("Sent by the server")
    PULL = "pull", _("Fetched from the server")
    FILE = "file", _("Imported from a file")


class State(models.TextChoices):
    RECEIVED = "received", _("Received, waiting to be applied")
    APPLIED = "applied", _("Applied")
    QUARANTINED = "quarantined", _("In quarantine")
    REJECTED = "rejected", _("Rejected")
    REPLACED = "replaced", _("Replaced by a later version")


class FormAccess(models.Model):
    """The secret with which a server pushes one form's submissions; they are applied as `membership`."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    form_id = models.CharField(_("form"), max_length=64)
    name = models.CharField(_("name"), max_length=100)
    membership = models.ForeignKey(
        "core.Membership",
        verbose_name=_("account the submissions act as"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    prefix = models.CharField(max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)  # SHA-256 of the key; never the key
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("form key")
        verbose_name_plural = _("form keys")
        ordering = ["form_id", "-created_at"]

    def __str__(self) -> str:
        return f"{self.form_id} ({self.prefix}…)"


class Submission(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.CharField(_("server"), max_length=8, choices=Source.choices)
    channel = models.CharField(_("received through"), max_length=8, choices=Channel.choices)
    form_id = models.CharField(_("form"), max_length=64)
    instance_id = models.CharField(_("instance ID"), max_length=128)
    root_id = models.CharField(max_length=128)  # the first version's instance ID: all versions share it
    deprecated_id = models.CharField(max_length=128, blank=True)  # the version this one replaces
    # The submission as received (JSON or XML text), and the answers read from it; both encrypted: a field form
    # carries children's names. Corrections made in the review screen are kept apart, the raw never changes.
    raw = EncryptedTextField(_("submission as received"))
    answers = EncryptedJSONField()
    corrections = EncryptedJSONField()
    received_at = models.DateTimeField(_("received on"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("sent from the phone on"), null=True, blank=True)
    submitter = models.CharField(_("sent by (server account)"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.RECEIVED)
    reasons = models.JSONField(default=dict, blank=True)  # field path → [French messages]
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    record_type = models.CharField(max_length=64, blank=True)  # "cases.followup"
    record_uuid = models.UUIDField(null=True, blank=True)
    form_access = models.ForeignKey(
        FormAccess, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    account = models.ForeignKey(
        "core.Membership",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rejection_reason = models.CharField(_("reason of the rejection"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("field submission")
        verbose_name_plural = _("field submissions")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "form_id", "instance_id"], name="field_submission_instance_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["source", "form_id", "root_id"], name="field_submission_root"),
            models.Index(fields=["organisation", "state", "-received_at"], name="field_submission_queue"),
            models.Index(fields=["source", "form_id", "-submitted_at"], name="field_submission_cursor"),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} {self.instance_id[:13]}"

    @property
    def uuid(self):
        return self.id

    @property
    def audit_label(self) -> str:
        return str(self)


class PullSource(models.Model):
    """A server and form Kinga fetches submissions from (`kinga intake pull`), and how far it has read.

    The cursor is this server's own: the newest submission time of the pages already stored from it, advanced
    page by page. A submission pushed by another channel never moves it (a push at noon must not make the pull
    skip what the server received at eleven)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(_("server"), max_length=8, choices=Source.choices)
    url = models.URLField(_("server address"), max_length=300)
    asset = models.CharField(_("form on the server"), max_length=200)  # Kobo asset uid; Central "7/xmlFormId"
    form_id = models.CharField(_("form"), max_length=64)
    username = models.CharField(_("server account"), max_length=200, blank=True)  # Central only
    # Kobo's API token or Central's password: a secret, encrypted like the identities, never shown again.
    secret = EncryptedTextField()
    membership = models.ForeignKey(
        "core.Membership",
        verbose_name=_("account the submissions act as"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    cursor = models.DateTimeField(null=True, blank=True)
    scheduled = models.BooleanField(_("fetched on schedule"), default=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_result = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("server fetched")
        verbose_name_plural = _("servers fetched")
        ordering = ["form_id", "url"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "url", "asset", "form_id"], name="field_pullsource_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} ← {self.url} {self.asset}"


class Attachment(models.Model):
    """A file a submission names (a photo), fetched with size and type checks before the submission is applied.
    The content is encrypted: a child's photo identifies the child as much as a name."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=255)  # the file name the answer holds
    url = models.URLField(max_length=1000, blank=True)  # where the server offers it (Kobo, Central)
    content = EncryptedTextField()  # base64 of the checked bytes
    content_type = models.CharField(max_length=40, blank=True)  # the type read from the bytes
    size = models.PositiveIntegerField(null=True, blank=True)
    problem = models.CharField(max_length=300, blank=True)  # in French: why it could not be kept
    fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "name"], name="field_attachment_unique"),
        ]

    def __str__(self) -> str:
        return self.name
