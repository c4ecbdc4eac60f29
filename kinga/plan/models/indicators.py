"""Indicators of the logical framework: their targets by date and the values entered by hand."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kinga.core.models import Organisation, Place
from kinga.plan.models.logframe import Action, Activity, Plan


class IndicatorLevel(models.TextChoices):
    OUTPUT = "output", _("Output")
    OUTCOME = "outcome", _("Outcome")


class ValueType(models.TextChoices):
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    PERCENT = "percent", _("Percentage (0-100)")
    BOOLEAN = "boolean", _("Yes / no (1 / 0)")


class IndicatorSourceKind(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    COMPUTED = "computed", _("Computed from Kinga's records")


class Indicator(models.Model):
    """An indicator of the plan under its stable code (docs/indicators.md)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=60, unique=True)
    label_fr = models.TextField(_("label (French)"))
    label_en = models.TextField(_("label (English)"), blank=True)
    label_as_written = models.TextField(blank=True)
    level = models.CharField(_("level"), max_length=16, choices=IndicatorLevel.choices)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    value_type = models.CharField(_("value type"), max_length=16, choices=ValueType.choices)
    baseline_value = models.DecimalField(
        _("baseline"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=4, null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=IndicatorSourceKind.choices)
    module = models.CharField(_("computing module"), max_length=30, blank=True)
    breakdowns = models.JSONField(_("disaggregations"), default=list, blank=True)
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="indicators")
    activities = models.ManyToManyField(Activity, blank=True, related_name="indicators")
    note = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    baseline = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source="manual", module="") | Q(source="computed") & ~Q(module=""),
                name="plan_indicator_module_iff_computed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.label_fr}"


class IndicatorTarget(models.Model):
    """A target for a period (the plan's own target is Indicator.target, at the end of the plan)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="period_targets")
    period_end = models.DateField(_("by"))
    value = models.DecimalField(_("target"), max_digits=18, decimal_places=4)

    class Meta:
        verbose_name = _("target by period")
        verbose_name_plural = _("targets by period")
        ordering = ["period_end"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period_end"], name="plan_target_unique_period"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} ≤ {self.period_end}: {self.value}"


class IndicatorValue(models.Model):
    """A value entered by hand for a period, an area and a breakdown (one per combination: no double entry)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    area = models.ForeignKey(Place, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    breakdown = models.JSONField(_("breakdown"), default=dict, blank=True)
    # Canonical form of `breakdown` ("sex=F;territory=CD7201", "" for the total): what the unique key uses.
    breakdown_key = models.CharField(max_length=200, blank=True, default="")
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    note = models.TextField(_("comment"), blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["-period_end", "indicator__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start", "period_end", "area", "breakdown_key"],
                name="plan_indicator_value_no_double_entry",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="plan_indicator_value_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_start}–{self.period_end}: {self.value}"
