"""The logical framework: the plan, its axes, actions and activities (with their loaded baseline), tags,
the parties to an action or activity, the revisions of the current plan and progress reports."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kinga.core.models import Organisation


class Plan(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.TextField(_("title"))
    author = models.CharField(_("author"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    source = models.TextField(_("source"), blank=True)
    source_file = models.CharField(max_length=500, blank=True)
    source_digest = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the loaded file.")
    # The loaded file, normalised: what `load` compares a new file with and what the baseline view shows.
    baseline = models.JSONField(default=dict, blank=True)
    loaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.code


class TagKind(models.TextChoices):
    LEVEL = "niveau", _("Level of action")
    SMPE = "smpe", _("Child-protection minimum standard")
    PROVINCIAL_STRATEGY = "strategie_provinciale", _("Provincial strategic plan")
    NATIONAL_PLAN = "plan_national", _("National triennial plan 2017-2020")


class Tag(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=TagKind.choices)
    label_fr = models.CharField(_("label (French)"), max_length=300)
    label_en = models.CharField(_("label (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.label_fr


class Axis(models.Model):
    """One of the three groups of the plan, with its line of the budget synthesis table."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="axes")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.TextField(_("title"))
    title_as_written = models.TextField(blank=True)
    synthesis_number = models.CharField(max_length=8, blank=True)
    synthesis_designation = models.TextField(_("designation in the budget synthesis"), blank=True)
    # The synthesis amount exactly as the document states it: never recomputed from the lines.
    synthesis_usd = models.DecimalField(_("synthesis amount (USD)"), max_digits=14, decimal_places=2)
    synthesis_as_written = models.CharField(max_length=60, blank=True)
    synthesis_note = models.TextField(blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="axes")

    class Meta:
        verbose_name = _("axis")
        verbose_name_plural = _("axes")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_axis_unique_number"),
            models.CheckConstraint(condition=Q(synthesis_usd__gte=0), name="plan_axis_synthesis_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class LogframeCells(models.Model):
    """The columns of the logical framework. On an action: a cell merged over all its rows."""

    objectives = models.JSONField(_("objectives"), default=list, blank=True)
    expected_results = models.JSONField(_("expected results"), default=list, blank=True)
    targets_text = models.TextField(_("targets / beneficiaries"), blank=True)
    period_as_written = models.CharField(_("period"), max_length=60, blank=True)
    duration_months = models.PositiveSmallIntegerField(_("duration (months)"), null=True, blank=True)
    period_ambiguous = models.BooleanField(default=False)
    period_note = models.TextField(blank=True)
    cost_usd = models.DecimalField(
        _("estimated cost (USD)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    cost_as_written = models.CharField(_("cost as written"), max_length=60, blank=True)
    # An amount irregular as written: stored as written with its reading (cost_usd) and this flag.
    cost_ambiguous = models.BooleanField(_("ambiguous amount"), default=False)
    cost_note = models.TextField(blank=True)
    corrections = models.JSONField(default=list, blank=True)
    # The values of the loaded file (None for what users added): the baseline to compare with.
    baseline = models.JSONField(null=True, blank=True)

    class Meta:
        abstract = True


class Action(LogframeCells):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    axis = models.ForeignKey(Axis, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveSmallIntegerField(_("number"))
    number_label = models.CharField(_("number as written"), max_length=8)
    title = models.TextField(_("title"))
    tags = models.ManyToManyField(Tag, blank=True, related_name="actions")

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["axis__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["axis", "number"], name="plan_action_unique_number"),
            models.CheckConstraint(
                condition=Q(cost_usd__isnull=True) | Q(cost_usd__gte=0), name="plan_action_cost_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.axis.number}.{self.number_label} {self.title}"

    @property
    def code(self) -> str:
        return f"{self.axis.number}.{self.number}"


class ActivityStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Activity(LogframeCells):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="activities")
    position = models.PositiveSmallIntegerField(_("number within the action"))
    title = models.TextField(_("title"))
    # Planned dates: None means "from the plan's start date (KINGA_PLAN_START_DATE) and the duration".
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    # Current progress: the latest progress report (kept here so the tree needs no per-activity query).
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.NOT_STARTED
    )
    percent_done = models.PositiveSmallIntegerField(_("percentage done"), default=0)
    progress_updated_at = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["action__axis__number", "action__number", "position"]
        constraints = [
            models.UniqueConstraint(fields=["action", "position"], name="plan_activity_unique_position"),
            models.CheckConstraint(
                condition=Q(cost_usd__isnull=True) | Q(cost_usd__gte=0), name="plan_activity_cost_positive"
            ),
            models.CheckConstraint(condition=Q(percent_done__lte=100), name="plan_activity_percent_range"),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="plan_activity_planned_dates_order",
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(actual_start__isnull=True)
                | Q(actual_end__gte=F("actual_start")),
                name="plan_activity_actual_dates_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action.axis.number}.{self.action.number}.{self.position} {self.title}"

    @property
    def code(self) -> str:
        return f"{self.action.axis.number}.{self.action.number}.{self.position}"


class PartyRole(models.TextChoices):
    FUNDING_SOURCE = "funding_source", _("Funding source")
    IMPLEMENTER = "implementer", _("Implementer")


class Party(models.Model):
    """A funding source or implementer the plan names: an organisation, or a generic category (ONG, PTF...)."""

    role = models.CharField(max_length=16, choices=PartyRole.choices)
    axis = models.ForeignKey(Axis, null=True, blank=True, on_delete=models.CASCADE, related_name="parties")
    action = models.ForeignKey(
        Action, null=True, blank=True, on_delete=models.CASCADE, related_name="parties"
    )
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="parties"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="plan_parties"
    )
    category = models.CharField(_("category"), max_length=60, blank=True)
    as_written = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("funding source or implementer")
        verbose_name_plural = _("funding sources and implementers")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organisation__isnull=False) & Q(category=""))
                | (Q(organisation__isnull=True) & ~Q(category="")),
                name="plan_party_organisation_xor_category",
            ),
            models.CheckConstraint(
                condition=(Q(axis__isnull=False) & Q(action__isnull=True) & Q(activity__isnull=True))
                | (Q(axis__isnull=True) & Q(action__isnull=False) & Q(activity__isnull=True))
                | (Q(axis__isnull=True) & Q(action__isnull=True) & Q(activity__isnull=False)),
                name="plan_party_one_holder",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation) if self.organisation_id else self.category

    @property
    def label(self) -> str:
        return self.organisation.acronym or self.organisation.name if self.organisation_id else self.category


class RevisionKind(models.TextChoices):
    CREATE = "create", _("Addition")
    UPDATE = "update", _("Change")
    RELOAD = "reload", _("Reload of the plan file")


class PlanRevision(models.Model):
    """One change to the current plan: who, when, why, and the values before and after."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=RevisionKind.choices)
    reason = models.TextField(_("reason"))
    target_type = models.CharField(max_length=30)
    target_uuid = models.UUIDField(null=True, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("plan revision")
        verbose_name_plural = _("plan revisions")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.get_kind_display()} {self.target_label}"


class ProgressReport(models.Model):
    """A dated progress update of an activity, with a comment."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="progress_reports")
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=16, choices=ActivityStatus.choices)
    percent_done = models.PositiveSmallIntegerField(_("percentage done"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["activity", "date"])]
        constraints = [
            models.CheckConstraint(condition=Q(percent_done__lte=100), name="plan_report_percent_range"),
        ]

    def __str__(self) -> str:
        return f"{self.activity.code} {self.date}: {self.percent_done} %"
