"""The artisanal mining support fund (plan, axis 3, action 4): its ledger and its joint management commission.

Money in: the province's share of the surface rights (rétrocession des droits superficiaires) at the rate in force
on the day received (a dated parameter, 40 % in the plan), partners' contributions, loan repayments. Money out:
disbursements to cooperatives, each decided by the commission in a session (a coordination meeting) by a vote.
Amounts are in US dollars, the plan's currency.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kinga.community.models import Meeting
from kinga.core.models import Organisation, Place

MONEY = {"max_digits": 14, "decimal_places": 2}


class RetrocessionRate(models.Model):
    """The share of the surface rights the central government returns to the province, from a date on."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    valid_from = models.DateField(_("in force from"), unique=True)
    rate_percent = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2)
    legal_reference = models.CharField(_("legal reference"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("retrocession rate")
        verbose_name_plural = _("retrocession rates")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_percent__gt=0) & Q(rate_percent__lte=100), name="fund_rate_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rate_percent} % ({self.valid_from})"


class Fund(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    managed_by = models.ForeignKey(
        Organisation, verbose_name=_("managed by"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    place_path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    created_on = models.DateField(_("created on"))
    target_usd = models.DecimalField(_("target (USD)"), null=True, blank=True, **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support fund")
        verbose_name_plural = _("support funds")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AccountKind(models.TextChoices):
    BANK = "bank", _("Bank account of the fund")
    PARTNER_TRANSACTION = "partner_transaction", _("Transaction account with the partners (PTF)")


class Account(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(_("kind"), max_length=24, choices=AccountKind.choices)
    bank = models.CharField(_("bank"), max_length=200)
    number = models.CharField(_("account number"), max_length=64)
    partners = models.ManyToManyField(
        Organisation,
        verbose_name=_("partners (PTF)"),
        blank=True,
        related_name="+",
        help_text=_("The technical and financial partners who pay into or follow this account."),
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["kind", "opened_on"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "number"], name="fund_account_unique_number"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="fund_account_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank} {self.number}"


class ReceiptSource(models.TextChoices):
    RETROCESSION = "retrocession", _("Retrocession of the surface rights")
    PARTNER = "partner", _("Partner contribution")
    OTHER = "other", _("Other receipt")


class Receipt(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="receipts")
    account = models.ForeignKey(Account, verbose_name=_("account credited"), on_delete=models.PROTECT)
    source = models.CharField(_("source"), max_length=16, choices=ReceiptSource.choices)
    received_on = models.DateField(_("received on"), db_index=True)
    payer = models.CharField(_("payer"), max_length=200)
    reference = models.CharField(_("reference"), max_length=100)
    surface_rights_usd = models.DecimalField(
        _("surface rights collected (USD)"),
        null=True,
        blank=True,
        help_text=_("The surface rights the retrocession is computed on."),
        **MONEY,
    )
    rate_percent = models.DecimalField(
        _("rate applied (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    amount = models.DecimalField(_("amount received (USD)"), **MONEY)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "reference"], name="fund_receipt_unique_reference"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_receipt_amount_positive"),
            # A retrocession carries its base and the rate applied; other receipts neither.
            models.CheckConstraint(
                condition=(
                    Q(source="retrocession", surface_rights_usd__gt=0, rate_percent__gt=0)
                    | (
                        ~Q(source="retrocession")
                        & Q(surface_rights_usd__isnull=True, rate_percent__isnull=True)
                    )
                ),
                name="fund_receipt_retrocession_base",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def expected_amount(self):
        if self.surface_rights_usd is None or self.rate_percent is None:
            return None
        return (self.surface_rights_usd * self.rate_percent / 100).quantize(self.amount.__class__("0.01"))


class Commission(models.Model):
    """The joint management commission (commission mixte de gestion) of a fund."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.OneToOneField(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="commission"
    )
    name = models.CharField(_("name"), max_length=200)
    established_on = models.DateField(_("established on"))
    act_reference = models.CharField(_("founding act"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("joint management commission")
        verbose_name_plural = _("joint management commissions")

    def __str__(self) -> str:
        return self.name


class MemberCategory(models.TextChoices):
    """The stakeholders the plan names for the commission (axis 3, action 4, activity 3)."""

    PROVINCIAL_GOVERNMENT = "provincial_government", _("Provincial government")
    MINES_ADMINISTRATION = "mines_administration", _("Mines administration")
    SAESSCAM = "saesscam", _("SAESSCAM")
    COMPANY = "company", _("Partner mining company")
    CIVIL_SOCIETY = "civil_society", _("Civil society of the mining sector")
    PARTNER = "partner", _("Technical and financial partner")


class CommissionMember(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("category"), max_length=24, choices=MemberCategory.choices)
    representative = models.CharField(_("representative"), max_length=200, blank=True)
    function = models.CharField(_("function in the commission"), max_length=100, blank=True)
    joined_on = models.DateField(_("member since"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("commission member")
        verbose_name_plural = _("commission members")
        ordering = ["category", "joined_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["commission", "organisation"],
                condition=Q(left_on__isnull=True),
                name="fund_member_once_active",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="fund_member_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class Session(models.Model):
    """A session of the commission: a coordination meeting (its date, participants, minutes) of the commission."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="sessions")
    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="fund_session")
    members_present = models.ManyToManyField(CommissionMember, blank=True, related_name="sessions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commission session")
        verbose_name_plural = _("commission sessions")

    def __str__(self) -> str:
        return str(self.meeting)


class DecisionKind(models.TextChoices):
    GRANT = "grant", _("Grant to a cooperative")
    LOAN = "loan", _("Loan to a cooperative")
    OTHER = "other", _("Other decision")


class DecisionOutcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Rejected")


class Decision(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="decisions")
    number = models.CharField(_("number"), max_length=40)
    subject = models.TextField(_("subject"))
    kind = models.CharField(_("kind"), max_length=8, choices=DecisionKind.choices)
    cooperative = models.ForeignKey(
        Organisation,
        verbose_name=_("cooperative"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(_("amount (USD)"), null=True, blank=True, **MONEY)
    votes_for = models.PositiveIntegerField(_("votes for"))
    votes_against = models.PositiveIntegerField(_("votes against"), default=0)
    votes_abstaining = models.PositiveIntegerField(_("abstentions"), default=0)
    outcome = models.CharField(_("outcome"), max_length=8, choices=DecisionOutcome.choices, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commission decision")
        verbose_name_plural = _("commission decisions")
        ordering = ["-session__meeting__date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="fund_decision_unique_number"),
            # A decision to give money names the cooperative and the amount.
            models.CheckConstraint(
                condition=Q(kind="other") | Q(cooperative__isnull=False, amount__gt=0),
                name="fund_decision_money_named",
            ),
            models.CheckConstraint(
                condition=(
                    Q(outcome="adopted", votes_for__gt=F("votes_against"))
                    | Q(outcome="rejected", votes_for__lte=F("votes_against"))
                ),
                name="fund_decision_outcome_from_votes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.subject[:60]}"


class Disbursement(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="disbursements")
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="disbursements"
    )
    cooperative = models.ForeignKey(
        Organisation, verbose_name=_("cooperative"), on_delete=models.PROTECT, related_name="+"
    )
    account = models.ForeignKey(Account, verbose_name=_("account debited"), on_delete=models.PROTECT)
    kind = models.CharField(_("kind"), max_length=8, choices=DecisionKind.choices)
    amount = models.DecimalField(_("amount (USD)"), **MONEY)
    purpose = models.TextField(_("purpose"))
    disbursed_on = models.DateField(_("disbursed on"), db_index=True)
    reference = models.CharField(_("reference"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["-disbursed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "reference"], name="fund_disbursement_unique_reference"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_disbursement_amount_positive"),
            models.CheckConstraint(condition=~Q(kind="other"), name="fund_disbursement_grant_or_loan"),
        ]

    def __str__(self) -> str:
        return self.reference


def document_path(instance, filename: str) -> str:
    return f"fund/disbursements/{instance.disbursement.uuid}/{filename}"


class DisbursementDocument(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    disbursement = models.ForeignKey(Disbursement, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_path)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("disbursement document")
        verbose_name_plural = _("disbursement documents")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.title


class Instalment(models.Model):
    """One due date of a loan's repayment schedule."""

    disbursement = models.ForeignKey(Disbursement, on_delete=models.CASCADE, related_name="instalments")
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount due (USD)"), **MONEY)

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(fields=["disbursement", "due_on"], name="fund_instalment_unique_day"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_instalment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.due_on} {self.amount}"


class Repayment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    disbursement = models.ForeignKey(Disbursement, on_delete=models.PROTECT, related_name="repayments")
    account = models.ForeignKey(Account, verbose_name=_("account credited"), on_delete=models.PROTECT)
    paid_on = models.DateField(_("paid on"), db_index=True)
    amount = models.DecimalField(_("amount (USD)"), **MONEY)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_repayment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.disbursement} {self.paid_on}"
