"""Shared by the community models: the territory kept with a record's place, sex and ILO age bands."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kinga.core.models import Place


class TerritoryMixin(models.Model):
    """Keeps the ADM2 (territory or town) of the record's place, so indicators group by territory in SQL."""

    territory = models.ForeignKey(
        Place, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        place = getattr(self, "place", None)
        territory = place.territory if place is not None else None
        self.territory = territory
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "territory" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "territory"]
        super().save(*args, **kwargs)


class Sex(models.TextChoices):
    FEMALE = "F", _("Girl / woman")
    MALE = "M", _("Boy / man")
    UNKNOWN = "", _("Unknown")
