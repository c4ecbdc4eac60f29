"""The IDAK consultation framework: meetings, minutes, action items and their updates."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from kinga.community.models.common import TerritoryMixin
from kinga.core.models import Organisation, Place

# ---------------------------------------------------------------------------------------------- coordination


def minutes_path(instance, filename: str) -> str:
    return f"community/minutes/{instance.uuid}/{filename}"


class Meeting(TerritoryMixin):
    """A meeting of the IDAK permanent consultation framework (state services, companies, civil society)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"), db_index=True)
    place = models.ForeignKey(
        Place, verbose_name=_("place"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    convening_organisation = models.ForeignKey(
        Organisation, verbose_name=_("convening organisation"), on_delete=models.PROTECT, related_name="+"
    )
    participant_organisations = models.ManyToManyField(
        Organisation, verbose_name=_("participating organisations"), blank=True, related_name="+"
    )
    participants = models.TextField(
        _("participants (people)"), blank=True, help_text=_("One person per line.")
    )
    agenda = models.TextField(_("agenda"), blank=True)
    minutes_text = models.TextField(_("minutes (text)"), blank=True)
    minutes_file = models.FileField(_("minutes (document)"), upload_to=minutes_path, blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coordination meeting")
        verbose_name_plural = _("coordination meetings")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.date})"

    @property
    def has_minutes(self) -> bool:
        return bool(self.minutes_text.strip() or self.minutes_file)


class ActionItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_ITEM_STATUSES = (ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS)


class ActionItem(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("raised at"), on_delete=models.CASCADE, related_name="items"
    )
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        Organisation, verbose_name=_("owner organisation"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ActionItemStatus.choices,
        default=ActionItemStatus.OPEN,
        db_index=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description[:80]


class ActionItemUpdate(models.Model):
    """The status of an action item as reviewed at a later meeting (carried from meeting to meeting)."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="updates")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="item_updates"
    )
    status = models.CharField(max_length=16, choices=ActionItemStatus.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.status}"
