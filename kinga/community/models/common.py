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


class AgeBand(models.TextChoices):
    # The ILO bands of kinga.core.indicators.AGE_BANDS; "" when the reporter could not tell.
    B0_4 = "0-4", _("0–4 years")
    B5_11 = "5-11", _("5–11 years")
    B12_14 = "12-14", _("12–14 years")
    B15_17 = "15-17", _("15–17 years")
    UNKNOWN = "", _("Unknown age")
