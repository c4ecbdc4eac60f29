"""Programmes of the plan's economic strengthening (axis 1) and households' enrolment in them."""

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kinga.core.models import Organisation, Place
from kinga.households.models.cooperatives import Cooperative
from kinga.households.models.households import Household, HouseholdMember, Occupation
from kinga.plan import attribution


class ProgrammeKind(models.TextChoices):
    COOPERATIVE = "cooperative", _("Agro-pastoral cooperative membership")
    GARDENING_LIVESTOCK = "gardening_livestock", _("Market gardening and livestock")
    RETRAINING = "retraining", _("Training and reconversion of artisanal miners and women")
    SMALL_BUSINESS = "small_business", _("Small business creation (SME/SMI/IGA)")
    SAVINGS = "savings", _("Financial education and savings (BEPSEE)")
    LITERACY = "literacy", _("Functional literacy")


class Programme(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("support type"), max_length=24, choices=ProgrammeKind.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("implementing organisation"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        Place, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"), null=True, blank=True)
    max_hectares = models.DecimalField(
        _("hectares per household (limit)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The plan: 5 ha per household in agro-pastoral cooperatives."),
    )
    min_score = models.DecimalField(
        _("minimum vulnerability score"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Households below this score (current index version) are not eligible."),
    )
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    plan_activity = attribution.activity_field()
    commitment = attribution.commitment_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_hectares__isnull=True) | (Q(max_hectares__gt=0) & Q(max_hectares__lte=100)),
                name="programme_max_hectares_range",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="programme_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    DROPPED = "dropped", _("Dropped out")


class BusinessStatus(models.TextChoices):
    PLANNED = "planned", _("Business plan written")
    # A business (« une activité économique »): feminine labels.
    STARTED = "started", pgettext_lazy("business", "Started")
    OPERATING = "operating", _("Operating")
    CLOSED = "closed", pgettext_lazy("business", "Closed")


class Enrolment(models.Model):
    """A household (and the member concerned) in a programme; the fields used depend on the support type."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="enrolments"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="enrolments"
    )
    member = models.ForeignKey(
        HouseholdMember,
        verbose_name=_("member concerned"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrolments",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    enrolled_on = models.DateField(_("enrolled on"), db_index=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True, db_index=True)
    # Cooperative membership
    cooperative = models.ForeignKey(
        Cooperative, verbose_name=_("cooperative"), null=True, blank=True, on_delete=models.PROTECT
    )
    hectares = models.DecimalField(
        _("hectares allocated"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    # Training and reconversion
    trade = models.CharField(_("trade learnt"), max_length=120, blank=True)
    previous_occupation = models.CharField(
        _("occupation before"), max_length=20, choices=Occupation.choices, blank=True
    )
    new_occupation = models.CharField(
        _("new occupation"), max_length=20, choices=Occupation.choices, blank=True
    )
    # Small business
    business_name = models.CharField(_("business"), max_length=200, blank=True)
    business_created_on = models.DateField(_("business created on"), null=True, blank=True, db_index=True)
    business_status = models.CharField(
        _("business status"), max_length=16, choices=BusinessStatus.choices, blank=True
    )
    business_registration = models.CharField(_("business registration (RCCM)"), max_length=64, blank=True)
    # Savings
    bank = models.CharField(_("bank or savings group"), max_length=120, blank=True)
    account_opened_on = models.DateField(_("account opened on"), null=True, blank=True, db_index=True)
    # Literacy
    sessions_planned = models.PositiveSmallIntegerField(_("sessions planned"), null=True, blank=True)
    sessions_attended = models.PositiveSmallIntegerField(_("sessions attended"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The fields each support type records (the list the services accept and the API shows, kept here only).
    DETAILS = (
        "cooperative",
        "hectares",
        "trade",
        "previous_occupation",
        "new_occupation",
        "business_name",
        "business_created_on",
        "business_status",
        "business_registration",
        "bank",
        "account_opened_on",
        "sessions_planned",
        "sessions_attended",
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-enrolled_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "household"],
                condition=Q(status="active"),
                name="enrolment_one_active_per_programme",
            ),
            models.CheckConstraint(
                condition=Q(hectares__isnull=True) | (Q(hectares__gte=0) & Q(hectares__lte=100)),
                name="enrolment_hectares_range",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("enrolled_on")),
                name="enrolment_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(sessions_attended__isnull=True)
                | Q(sessions_planned__isnull=True)
                | Q(sessions_attended__lte=models.F("sessions_planned")),
                name="enrolment_attendance_within_plan",
            ),
        ]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self) -> str:
        return f"{self.programme} — {self.household}"

    @property
    def literacy_completed(self) -> bool:
        return self.status == EnrolmentStatus.COMPLETED


class DeliveryKind(models.TextChoices):
    INPUTS = "inputs", _("Agricultural inputs (seeds, fertiliser)")
    TOOLS = "tools", _("Tools and equipment")
    LIVESTOCK = "livestock", _("Livestock")
    TRAINING = "training", _("Training session")
    STARTER_KIT = "starter_kit", _("Starter kit or grant")
    OTHER = "other", _("Other")


class Delivery(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="deliveries")
    delivered_on = models.DateField(_("delivered on"), db_index=True)
    kind = models.CharField(_("what"), max_length=16, choices=DeliveryKind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    value_usd = models.DecimalField(_("value (USD)"), max_digits=12, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["delivered_on"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="delivery_quantity_positive"),
            models.CheckConstraint(condition=Q(value_usd__gte=0), name="delivery_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity}"


class Deposit(models.Model):
    """A deposit on a savings account opened through the programme (the plan's "comptes approvisionnés")."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="deposits")
    deposited_on = models.DateField(_("deposited on"))
    amount_usd = models.DecimalField(_("amount (USD)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("deposit")
        verbose_name_plural = _("deposits")
        ordering = ["deposited_on"]
        constraints = [models.CheckConstraint(condition=Q(amount_usd__gt=0), name="deposit_amount_positive")]

    def __str__(self) -> str:
        return f"{self.amount_usd}"


class HouseholdFigures(models.Model):
    """The households dashboard's counts for the households of one organisation in one place.

    Derived data, kept by kinga.households.services.figures on every write that moves them (a household
    recorded, moved or flagged, an enrolment, a deposit, a survey): the dashboard adds these rows up (about a
    thousand at national scale) instead of counting half a million households and their enrolments on every
    view. A household belongs to one key, so counts of distinct households add up across keys.
    `kinga households totals` rebuilds them from the records.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    place_path = models.CharField(max_length=255)
    households = models.PositiveIntegerField(default=0)
    priority = models.PositiveIntegerField(default=0)
    surveyed = models.PositiveIntegerField(default=0)
    enrolled_cooperative = models.PositiveIntegerField(default=0)
    enrolled_gardening_livestock = models.PositiveIntegerField(default=0)
    enrolled_retraining = models.PositiveIntegerField(default=0)
    enrolled_small_business = models.PositiveIntegerField(default=0)
    enrolled_savings = models.PositiveIntegerField(default=0)
    enrolled_literacy = models.PositiveIntegerField(default=0)
    hectares_active = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    accounts_funded = models.PositiveIntegerField(default=0)
    literacy_completed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "place_path"], name="household_figures_one_per_key"
            ),
            models.CheckConstraint(
                condition=Q(priority__lte=models.F("households")) & Q(surveyed__lte=models.F("households")),
                name="household_figures_within_households",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.place_path}"
