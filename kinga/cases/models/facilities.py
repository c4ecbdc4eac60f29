"""The care facilities of the plan's axis 1, action 8 (« Réhabilitation, équipement et fonctionnement des CRS, CAP,
Maisons de transit et Espaces de jeux »): the services directory's entries of those four types, registered with
their dated operating status and the works (rehabilitation, construction, equipment) done on them with their cost.
Occupancy is never typed: it is read from the referrals the facility accepted (kinga/cases/selectors_facilities.py).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kinga.cases.models.care import Service, ServiceType
from kinga.core.models import Organisation

# The four kinds of facility the plan counts (« CRS, CAP, Maisons de transit et espaces des jeux »).
CARE_FACILITY_TYPES = (ServiceType.CRS, ServiceType.CAP, ServiceType.TRANSIT, ServiceType.PLAY)


class FacilityStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("facility", "Planned")
    WORKS = "works", pgettext_lazy("facility", "Under works")
    OPERATING = "operating", pgettext_lazy("facility", "Operating")
    SUSPENDED = "suspended", pgettext_lazy("facility", "Suspended")
    CLOSED = "closed", pgettext_lazy("facility", "Closed")


class Facility(models.Model):
    """A CRS, CAP, transit house or play space of the directory, on the register. Its status is the latest of its
    dated status changes, kept here so that lists filter on it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.OneToOneField(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="facility"
    )
    status = models.CharField(
        _("operating status"), max_length=12, choices=FacilityStatus.choices, default=FacilityStatus.PLANNED
    )
    status_since = models.DateField(_("since"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("care facility")
        verbose_name_plural = _("care facilities")
        ordering = ["service__name", "id"]
        indexes = [models.Index(fields=["status"], name="cases_facility_status")]

    def __str__(self) -> str:
        return self.service.name


class FacilityStatusChange(models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("operating status"), max_length=12, choices=FacilityStatus.choices)
    since = models.DateField(_("since"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-since", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "since"], name="cases_facility_status_one_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.status} {self.since}"


class WorkKind(models.TextChoices):
    CONSTRUCTION = "construction", _("Construction")
    REHABILITATION = "rehabilitation", _("Rehabilitation")
    EQUIPMENT = "equipment", _("Equipment")


class FacilityWork(models.Model):
    """Works on a facility: what was done, when, who paid and what it cost (USD)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="works")
    kind = models.CharField(_("kind of works"), max_length=16, choices=WorkKind.choices)
    description = models.CharField(_("what was done"), max_length=300)
    started_on = models.DateField(_("started on"), db_index=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    cost_usd = models.DecimalField(_("cost (USD)"), max_digits=14, decimal_places=2)
    funded_by = models.ForeignKey(
        Organisation, verbose_name=_("funded by"), on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("reference (contract, invoice)"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("works")
        verbose_name_plural = _("works")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(cost_usd__gt=0), name="cases_facility_work_cost"),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("started_on")),
                name="cases_facility_work_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.facility} {self.started_on}"
