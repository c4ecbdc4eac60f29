"""Writes of the community micro-finance groups: the group, its member households, loans and repayments.

The group's fund revolves: a loan is refused beyond what the fund holds (capital put in, plus repayments, less
what is lent), and a repayment beyond what the loan still owes.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit, clock
from kinga.core.access import Actor
from kinga.core.models import Organisation, Place
from kinga.households import selectors_production as selectors
from kinga.households.models import (
    FinanceGroup,
    GroupKind,
    GroupMember,
    Household,
    Loan,
    LoanPurpose,
    LoanRepayment,
)

from .households import Errors, to_decimal

CENT = Decimal("0.01")


def _date(
    day: datetime.date | None, field: str, errors: Errors, *, after: datetime.date | None = None, what=""
):
    if day is None:
        errors.add(field, _("Give the date."))
    elif day > clock.today():
        errors.add(field, _("This date cannot be in the future."))
    elif after is not None and day < after:
        errors.add(field, what % {"date": after.strftime("%d/%m/%Y")})


def _amount(value, field: str, errors: Errors, *, zero_allowed: bool = False) -> Decimal | None:
    amount = to_decimal(value, field, errors)
    if amount is None:
        return None
    if amount < 0 or (amount == 0 and not zero_allowed):
        errors.add(field, _("Give an amount greater than zero."))
        return None
    return amount.quantize(CENT)


@transaction.atomic
def create_group(
    *,
    actor: Actor,
    name: str,
    kind: str,
    place: Place,
    formed_on: datetime.date,
    capital_usd: Decimal | str | int = 0,
    organisation: Organisation | None = None,
) -> FinanceGroup:
    """A micro-finance group supported by the actor's organisation (the coordination may name another)."""
    access.require(actor, "households.manage_programmes")
    errors = Errors()
    if organisation is None or not actor.is_system_wide:
        organisation = actor.organisation
    name = (name or "").strip()
    if not name:
        errors.add("name", _("The name is required."))
    elif FinanceGroup.objects.filter(organisation=organisation, name__iexact=name).exists():
        errors.add("name", _("Your organisation already supports a group with this name."))
    if kind not in GroupKind.values:
        errors.add("kind", _("Choose the kind of group."))
    if place is None:
        errors.add("place", _("Choose the place."))
    if organisation is None:
        errors.add("name", _("You can only record for your own organisation."))
    _date(formed_on, "formed_on", errors)
    capital = _amount(capital_usd or 0, "capital_usd", errors, zero_allowed=True)
    errors.raise_if_any()
    group = FinanceGroup.objects.create(
        name=name,
        kind=kind,
        organisation=organisation,
        place=place,
        place_path=place.path,
        territory=place.territory,
        formed_on=formed_on,
        capital_usd=capital,
    )
    audit.record_create(actor=actor, obj=group)
    return group


@transaction.atomic
def add_capital(*, actor: Actor, group: FinanceGroup, amount_usd: Decimal | str) -> FinanceGroup:
    """Members' savings or a grant put into the fund."""
    access.require(actor, "households.enrol")
    errors = Errors()
    amount = _amount(amount_usd, "amount_usd", errors)
    errors.raise_if_any()
    group = FinanceGroup.objects.select_for_update().get(pk=group.pk)
    before = audit.snapshot(group, ["capital_usd"])
    group.capital_usd += amount
    group.save(update_fields=["capital_usd"])
    audit.record_update(actor=actor, obj=group, before=before)
    return group


@transaction.atomic
def add_group_member(
    *, actor: Actor, group: FinanceGroup, household: Household, joined_on: datetime.date
) -> GroupMember:
    access.require(actor, "households.enrol")
    errors = Errors()
    if household.organisation_id != group.organisation_id:
        errors.add("household", _("This household is followed by another organisation than the group's."))
    elif group.members.filter(household=household).exists():
        errors.add("household", _("This household is already a member of the group."))
    _date(joined_on, "joined_on", errors, after=group.formed_on, what=_("The group was formed on %(date)s."))
    errors.raise_if_any()
    member = GroupMember.objects.create(group=group, household=household, joined_on=joined_on)
    audit.record_create(actor=actor, obj=member)
    return member


@transaction.atomic
def record_loan(
    *,
    actor: Actor,
    group: FinanceGroup,
    household: Household,
    purpose: str,
    amount_usd: Decimal | str,
    issued_on: datetime.date,
    due_on: datetime.date,
    interest_percent: Decimal | str | int = 0,
) -> Loan:
    """A loan of the group's fund to a member household, never beyond what the fund holds."""
    access.require(actor, "households.enrol")
    # One writer at a time per group: two loans at once could otherwise both spend the same money.
    group = FinanceGroup.objects.select_for_update().get(pk=group.pk)
    errors = Errors()
    member = group.members.filter(household=household).first()
    if member is None:
        errors.add("household", _("This household is not a member of the group."))
    if purpose not in LoanPurpose.values:
        errors.add("purpose", _("Choose what the loan is for."))
    amount = _amount(amount_usd, "amount_usd", errors)
    interest = to_decimal(interest_percent or 0, "interest_percent", errors)
    if interest is not None and not (0 <= interest <= 100):
        errors.add("interest_percent", _("The interest is a percentage between 0 and 100."))
    _date(issued_on, "issued_on", errors)
    on_day = member is not None and issued_on is not None
    if on_day and (issued_on < member.joined_on or (member.left_on and issued_on > member.left_on)):
        errors.add("issued_on", _("The household was not a member of the group on that day."))
    if due_on is None:
        errors.add("due_on", _("Give the date."))
    elif issued_on is not None and due_on < issued_on:
        errors.add("due_on", _("The loan is due after it is lent."))
    if amount is not None and not errors:
        available = selectors.group_totals(group).available
        if amount > available:
            errors.add(
                "amount_usd",
                _("The group's fund holds %(available)s USD: it cannot lend more.")
                % {"available": available},
            )
    errors.raise_if_any()
    loan = Loan.objects.create(
        group=group,
        household=household,
        purpose=purpose,
        amount_usd=amount,
        interest_percent=interest,
        issued_on=issued_on,
        due_on=due_on,
    )
    audit.record_create(actor=actor, obj=loan)
    return loan


@transaction.atomic
def record_repayment(
    *, actor: Actor, loan: Loan, paid_on: datetime.date, amount_usd: Decimal | str
) -> LoanRepayment:
    access.require(actor, "households.enrol")
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    errors = Errors()
    amount = _amount(amount_usd, "amount_usd", errors)
    _date(paid_on, "paid_on", errors, after=loan.issued_on, what=_("The loan was made on %(date)s."))
    if amount is not None:
        owed = loan.amount_due - selectors.repaid(loan)
        if amount > owed:
            errors.add("amount_usd", _("The loan still owes %(owed)s USD.") % {"owed": owed})
    errors.raise_if_any()
    repayment = LoanRepayment.objects.create(loan=loan, paid_on=paid_on, amount_usd=amount)
    audit.record_create(actor=actor, obj=repayment)
    return repayment
