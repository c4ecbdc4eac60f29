"""Companies and their partners (plan, axis 3, and the retention strategy: "clarify the clauses between partners").

A sourcing agreement binds a buying company and a cooperative, or the sites it buys from, to child-labour clauses
(from the list the province's responsible-business guide draws on, plus the parties' own words); verification
visits check it on the ground, and a breach records what was found and what followed. A company's
sustainable-development commitments (its cahier des charges) are kept where they bear on child protection: the
commitment, its amount, deadline, status and the evidence that it was done. Children appear as counts only.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kinga.core.models import Organisation, Place

MONEY = {"max_digits": 14, "decimal_places": 2}


class Clause(models.TextChoices):
    NO_CHILD_LABOUR = "no_child_labour", _("No child under 18 works on the site or handles the minerals")
    AGE_CHECK = "age_check", _("Workers' ages are checked and registered")
    ACCESS_FOR_VERIFICATION = "access", _("Verification teams may visit the sites unannounced")
    REMEDIATION = "remediation", _("A child found at work is referred to the child-protection services")
    SCHOOLING = "schooling", _("The buyer supports the schooling of the miners' children")
    SUSPENSION = "suspension", _("Purchases are suspended after a serious breach")
    GRIEVANCE = "grievance", _("A grievance mechanism open to the community")
    REPORTING = "reporting", _("The parties report on the clauses at least every quarter")
    TRACEABILITY = "traceability", _("Every lot is traceable to its site")


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", _("In force")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")


class SourcingAgreement(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=100)
    buyer = models.ForeignKey(
        Organisation, verbose_name=_("buying company"), on_delete=models.PROTECT, related_name="+"
    )
    cooperative = models.ForeignKey(
        Organisation,
        verbose_name=_("cooperative"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sites = models.ManyToManyField("sites.Site", verbose_name=_("sites"), blank=True, related_name="+")
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("in force from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    clauses = models.JSONField(_("child-labour clauses"), default=list, blank=True)
    other_clauses = models.TextField(_("other clauses (the parties' words)"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sourcing agreement")
        verbose_name_plural = _("sourcing agreements")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "reference"], name="supply_agreement_unique_reference"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="supply_agreement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def clause_labels(self) -> list[str]:
        labels = dict(Clause.choices)
        return [str(labels.get(code, code)) for code in self.clauses]


class Finding(models.TextChoices):
    COMPLIANT = "compliant", _("Clauses respected")
    MINOR = "minor", _("Minor gaps")
    BREACH = "breach", _("Clause breached")


class VerificationVisit(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(SourcingAgreement, on_delete=models.CASCADE, related_name="visits")
    site = models.ForeignKey(
        "sites.Site",
        verbose_name=_("site visited"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    date = models.DateField(_("date"))
    visited_by = models.ForeignKey(
        Organisation, verbose_name=_("visiting organisation"), on_delete=models.PROTECT, related_name="+"
    )
    finding = models.CharField(_("finding"), max_length=12, choices=Finding.choices)
    children_found = models.PositiveIntegerField(_("children found at work"), default=0)
    notes = models.TextField(_("what was seen"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("verification visit")
        verbose_name_plural = _("verification visits")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.date}"


class BreachResponse(models.TextChoices):
    NONE_YET = "none_yet", _("Nothing yet")
    WARNING = "warning", _("Written warning")
    CORRECTIVE_PLAN = "corrective_plan", _("Corrective plan agreed")
    CHILDREN_REFERRED = "children_referred", _("Children referred to child protection")
    PURCHASES_SUSPENDED = "purchases_suspended", _("Purchases suspended")
    TERMINATED = "terminated", _("Agreement terminated")


class Breach(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(SourcingAgreement, on_delete=models.CASCADE, related_name="breaches")
    visit = models.ForeignKey(
        VerificationVisit, null=True, blank=True, on_delete=models.SET_NULL, related_name="breaches"
    )
    noticed_on = models.DateField(_("noticed on"))
    clause = models.CharField(_("clause breached"), max_length=20, choices=Clause.choices, blank=True)
    description = models.TextField(_("what happened"))
    children_involved = models.PositiveIntegerField(_("children involved"), default=0)
    response = models.CharField(_("what followed"), max_length=20, choices=BreachResponse.choices)
    response_on = models.DateField(_("on"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        ordering = ["-noticed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(response="none_yet") | Q(response_on__isnull=False),
                name="supply_breach_response_dated",
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("noticed_on")),
                name="supply_breach_resolved_after_noticed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.noticed_on}"


class CommitmentTheme(models.TextChoices):
    SCHOOLING = "schooling", _("Schools and schooling")
    CHILD_PROTECTION = "child_protection", _("Child-protection services")
    LIVELIHOODS = "livelihoods", _("Household incomes and livelihoods")
    HEALTH = "health", _("Health and nutrition")
    INFRASTRUCTURE = "infrastructure", _("Community infrastructure")
    OTHER = "other", _("Other")


class CommitmentStatus(models.TextChoices):
    # In context: a commitment's labels agree with one another (« engagement » is masculine in French).
    PLANNED = "planned", pgettext_lazy("commitment", "Planned")
    ONGOING = "ongoing", pgettext_lazy("commitment", "Ongoing")
    DONE = "done", pgettext_lazy("commitment", "Done")
    ABANDONED = "abandoned", pgettext_lazy("commitment", "Abandoned")


def evidence_path(instance, filename: str) -> str:
    return f"supply/commitments/{instance.uuid}/{filename}"


class SocialCommitment(models.Model):
    """One line of a company's cahier des charges (sustainable-development commitments to the communities)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        Organisation, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+"
    )
    commitment = models.TextField(_("commitment"))
    theme = models.CharField(_("theme"), max_length=20, choices=CommitmentTheme.choices)
    child_protection = models.TextField(
        _("how it bears on child protection"),
        help_text=_("What the commitment changes for the children of the mining communities."),
    )
    place = models.ForeignKey(
        Place, verbose_name=_("place"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount_usd = models.DecimalField(_("amount (USD)"), null=True, blank=True, **MONEY)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=CommitmentStatus.choices, default=CommitmentStatus.PLANNED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, blank=True)
    evidence_note = models.TextField(_("evidence (description)"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sustainable-development commitment")
        verbose_name_plural = _("sustainable-development commitments")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_usd__isnull=True) | Q(amount_usd__gte=0), name="supply_commitment_amount"
            ),
            # Done means dated and shown: a file or a description of the evidence.
            models.CheckConstraint(
                condition=~Q(status="done")
                | (Q(done_on__isnull=False) & (~Q(evidence="") | ~Q(evidence_note=""))),
                name="supply_commitment_done_with_evidence",
            ),
        ]

    def __str__(self) -> str:
        return self.commitment[:80]
