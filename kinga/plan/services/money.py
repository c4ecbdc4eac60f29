"""Writes of the plan's money: exchange rates, commitments, disbursements and expenditures (in USD, CDF converted
at the rate of the day). Organisation managers for their own organisation; system-wide roles for everyone."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock
from kinga.core.access import Actor
from kinga.core.models import Organisation
from kinga.plan.models import (
    Action,
    Activity,
    Commitment,
    Currency,
    ExchangeRate,
    FundingTransaction,
    TransactionKind,
)
from kinga.plan.services.logframe import parse_money

# -------------------------------------------------------------------------------------------------- money


def _can_act_for(actor: Actor, organisation_id: int) -> bool:
    return actor.is_system_wide or actor.organisation_id == organisation_id


@transaction.atomic
def record_exchange_rate(*, actor: Actor, date: datetime.date, cdf_per_usd, source: str = "") -> ExchangeRate:
    access.require(actor, "plan.record_funding")
    try:
        rate = Decimal(str(cdf_per_usd))
    except InvalidOperation:
        raise ValidationError({"cdf_per_usd": [_("Enter a number.")]}) from None
    if rate <= 0:
        raise ValidationError({"cdf_per_usd": [_("A rate is greater than zero.")]})
    if date is None or date > clock.today():
        raise ValidationError({"date": [_("Give the date of the rate (not in the future).")]})
    if ExchangeRate.objects.filter(date=date).exists():
        raise ValidationError({"date": [_("A rate is already recorded for this date.")]})
    obj = ExchangeRate.objects.create(
        date=date, cdf_per_usd=rate, source=source.strip(), entered_by=actor.user
    )
    audit.record_create(actor=actor, obj=obj)
    return obj


def _to_usd(amount, currency: str, date: datetime.date) -> tuple[Decimal, Decimal, ExchangeRate | None]:
    original = parse_money(amount, "amount")
    if not original:
        raise ValidationError({"amount": [_("Enter an amount greater than zero.")]})
    if currency == Currency.USD:
        return original, original, None
    if currency != Currency.CDF:
        raise ValidationError({"currency": [_("Amounts are in USD or CDF.")]})
    rate = ExchangeRate.objects.filter(date__lte=date).order_by("-date").first()
    if rate is None:
        raise ValidationError(
            {"currency": [_("No CDF exchange rate on or before this date: enter the rate first.")]}
        )
    usd = (original / rate.cdf_per_usd).quantize(Decimal("0.01"))
    if usd <= 0:
        raise ValidationError({"amount": [_("This amount is less than one cent of a dollar.")]})
    return original, usd, rate


@transaction.atomic
def record_commitment(
    *,
    actor: Actor,
    funder: Organisation,
    action: Action,
    date: datetime.date,
    amount,
    currency: str = Currency.USD,
    activity: Activity | None = None,
    document_ref: str = "",
    note: str = "",
) -> Commitment:
    access.require(actor, "plan.record_funding")
    if not _can_act_for(actor, funder.pk):
        raise PermissionDenied(_("You can only record your own organisation's commitments."))
    if activity is not None and activity.action_id != action.pk:
        raise ValidationError({"activity": [_("This activity belongs to another action.")]})
    if date is None:
        raise ValidationError({"date": [_("Give the date of the commitment.")]})
    original, usd, rate = _to_usd(amount, currency, date)
    commitment = Commitment.objects.create(
        funder=funder,
        action=action,
        activity=activity,
        date=date,
        currency=currency,
        amount_original=original,
        exchange_rate=rate,
        amount_usd=usd,
        document_ref=document_ref.strip(),
        note=note.strip(),
        created_by=actor.user,
    )
    audit.record_create(actor=actor, obj=commitment, organisation=funder)
    return commitment


@transaction.atomic
def record_transaction(
    *,
    actor: Actor,
    commitment: Commitment,
    kind: str,
    date: datetime.date,
    amount,
    currency: str = Currency.USD,
    document_ref: str = "",
    note: str = "",
    override_reason: str = "",
) -> FundingTransaction:
    """A disbursement (against its commitment) or an expenditure (against what was disbursed)."""
    access.require(actor, "plan.record_funding")
    if not _can_act_for(actor, commitment.funder_id):
        raise PermissionDenied(_("You can only record your own organisation's commitments."))
    if kind not in TransactionKind.values:
        raise ValidationError({"kind": [_("Choose disbursement or expenditure.")]})
    if date is None:
        raise ValidationError({"date": [_("Give the date.")]})
    if date < commitment.date:
        raise ValidationError({"date": [_("The date cannot be before the commitment's date.")]})
    original, usd, rate = _to_usd(amount, currency, date)
    # Lock the commitment: two concurrent disbursements cannot both pass the ceiling check.
    Commitment.objects.select_for_update().filter(pk=commitment.pk).first()
    totals = {
        row["kind"]: row["total"]
        for row in FundingTransaction.objects.filter(commitment=commitment)
        .values("kind")
        .annotate(total=Sum("amount_usd"))
    }
    disbursed = totals.get(TransactionKind.DISBURSEMENT, Decimal(0))
    spent = totals.get(TransactionKind.EXPENDITURE, Decimal(0))
    if kind == TransactionKind.DISBURSEMENT:
        exceeds = disbursed + usd > commitment.amount_usd
        message = _("This disbursement takes the total beyond the commitment (%(c)s USD).") % {
            "c": f"{commitment.amount_usd:,.2f}"
        }
    else:
        exceeds = spent + usd > disbursed
        message = _("This expenditure takes the total beyond what was disbursed (%(d)s USD).") % {
            "d": f"{disbursed:,.2f}"
        }
    override_reason = (override_reason or "").strip()
    if exceeds and not override_reason:
        raise ValidationError(
            {"override_reason": [message + " " + _("Give the reason to record it anyway.")]}
        )
    obj = FundingTransaction.objects.create(
        commitment=commitment,
        kind=kind,
        date=date,
        currency=currency,
        amount_original=original,
        exchange_rate=rate,
        amount_usd=usd,
        document_ref=document_ref.strip(),
        note=note.strip(),
        exceeds=exceeds,
        override_reason=override_reason if exceeds else "",
        created_by=actor.user,
    )
    audit.record_create(actor=actor, obj=obj, organisation=commitment.funder)
    return obj
