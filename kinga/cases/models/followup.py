"""After care: follow-up visits, retention checks, relapses (a child back at a mine)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kinga.cases.models.cases import Case
from kinga.core.fields import EncryptedTextField


class FollowUp(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    due_date = models.DateField(_("due"), null=True, blank=True)
    visit_date = models.DateField(
        _("visit date"), null=True, blank=True, db_index=True
    )  # null: scheduled, not yet done
    child_seen = models.BooleanField(_("child seen"), null=True)
    in_school_or_training = models.BooleanField(_("enrolled in school or training"), null=True)
    attending = models.BooleanField(_("attending regularly"), null=True)
    found_working = models.BooleanField(_("found working in a mine"), null=True)
    seen_at_site = models.BooleanField(_("seen at a mine site"), null=True)
    site = models.ForeignKey(
        "sites.Site",
        verbose_name=_("mine site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    household_situation = EncryptedTextField(_("household situation"))
    risks = EncryptedTextField(_("risks"))
    notes = EncryptedTextField(_("notes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visit_date", "-due_date", "-id"]
        indexes = [models.Index(fields=["case", "visit_date"], name="cases_followup_case")]

    def __str__(self) -> str:
        return f"follow-up {self.visit_date or self.due_date}"

    @property
    def out_of_mine_work(self) -> bool:
        return self.found_working is False and not self.seen_at_site

    @property
    def in_education(self) -> bool:
        return bool(self.in_school_or_training and self.attending)


class RetentionCheck(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="retention_checks")
    closure_date = models.DateField(
        db_index=True
    )  # the closure this check follows (a reopened case gets new checks)
    months_after = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    done_on = models.DateField(null=True, blank=True, db_index=True)
    found_working = models.BooleanField(null=True)
    seen_at_site = models.BooleanField(null=True)
    in_school_or_training = models.BooleanField(null=True)
    notes = EncryptedTextField(_("notes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "closure_date", "months_after"], name="cases_retention_unique"
            ),
        ]
        # A period's checks of one organisation (its cases joined by id) read from the index alone.
        indexes = [
            models.Index(
                fields=["done_on", "months_after", "case", "found_working", "seen_at_site"],
                name="cases_retention_done",
            )
        ]

    def __str__(self) -> str:
        return f"retention check {self.months_after} months ({self.due_date})"

    @property
    def retained(self) -> bool | None:
        if self.done_on is None:
            return None
        return not (self.found_working or self.seen_at_site)


class RelapseSource(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Follow-up visit")
    RETENTION_CHECK = "retention_check", _("Retention check")
    SITE_INSPECTION = "site_inspection", _("Site inspection")
    COMMUNITY_ALERT = "community_alert", _("Community alert")
    REGISTRATION = "registration", _("Registered again")
    OTHER = "other", _("Other")


class Relapse(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="relapses")
    date = models.DateField(_("date"), db_index=True)
    source = models.CharField(_("found by"), max_length=20, choices=RelapseSource.choices)
    site = models.ForeignKey(
        "sites.Site",
        verbose_name=_("mine site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status_before = models.CharField(max_length=20)
    note = EncryptedTextField(_("notes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["date", "case"], name="cases_relapse_date_case")]

    def __str__(self) -> str:
        return f"relapse {self.date}"
