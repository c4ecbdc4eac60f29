"""The actors' 4W (who does what, where, when) matrix."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kinga.core import imports
from kinga.core.imports import QueuedImport
from kinga.core.models import Organisation, Place

# ---------------------------------------------------------------------------------------------- 4W


class FourWStatus(models.TextChoices):
    # An activity (« une activité »): feminine labels.
    PLANNED = "planned", pgettext_lazy("activity", "Planned")
    ONGOING = "ongoing", pgettext_lazy("activity", "Ongoing")
    COMPLETED = "completed", pgettext_lazy("activity", "Completed")
    SUSPENDED = "suspended", pgettext_lazy("activity", "Suspended")


class FourWSource(models.TextChoices):
    ENTERED = "entered", _("Entered")
    IMPORTED = "imported", _("Imported")
    PLAN = "plan", _("Plan implementers")
    SYNTH = "synth", _("Synthetic")


class FourW(models.Model):
    """One 4W row: who (organisation, partner, funder) does what, where, when, for how many children."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="fourw_records"
    )
    implementing_partner = models.ForeignKey(
        Organisation,
        verbose_name=_("implementing partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    funder = models.ForeignKey(
        Organisation,
        verbose_name=_("funder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    plan_action = models.ForeignKey(
        "plan.Action",
        verbose_name=_("plan action"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fourw_records",
    )
    sector = models.CharField(_("sector"), max_length=60, default="Protection")
    subsector = models.CharField(_("sub-sector"), max_length=100, default="Protection de l'enfance")
    activity = models.CharField(_("activity"), max_length=300)
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=FourWStatus.choices, default=FourWStatus.ONGOING
    )
    start = models.DateField(_("start"), db_index=True)
    end = models.DateField(_("end"), null=True, blank=True)
    targeted_f = models.PositiveIntegerField(_("girls targeted"), default=0)
    targeted_m = models.PositiveIntegerField(_("boys targeted"), default=0)
    reached_f = models.PositiveIntegerField(_("girls reached"), default=0)
    reached_m = models.PositiveIntegerField(_("boys reached"), default=0)
    # Reached by sex and age band: {"F": {"5-11": 12, ...}, "M": {...}}; sums never exceed the totals.
    reached_by_age = models.JSONField(_("reached by age band"), default=dict, blank=True)
    source = models.CharField(max_length=16, choices=FourWSource.choices, default=FourWSource.ENTERED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("4W record")
        verbose_name_plural = _("4W records")
        ordering = ["-start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="community_fourw_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.activity


class FourWImport(QueuedImport):
    """One import of a 4W file from its page (kinga.core.imports: a background task, its page the result).

    A 4W file holds organisations, places, activities and counts, no person: it is kept with the import, so that
    what was sent can be downloaded again and, after a dry run or a refusal, imported without sending it again.
    The rows the import rejected are kept with their reasons, to be corrected and imported again."""

    KEEPS_FILE = True

    unchanged = models.PositiveIntegerField(default=0)
    # Each row not imported: {"line": its line in the file, "reasons": text, "row": {column: value}}.
    rejected_rows = models.JSONField(default=list, blank=True)
    columns = models.JSONField(default=list, blank=True)  # the file's columns, for the rejected rows' table
    # Values already recorded that the file would blank ("Gestion de cas (CD7201, 01/03/2026) : Date fin").
    blanked = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("4W import")
        verbose_name_plural = _("4W imports")
        ordering = ["-imported_at"]
        constraints = imports.constraints("community_fourw_import")

    def rejects_rows(self) -> list[list]:
        """The rejected rows as a table (line, reasons, then the file's columns), to correct and import again."""
        return [
            ["ligne", "motifs", *self.columns],
            *(
                [r["line"], r["reasons"], *(r["row"].get(c, "") for c in self.columns)]
                for r in self.rejected_rows
            ),
        ]

    def rejected_for_page(self) -> list[tuple[int, str, str]]:
        """(line, reasons, what the row held: "Organisation : X · Activité : Y", its empty cells left out)."""
        return [
            (r["line"], r["reasons"], " · ".join(f"{c} : {v}" for c, v in r["row"].items() if v))
            for r in self.rejected_rows
        ]
