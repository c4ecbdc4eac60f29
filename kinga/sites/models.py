"""Mine sites. The site is the anchor of inspections, status, lots, and of where children were found."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.core.models import Organisation, Place


class SiteType(models.TextChoices):
    ZEA = "zea", _("Artisanal mining zone (ZEA)")
    CONCESSION = "concession", _("Concession")
    INFORMAL = "informal", _("Informal site")


class Site(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(
        _("code"), max_length=32, unique=True, help_text=_("IPIS code (codmineNNNNN) or Kinga code.")
    )
    name = models.CharField(_("name"), max_length=200)
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="sites")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    site_type = models.CharField(
        _("type"), max_length=16, choices=SiteType.choices, default=SiteType.INFORMAL
    )
    minerals = models.JSONField(_("minerals"), default=list, blank=True)
    workers_count = models.PositiveIntegerField(_("number of workers"), null=True, blank=True)
    operator = models.ForeignKey(
        Organisation,
        verbose_name=_("operator or cooperative"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="operated_sites",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mine site")
        verbose_name_plural = _("mine sites")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | (Q(latitude__gte=-90) & Q(latitude__lte=90)),
                name="site_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | (Q(longitude__gte=-180) & Q(longitude__lte=180)),
                name="site_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
