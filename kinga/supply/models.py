"""The mineral supply chain: cooperatives' documents, production, lots and their evacuation authorisations.

A cooperative is a core Organisation of type cooperative; a site is a kinga.sites Site. What this app adds is
what makes a lot traceable to the children at its site: the site's child-labour status is copied onto the lot
and onto each authorisation decision when it is taken, so that a later change of the site never rewrites history.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kinga.core.models import Organisation
from kinga.core.people import Sex
from kinga.sites.models import Site


class Mineral(models.TextChoices):
    COBALT = "cobalt", _("Cobalt (heterogenite)")
    COPPER = "copper", _("Copper (malachite)")
    COPPER_COBALT = "copper_cobalt", _("Copper-cobalt ore")
    CASSITERITE = "cassiterite", _("Tin (cassiterite)")
    COLTAN = "coltan", _("Coltan")
    WOLFRAMITE = "wolframite", _("Tungsten (wolframite)")
    GOLD = "gold", _("Gold")
    OTHER = "other", _("Other")


class DocumentType(models.Model):
    """A management document cooperatives must hold; administrators configure the list."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    is_required = models.BooleanField(
        _("required for evacuation"),
        default=True,
        help_text=_("A lot is refused when its cooperative lacks a valid document of this type."),
    )
    default_validity_months = models.PositiveSmallIntegerField(
        _("usual validity (months)"),
        null=True,
        blank=True,
        help_text=_("Used to propose an expiry date; empty when the document does not expire."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("cooperative document type")
        verbose_name_plural = _("cooperative document types")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "fr").startswith("en") else self.name_fr


class CooperativeDocument(models.Model):
    """One issued document of a cooperative, valid from issued_on to valid_until (inclusive; open if empty)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cooperative = models.ForeignKey(
        Organisation,
        verbose_name=_("cooperative"),
        on_delete=models.PROTECT,
        related_name="supply_documents",
        limit_choices_to={"type": "cooperative"},
    )
    document_type = models.ForeignKey(
        DocumentType, verbose_name=_("document"), on_delete=models.PROTECT, related_name="documents"
    )
    reference = models.CharField(_("number or reference"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cooperative document")
        verbose_name_plural = _("cooperative documents")
        ordering = ["cooperative", "document_type__order", "-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("issued_on")),
                name="supply_document_valid_after_issue",
            ),
        ]
        indexes = [models.Index(fields=["cooperative", "document_type", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.document_type} — {self.cooperative}"

    def is_valid_on(self, day) -> bool:
        return self.issued_on <= day and (self.valid_until is None or self.valid_until >= day)


class Production(models.Model):
    """What a cooperative extracted at a site in one month, for one mineral."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="supply_production"
    )
    cooperative = models.ForeignKey(
        Organisation,
        verbose_name=_("cooperative"),
        on_delete=models.PROTECT,
        related_name="supply_production",
        limit_choices_to={"type": "cooperative"},
    )
    mineral = models.CharField(_("mineral"), max_length=20, choices=Mineral.choices)
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    tonnage = models.DecimalField(_("tonnage (t)"), max_digits=12, decimal_places=3)
    grade_percent = models.DecimalField(_("grade (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("monthly production")
        verbose_name_plural = _("monthly production")
        ordering = ["-month", "site__name", "mineral"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "cooperative", "mineral", "month"], name="supply_production_unique_month"
            ),
            models.CheckConstraint(condition=Q(tonnage__gte=0), name="supply_production_tonnage_positive"),
            models.CheckConstraint(
                condition=Q(grade_percent__isnull=True)
                | (Q(grade_percent__gte=0) & Q(grade_percent__lte=100)),
                name="supply_production_grade_range",
            ),
        ]
        indexes = [models.Index(fields=["month", "site"])]

    def __str__(self) -> str:
        return f"{self.site} {self.month:%Y-%m} {self.get_mineral_display()}"


class LotStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting authorisation")
    AUTHORISED = "authorised", _("Authorised")
    REFUSED = "refused", pgettext_lazy("lot", "Refused")  # « le lot » : refusé, like autorisé
    OVERRIDDEN = "overridden", _("Authorised by override")


