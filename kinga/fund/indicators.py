"""The support fund's indicators (plan, axis 3, action 4), computed from its ledger (docs/indicators.md, « Fund »).

The fund is provincial: a query for an area counts the funds whose place lies in it (a territory has none). Each
figure is the state at the end of the period, except the rate, which is that of the period's retrocessions.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from kinga.core.indicators import IndicatorQuery, IndicatorValue, indicator_source
from kinga.fund.models import Account, AccountKind, Commission, Receipt, ReceiptSource

PROVENANCE = _("computed from the support fund's ledger")
# A commission is "mixed" when its sitting members come from at least this many of the plan's categories
# (administration, SAESSCAM, companies, civil society, partners): an assumption, docs/guide/fonds.md.
MIXED_CATEGORIES = 2


def _in_area(query: IndicatorQuery, fund_prefix: str) -> Q:
    prefix = query.area_path_prefix()
    return Q(**{f"{fund_prefix}place_path__startswith": prefix}) if prefix else Q()


def _open_accounts(query: IndicatorQuery, kind: str) -> list[IndicatorValue]:
    n = (
        Account.objects.filter(_in_area(query, "fund__"), kind=kind, opened_on__lte=query.end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=query.end))
        .count()
    )
    return [IndicatorValue(value=n)]


@indicator_source("FUND_BANK_ACCOUNT", provenance=PROVENANCE)
def bank_accounts(query: IndicatorQuery) -> list[IndicatorValue]:
    """Bank accounts of the fund open at the end of the period."""
    return _open_accounts(query, AccountKind.BANK)


@indicator_source("FUND_PTF_TRANSACTION_ACCOUNT", provenance=PROVENANCE)
def partner_accounts(query: IndicatorQuery) -> list[IndicatorValue]:
    """Transaction accounts with the technical and financial partners open at the end of the period."""
    return _open_accounts(query, AccountKind.PARTNER_TRANSACTION)


@indicator_source("FUND_RETROCESSION_RATE", provenance=PROVENANCE)
def retrocession_rate(query: IndicatorQuery) -> list[IndicatorValue]:
    """The share of the surface rights actually received by the fund: retrocessions received in the period over
    the surface rights they were computed on, in %. No retrocession in the period: no value."""
    row = Receipt.objects.filter(
        _in_area(query, "fund__"),
        source=ReceiptSource.RETROCESSION,
        received_on__gte=query.start,
        received_on__lte=query.end,
    ).aggregate(amount=Sum("amount"), base=Sum("surface_rights_usd"))
    if not row["base"]:
        return []
    return [IndicatorValue(value=(row["amount"] * 100 / row["base"]).quantize(Decimal("0.01")))]


@indicator_source("FUND_JOINT_COMMISSION", provenance=PROVENANCE)
def joint_commission(query: IndicatorQuery) -> list[IndicatorValue]:
    """1 when a fund has its joint management commission at the end of the period: established by then, with
    members still sitting from at least two of the plan's categories; else 0."""
    sitting = Q(members__joined_on__lte=query.end) & (
        Q(members__left_on__isnull=True) | Q(members__left_on__gt=query.end)
    )
    mixed = (
        Commission.objects.filter(_in_area(query, "fund__"), established_on__lte=query.end)
        .annotate(categories=Count("members__category", filter=sitting, distinct=True))
        .filter(categories__gte=MIXED_CATEGORIES)
        .exists()
    )
    return [IndicatorValue(value=1 if mixed else 0)]
