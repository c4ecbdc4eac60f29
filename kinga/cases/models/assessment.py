"""Assessment: the versioned scoring, the organisation's case rules, and the assessments recorded."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.cases.models.cases import Case, RiskLevel
from kinga.core.fields import EncryptedTextField


class ScoringVersion(models.Model):
    """How an assessment becomes a risk level. A new version never changes past assessments."""

    version = models.PositiveSmallIntegerField(unique=True)
    label = models.CharField(max_length=100, blank=True)
    max_per_domain = models.PositiveSmallIntegerField(default=3)
    high_from = models.PositiveSmallIntegerField(default=12)
    medium_from = models.PositiveSmallIntegerField(default=6)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(high_from__gt=models.F("medium_from")), name="cases_scoring_order"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    def risk_for(self, total: int) -> str:
        if total >= self.high_from:
            return RiskLevel.HIGH
        if total >= self.medium_from:
            return RiskLevel.MEDIUM
        return RiskLevel.LOW


class CaseRules(models.Model):
    """Deadlines and the exit rule; the latest row applies (each change is a new row, audited)."""

    assessment_days = models.PositiveSmallIntegerField(_("assessment within (days)"), default=3)
    assessment_days_high_risk = models.PositiveSmallIntegerField(
        _("assessment within, high risk (days)"), default=1
    )
    care_plan_days = models.PositiveSmallIntegerField(
        _("care plan within (days after assessment)"), default=14
    )
    follow_up_every_months = models.PositiveSmallIntegerField(_("follow-up every (months)"), default=1)
    referral_response_days = models.PositiveSmallIntegerField(_("referral answered within (days)"), default=7)
    exit_min_follow_ups = models.PositiveSmallIntegerField(_("exit: follow-ups at least"), default=2)
    exit_months_apart = models.PositiveSmallIntegerField(_("exit: months between first and last"), default=3)
    retention_months = models.JSONField(_("retention checks (months after closure)"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(exit_min_follow_ups__gte=1), name="cases_exit_min")]

    def __str__(self) -> str:
        return f"rules #{self.pk}"


DOMAINS = (
    ("safety", _("Safety")),
    ("health", _("Health")),
    ("education", _("Education")),
    ("family_care", _("Family care")),
    ("household_economy", _("Household economy")),
    ("psychosocial", _("Psychosocial wellbeing")),
)


class Assessment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    date = models.DateField(_("assessment date"))
    scoring = models.ForeignKey(ScoringVersion, on_delete=models.PROTECT, related_name="+")
    safety = models.PositiveSmallIntegerField(_("safety"))
    health = models.PositiveSmallIntegerField(_("health"))
    education = models.PositiveSmallIntegerField(_("education"))
    family_care = models.PositiveSmallIntegerField(_("family care"))
    household_economy = models.PositiveSmallIntegerField(_("household economy"))
    psychosocial = models.PositiveSmallIntegerField(_("psychosocial wellbeing"))
    total = models.PositiveSmallIntegerField(_("score"))
    risk = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    child_resources = EncryptedTextField(_("the child's resources"))
    family_resources = EncryptedTextField(_("the family's resources"))
    notes = EncryptedTextField(_("notes"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(safety__lte=3)
                & Q(health__lte=3)
                & Q(education__lte=3)
                & Q(family_care__lte=3)
                & Q(household_economy__lte=3)
                & Q(psychosocial__lte=3),
                name="cases_assessment_domain_range",
            ),
        ]

    def __str__(self) -> str:
        return f"assessment {self.date} ({self.total})"
