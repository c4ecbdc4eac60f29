"""Documents an activity delivers (the communication plan of axis 1, action 4, activity 1; a strategy, a study,
a training module, minutes...): filed by an implementer with the activity's progress, then validated or sent
back by a coordinator. An activity counts as delivered in the plan's tree once one of its deliverables is
validated. The file is private: served only through an access-checked download, never as public media."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.core.models import Organisation
from kinga.plan.models.logframe import Activity, ProgressReport


class DeliverableKind(models.TextChoices):
    COMMUNICATION_PLAN = "communication_plan", _("Communication plan")
    STRATEGY = "strategy", _("Strategy or plan")
    STUDY = "study", _("Study or survey report")
    TRAINING_MATERIAL = "training_material", _("Training module or awareness material")
    MINUTES = "minutes", _("Minutes or report of a meeting")
    OTHER = "other", _("Other document")


class DeliverableStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting validation")
    VALIDATED = "validated", _("Validated")
    REJECTED = "rejected", _("Sent back")


def deliverable_path(instance, filename: str) -> str:
    return f"plan/deliverables/{instance.uuid}/{filename}"


class Deliverable(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="deliverables"
    )
    progress_report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliverables",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=DeliverableKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    file = models.FileField(_("file"), upload_to=deliverable_path)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_on = models.DateField(_("submitted on"))
    status = models.CharField(
        _("status"), max_length=12, choices=DeliverableStatus.choices, default=DeliverableStatus.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    review_note = models.TextField(_("reviewer's note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["-submitted_on", "-id"]
        indexes = [models.Index(fields=["activity", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="submitted", reviewed_on__isnull=True)
                | (~Q(status="submitted") & Q(reviewed_on__isnull=False)),
                name="plan_deliverable_reviewed_when_decided",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(review_note=""),
                name="plan_deliverable_rejection_says_why",
            ),
        ]

    def __str__(self) -> str:
        return self.title
