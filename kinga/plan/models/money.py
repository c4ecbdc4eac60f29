"""The plan's money: exchange rates, commitments by funders, disbursements and expenditures."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.core.models import Organisation
from kinga.plan.models.logframe import Action, Activity


class Currency(models.TextChoices):
    USD = "USD", _("US dollar")
    CDF = "CDF", _("Congolese franc")


class ExchangeRate(models.Model):
    """A CDF per USD rate users enter with its date; amounts in CDF are converted with the rate of their date."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    date = models.DateField(_("date"), unique=True)
    cdf_per_usd = models.DecimalField(_("Congolese francs for 1 USD"), max_digits=12, decimal_places=4)
    source = models.CharField(_("source"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(condition=Q(cdf_per_usd__gt=0), name="plan_exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.date}: 1 USD = {self.cdf_per_usd} CDF"


class MoneyFields(models.Model):
    date = models.DateField(_("date"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.USD)
    amount_original = models.DecimalField(_("amount (in its currency)"), max_digits=16, decimal_places=2)
    exchange_rate = models.ForeignKey(
        ExchangeRate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount_usd = models.DecimalField(_("amount (USD)"), max_digits=14, decimal_places=2)
    document_ref = models.CharField(_("document reference"), max_length=200, blank=True)
    note = models.TextField(_("comment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Commitment(MoneyFields):
    """A funder's pledge to an action (or one of its activities)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    funder = models.ForeignKey(
        Organisation, verbose_name=_("funder"), on_delete=models.PROTECT, related_name="plan_commitments"
    )
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="commitments")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="commitments"
    )

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_usd__gt=0), name="plan_commitment_positive"),
            models.CheckConstraint(
                condition=Q(amount_original__gt=0), name="plan_commitment_original_positive"
            ),
            models.CheckConstraint(
                condition=Q(currency="USD") | Q(exchange_rate__isnull=False),
                name="plan_commitment_cdf_needs_rate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder} → {self.action.code}: {self.amount_usd} USD"


class TransactionKind(models.TextChoices):
    DISBURSEMENT = "disbursement", _("Disbursement")
    EXPENDITURE = "expenditure", _("Expenditure")


class FundingTransaction(MoneyFields):
    """A disbursement or an expenditure against a commitment."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(_("kind"), max_length=16, choices=TransactionKind.choices)
    # Beyond its commitment (disbursement) or beyond what was disbursed (expenditure): allowed only with an
    # explicit override and its reason, and flagged for everyone to see.
    exceeds = models.BooleanField(_("exceeds the commitment"), default=False, db_index=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)

    class Meta:
        verbose_name = _("disbursement or expenditure")
        verbose_name_plural = _("disbursements and expenditures")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["commitment", "kind"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount_usd__gt=0), name="plan_transaction_positive"),
            models.CheckConstraint(
                condition=Q(amount_original__gt=0), name="plan_transaction_original_positive"
            ),
            models.CheckConstraint(
                condition=Q(exceeds=False) | ~Q(override_reason=""), name="plan_transaction_override_reason"
            ),
            models.CheckConstraint(
                condition=Q(currency="USD") | Q(exchange_rate__isnull=False),
                name="plan_transaction_cdf_needs_rate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_usd} USD ({self.date})"
