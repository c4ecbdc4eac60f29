"""Movements of people around mine sites (plan, governance: population movements and the relocation of homes away
from mining titles). Counts only: how many families and children arrived at or left a site in a month, as an
inspection team or a community network saw them, and how many households the authorities moved away from a mining
title. No record here names or describes a person.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.core.models import Organisation, Place

COUNTS = ("families_arrived", "families_departed", "children_arrived", "children_departed")


class ObservationSource(models.TextChoices):
    INSPECTION = "inspection", _("Site inspection")
    COMMUNITY_NETWORK = "community_network", _("Community network")
    OTHER = "other", _("Other observation")


def _count(label):
    # None: not counted that month (an observer who saw no arrival says 0).
    return models.PositiveIntegerField(label, null=True, blank=True)


class MovementObservation(models.Model):
    """One organisation's counts for one site and one month (the month's first day)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(
        "sites.Site", verbose_name=_("mine site"), on_delete=models.PROTECT, related_name="movements"
    )
    # The site's territory when recorded, stored so the counts by territory read one column.
    territory = models.ForeignKey(
        Place, verbose_name=_("territory"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    source = models.CharField(_("observed by"), max_length=20, choices=ObservationSource.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    families_arrived = _count(_("families arrived"))
    families_departed = _count(_("families departed"))
    children_arrived = _count(_("children arrived"))
    children_departed = _count(_("children departed"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("movement observation")
        verbose_name_plural = _("movement observations")
        ordering = ["-month", "-id"]
        indexes = [models.Index(fields=["month", "territory"]), models.Index(fields=["site", "month"])]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "month", "organisation"], name="sites_movement_once_per_org_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="sites_movement_month_first_day"),
            models.CheckConstraint(
                condition=Q(families_arrived__isnull=False)
                | Q(families_departed__isnull=False)
                | Q(children_arrived__isnull=False)
                | Q(children_departed__isnull=False),
                name="sites_movement_some_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.month:%m/%Y}"


class Relocation(models.Model):
    """Households moved by the authorities away from a mining title to a new settlement (a count, per move)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mining_title = models.CharField(
        _("mining title"),
        max_length=60,
        help_text=_("The title the homes stood on or next to (e.g. PE 1234)."),
    )
    site = models.ForeignKey(
        "sites.Site",
        verbose_name=_("nearest mine site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relocations",
    )
    from_place = models.ForeignKey(
        Place, verbose_name=_("place left"), on_delete=models.PROTECT, related_name="+"
    )
    territory = models.ForeignKey(
        Place, verbose_name=_("territory"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    destination = models.ForeignKey(
        Place,
        verbose_name=_("new settlement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(_("month of the move"))
    households = models.PositiveIntegerField(_("households relocated"))
    people = models.PositiveIntegerField(_("people"), null=True, blank=True)
    children = models.PositiveIntegerField(_("of whom children"), null=True, blank=True)
    reference = models.CharField(_("decision or programme"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("relocation")
        verbose_name_plural = _("relocations")
        ordering = ["-month", "-id"]
        indexes = [models.Index(fields=["month", "territory"])]
        constraints = [
            models.CheckConstraint(condition=Q(households__gt=0), name="sites_relocation_households"),
            models.CheckConstraint(condition=Q(month__day=1), name="sites_relocation_month_first_day"),
            models.CheckConstraint(
                condition=Q(children__isnull=True)
                | Q(people__isnull=True)
                | Q(children__lte=models.F("people")),
                name="sites_relocation_children_among_people",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mining_title} {self.month:%m/%Y}"