class Lot(models.Model):
    """A mineral lot: it needs an evacuation authorisation to leave its site."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="supply_lots"
    )
    cooperative = models.ForeignKey(
        Organisation,
        verbose_name=_("cooperative"),
        on_delete=models.PROTECT,
        related_name="supply_lots",
        limit_choices_to={"type": "cooperative"},
    )
    mineral = models.CharField(_("mineral"), max_length=20, choices=Mineral.choices)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=12, decimal_places=2)
    grade_percent = models.DecimalField(_("grade (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    date = models.DateField(_("date"))
    buyer = models.ForeignKey(
        Organisation,
        verbose_name=_("buyer company"),
        on_delete=models.PROTECT,
        related_name="supply_purchases",
        limit_choices_to={"type": "company"},
    )
    status = models.CharField(
        _("status"), max_length=16, choices=LotStatus.choices, default=LotStatus.PENDING
    )
    # Snapshot of the site's child-labour status when the latest decision was taken (never recomputed).
    site_status = models.CharField(_("site status at authorisation"), max_length=16, blank=True)
    site_status_reason = models.TextField(_("reason of the site status"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mineral lot")
        verbose_name_plural = _("mineral lots")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight_kg__gt=0), name="supply_lot_weight_positive"),
            models.CheckConstraint(
                condition=Q(grade_percent__isnull=True)
                | (Q(grade_percent__gte=0) & Q(grade_percent__lte=100)),
                name="supply_lot_grade_range",
            ),
        ]
        indexes = [
            # The lot list's default order: without it every page sorts the whole table (1.8 s at 1 M lots).
            models.Index(fields=["date", "id"], name="supply_lot_date_id"),
            models.Index(fields=["buyer", "date"]),
            models.Index(fields=["site", "date"]),
            models.Index(fields=["cooperative", "date"]),
            models.Index(fields=["status", "date"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def can_leave_site(self) -> bool:
        return self.status in (LotStatus.AUTHORISED, LotStatus.OVERRIDDEN)


class Outcome(models.TextChoices):
    AUTHORISED = "authorised", _("Authorised")
    AUTHORISED_WITH_WARNING = "warning", _("Authorised with a warning")
    REFUSED = "refused", pgettext_lazy("lot", "Refused")


class OverrideState(models.TextChoices):
    NONE = "", _("None")
    REQUESTED = "requested", _("Override requested")
    APPROVED = "approved", _("Override approved")
    DECLINED = "declined", _("Override declined")


class EvacuationAuthorisation(models.Model):
    """One decision on a lot's evacuation, with the evidence it was taken on (site status, documents).

    A refusal may be overridden only by two people: one asks with a written reason, a second person of another
    role approves (or declines) with a written reason. Both steps are audited.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("number"), max_length=40, unique=True)
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="authorisations"
    )
    decided_at = models.DateTimeField(_("decided at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_role = models.CharField(max_length=32, blank=True)
    outcome = models.CharField(_("decision"), max_length=16, choices=Outcome.choices)
    site_status = models.CharField(_("site status"), max_length=16)
    site_status_reason = models.TextField(_("reason of the site status"), blank=True)
    site_status_since = models.DateField(_("site status since"), null=True, blank=True)
    # [{"code": "site_red", "params": {...}}]: rendered in the reader's language, never stored as prose.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    documents = models.JSONField(_("documents checked"), default=list, blank=True)

    override_state = models.CharField(
        _("override"), max_length=16, choices=OverrideState.choices, default=OverrideState.NONE, blank=True
    )
    override_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_requested_role = models.CharField(max_length=32, blank=True)
    override_request_reason = models.TextField(_("reason for the override request"), blank=True)
    override_requested_at = models.DateTimeField(null=True, blank=True)
    override_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_decided_role = models.CharField(max_length=32, blank=True)
    override_decision_reason = models.TextField(_("reason for the override decision"), blank=True)
    override_decided_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("evacuation authorisation")
        verbose_name_plural = _("evacuation authorisations")
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(override_state="") | Q(outcome="refused"),
                name="supply_override_only_of_refusal",
            ),
            models.CheckConstraint(
                condition=Q(override_state="")
                | (Q(override_requested_by__isnull=False) & ~Q(override_request_reason="")),
                name="supply_override_request_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(override_state__in=["approved", "declined"])
                | (
                    Q(override_decided_by__isnull=False)
                    & ~Q(override_decision_reason="")
                    & ~Q(override_decided_by=models.F("override_requested_by"))
                    & ~Q(override_decided_role=models.F("override_requested_role"))
                ),
                name="supply_override_second_person_other_role",
            ),
        ]
        indexes = [
            models.Index(fields=["outcome", "decided_at"]),
            # The register's order (newest first): without it a page of 50 sorts every authorisation.
            models.Index(fields=["-decided_at", "-id"], name="supply_auth_newest_idx"),
            # The overrides waiting for a second person (the supply home's list): a handful among a million.
            models.Index(
                fields=["-decided_at", "-id"],
                name="supply_auth_override_waiting",
                condition=Q(override_state="requested"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_overridden(self) -> bool:
        return self.override_state == OverrideState.APPROVED

    @property
    def allows_evacuation(self) -> bool:
        return self.outcome != Outcome.REFUSED or self.is_overridden


class Miner(models.Model):
    """An artisanal miner (EMA) member of a mining cooperative.

    Kept without a name on purpose: the plan needs counts by sex and age, and the cooperative's own member number
    is enough to keep the register up to date.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cooperative = models.ForeignKey(
        Organisation,
        verbose_name=_("cooperative"),
        on_delete=models.PROTECT,
        related_name="supply_miners",
        limit_choices_to={"type": "cooperative"},
    )
    member_number = models.CharField(_("member number"), max_length=40)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    joined_on = models.DateField(_("member since"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("artisanal miner (EMA)")
        verbose_name_plural = _("artisanal miners (EMA)")
        ordering = ["cooperative", "member_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "member_number"], name="supply_miner_unique_number"
            ),
            models.CheckConstraint(condition=Q(birth_year__gte=1900), name="supply_miner_birth_year"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=models.F("joined_on")),
                name="supply_miner_left_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cooperative} n° {self.member_number}"

    def age_on(self, day) -> int:
        return day.year - self.birth_year


# The agreements with partners and the companies' commitments live in their own module; imported here so that
# Django finds them with the app's models.
from kinga.supply.models_partners import (  # noqa: E402, F401
    AgreementStatus,
    Breach,
    BreachResponse,
    Clause,
    CommitmentStatus,
    CommitmentTheme,
    Finding,
    SocialCommitment,
    SourcingAgreement,
    VerificationVisit,
)
