"""Survey rounds (the plan's prior socio-economic survey, then follow-up rounds) and the vulnerability index."""

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.core import imports
from kinga.core.fields import EncryptedJSONField
from kinga.core.imports import QueuedImport
from kinga.core.models import Organisation, User
from kinga.core.people import Sex
from kinga.households.models.households import MAX_HOUSEHOLD_SIZE, Household

MAX_MONTHLY_INCOME_USD = Decimal("100000")


class RoundKind(models.TextChoices):
    BASELINE = "baseline", _("Prior socio-economic survey")
    FOLLOW_UP = "follow_up", _("Follow-up round")


class SurveyRound(models.Model):
    """A round of the socio-economic survey; rounds are ordered by `number` so they compare over time.

    A round has an end: a survey is filed in the round whose dates hold its date, and an open-ended round
    once swallowed every later survey (a 2026 survey filed under a 2021 round without a word). A manager
    creates each new round (kinga.households.services.create_round); rounds never overlap."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=RoundKind.choices)
    number = models.PositiveSmallIntegerField(_("order"), unique=True)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))

    class Meta:
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="survey_round_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HousingType(models.TextChoices):
    DURABLE = "durable", _("Durable (bricks, sheet roof)")
    SEMI_DURABLE = "semi_durable", _("Semi-durable (adobe, sheet roof)")
    PRECARIOUS = "precarious", _("Precarious (straw, tarpaulin)")


class Survey(models.Model):
    """One household's answers in one round. Totals are stored so the index is computed in the database."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="surveys"
    )
    round = models.ForeignKey(
        SurveyRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="surveys"
    )
    surveyed_on = models.DateField(_("survey date"), db_index=True)
    household_size = models.PositiveSmallIntegerField(_("people in the household"))
    head_sex = models.CharField(_("sex of the head"), max_length=1, choices=Sex.choices)
    head_age = models.PositiveSmallIntegerField(_("age of the head"))
    monthly_income_usd = models.DecimalField(
        _("monthly income (USD)"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    has_productive_assets = models.BooleanField(
        _("has productive assets"), default=False, help_text=_("Land, livestock, tools, a shop, a bicycle...")
    )
    assets = models.JSONField(_("assets"), default=list, blank=True)
    housing = models.CharField(_("housing"), max_length=16, choices=HousingType.choices)
    hunger_scale = models.PositiveSmallIntegerField(
        _("Household Hunger Scale (0–6)"), help_text=_("0–1 little or no hunger, 2–3 moderate, 4–6 severe.")
    )
    children_working = models.PositiveSmallIntegerField(_("children working"), default=0)
    children_working_at_mine = models.PositiveSmallIntegerField(
        _("children 5–17 working at a mine"), default=0
    )
    school_age_out_of_school = models.PositiveSmallIntegerField(
        _("school-age children out of school"), default=0
    )
    members_disabled_or_ill = models.PositiveSmallIntegerField(
        _("members with a disability or chronic illness"), default=0
    )
    access_to_water = models.BooleanField(_("access to drinking water"), default=False)
    access_to_health = models.BooleanField(_("access to a health centre"), default=False)
    access_to_school = models.BooleanField(_("access to a school"), default=False)
    access_to_credit = models.BooleanField(_("access to credit or savings"), default=False)
    business_opportunities = models.TextField(_("business opportunities named"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["round__number"]
        constraints = [
            models.UniqueConstraint(fields=["household", "round"], name="survey_one_per_round"),
            models.CheckConstraint(
                condition=Q(monthly_income_usd__gte=0) & Q(monthly_income_usd__lte=MAX_MONTHLY_INCOME_USD),
                name="survey_income_range",
            ),
            models.CheckConstraint(condition=Q(hunger_scale__lte=6), name="survey_hunger_scale_range"),
            models.CheckConstraint(
                condition=Q(household_size__gte=1) & Q(household_size__lte=MAX_HOUSEHOLD_SIZE),
                name="survey_household_size_range",
            ),
            models.CheckConstraint(condition=Q(head_age__lte=120), name="survey_head_age_range"),
            models.CheckConstraint(
                condition=Q(children_working_at_mine__lte=models.F("children_working")),
                name="survey_mine_work_within_work",
            ),
            models.CheckConstraint(
                condition=Q(children_working__lte=models.F("household_size"))
                & Q(school_age_out_of_school__lte=models.F("household_size"))
                & Q(members_disabled_or_ill__lte=models.F("household_size")),
                name="survey_counts_within_size",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "household"]),
            # A period's incomes and hunger scales of one organisation's households, from the index alone.
            models.Index(
                fields=["surveyed_on", "household", "monthly_income_usd", "hunger_scale"],
                name="households_survey_figures",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} / {self.round_id}"

    @property
    def income_per_person(self) -> Decimal:
        return (self.monthly_income_usd / self.household_size).quantize(Decimal("0.01"))


class RoundTotals(models.Model):
    """Sums of the surveys of one round for the households of one organisation in one place.

    Derived data, kept by kinga.households.totals on every survey write (recording, import, a household
    moving place): the comparison and figures pages add these rows up instead of reading every survey
    (1.4 million at national scale). `kinga households totals` rebuilds them from the surveys.
    """

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    place_path = models.CharField(max_length=255)
    households = models.PositiveIntegerField()
    income_per_person = models.FloatField(help_text="sum of each survey's monthly income / household size")
    hunger_scale = models.PositiveIntegerField()
    with_child_at_mine = models.PositiveIntegerField()
    with_child_out_of_school = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organisation", "place_path"], name="round_totals_one_per_key"
            ),
            models.CheckConstraint(
                condition=Q(households__gte=1)
                & Q(with_child_at_mine__lte=models.F("households"))
                & Q(with_child_out_of_school__lte=models.F("households")),
                name="round_totals_counts_within_households",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} / {self.organisation_id} / {self.place_path}"


class IncomeSourceKind(models.TextChoices):
    ARTISANAL_MINING = "artisanal_mining", _("Artisanal mining")
    MINERAL_TRADE = "mineral_trade", _("Mineral trade")
    AGRICULTURE = "agriculture", _("Agriculture")
    LIVESTOCK = "livestock", _("Livestock")
    TRADE = "trade", _("Small trade")
    CRAFT = "craft", _("Craft or trade skill")
    WAGES = "wages", _("Wages")
    TRANSFERS = "transfers", _("Transfers and gifts")
    OTHER = "other", _("Other")


class IncomeSource(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="income_sources")
    kind = models.CharField(_("income source"), max_length=20, choices=IncomeSourceKind.choices)
    monthly_amount_usd = models.DecimalField(_("monthly amount (USD)"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("income source")
        verbose_name_plural = _("income sources")
        constraints = [
            models.UniqueConstraint(fields=["survey", "kind"], name="income_source_once_per_survey"),
            models.CheckConstraint(
                condition=Q(monthly_amount_usd__gte=0) & Q(monthly_amount_usd__lte=MAX_MONTHLY_INCOME_USD),
                name="income_source_amount_range",
            ),
        ]

    def __str__(self) -> str:
        return self.kind


class VulnerabilityIndexVersion(models.Model):
    """A published version of the index: its items' weights and thresholds never change once used.

    See docs/vulnerability-index.md. A new configuration is a new version; one version is current.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("version"), max_length=16, unique=True)
    description = models.TextField(_("description"), blank=True)
    weights = models.JSONField(_("weights"))
    thresholds = models.JSONField(_("thresholds"))
    is_current = models.BooleanField(_("current version"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("vulnerability index version")
        verbose_name_plural = _("vulnerability index versions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="vulnerability_one_current"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class HouseholdScore(models.Model):
    """A household's index in one version, from its latest survey; written in bulk by `households score`."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="scores")
    version = models.ForeignKey(VulnerabilityIndexVersion, on_delete=models.CASCADE, related_name="scores")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("vulnerability score")
        verbose_name_plural = _("vulnerability scores")
        constraints = [
            models.UniqueConstraint(fields=["household", "version"], name="household_score_per_version"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="household_score_range"
            ),
        ]
        indexes = [models.Index(fields=["version", "-score"])]

    def __str__(self) -> str:
        return f"{self.score}"


class ImportBatch(QueuedImport):
    """One import of a round's file (kinga.core.imports: a background task, its page the result): what was
    created, updated, and quarantined (with reasons). The file waits here, encrypted (its rows carry names),
    only until the task has read it."""

    round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="imports")
    quarantined = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("survey import")
        verbose_name_plural = _("survey imports")
        ordering = ["-imported_at"]
        constraints = imports.constraints("household_import")


class QuarantinedRow(models.Model):
    """A row refused by an import, kept whole (encrypted: it may hold names) with its reasons."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("line"))
    content = EncryptedJSONField(_("row"))  # rows carry names
    errors = models.JSONField(_("errors"))

    class Meta:
        verbose_name = _("quarantined row")
        verbose_name_plural = _("quarantined rows")
        ordering = ["line"]

    def __str__(self) -> str:
        return str(self.line)
