"""Shared by the community models: the territory kept with a record's place, sex and ILO age bands."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kinga.core import people
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


# The sex of kinga.core.people (the one definition: "F", "M"), and "" for the unknown sex these fields allow
# (an alert's children counted without their sex).
Sex = models.TextChoices(
    "Sex",
    [(member.name, (member.value, member.label)) for member in people.Sex]
    + [("UNKNOWN", ("", _("Unknown")))],
    module=__name__,
)
