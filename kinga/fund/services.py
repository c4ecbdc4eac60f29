"""Writes of the support fund: atomic, audited, keyword-only; refusals are ValidationError({field: [message]}),
a missing permission PermissionDenied. Only the managing organisation (or the coordination) writes a fund's ledger.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from kinga.community import services as community_services
from kinga.core import access, audit, clock, uploads
from kinga.core.access import Actor
from kinga.core.models import Organisation, OrganisationType, Place
from kinga.fund import selectors
from kinga.fund.models import (
    Account,
    AccountKind,
    Commission,
    CommissionMember,
    Decision,
    DecisionKind,
    DecisionOutcome,
    Disbursement,
    DisbursementDocument,
    Fund,
    Instalment,
    MemberCategory,
    Receipt,
    ReceiptSource,
    Repayment,
    RetrocessionRate,
    Session,
)
from kinga.fund.scopes import manages

CENT = Decimal("0.01")


def _clean(obj) -> None:
    obj.full_clean(validate_unique=True)


def _save_new(actor: Actor, obj) -> None:
    """A new record checked against its model's rules, saved, and written to the audit trail."""
    _clean(obj)
    obj.save()
    audit.record_create(actor=actor, obj=obj)


def _writer(actor: Actor, perm: str, fund: Fund) -> None:
    access.require(actor, perm)
    if not manages(actor, fund):
        raise PermissionDenied(_("Only the organisation that manages the fund records its ledger."))


def _not_future(day: datetime.date, field: str) -> None:
    if day > clock.today():
        raise ValidationError({field: [_("The date cannot be in the future.")]})


def _positive(amount: Decimal | None, field: str) -> Decimal:
    if amount is None or amount <= 0:
        raise ValidationError({field: [_("Give an amount greater than zero.")]})
    return amount.quantize(CENT)


# --------------------------------------------------------------------------------------------------- set-up


@transaction.atomic
def set_retrocession_rate(
    *, actor: Actor, valid_from: datetime.date, rate_percent: Decimal, legal_reference: str = ""
) -> RetrocessionRate:
    """The rate the central government returns to the province from `valid_from` on (40 % in the plan). Receipts
    already recorded keep the rate they were recorded with."""
    access.require(actor, "fund.manage")
    if not (actor.is_system_wide or Fund.objects.filter(managed_by_id=actor.organisation_id).exists()):
        raise PermissionDenied(_("Only the organisation that manages the fund records its ledger."))
    if rate_percent is None or not (0 < rate_percent <= 100):
        raise ValidationError({"rate_percent": [_("The rate is a percentage between 0 and 100.")]})
    if RetrocessionRate.objects.filter(valid_from=valid_from).exists():
        raise ValidationError({"valid_from": [_("A rate is already in force from that date.")]})
    rate = RetrocessionRate(
        valid_from=valid_from, rate_percent=rate_percent, legal_reference=legal_reference.strip()
    )
    _save_new(actor, rate)
    return rate


@transaction.atomic
def create_fund(
    *,
    actor: Actor,
    name: str,
    managed_by: Organisation,
    place: Place,
    created_on: datetime.date,
    target_usd: Decimal | None = None,
) -> Fund:
    access.require(actor, "fund.manage")
    if managed_by.pk != actor.organisation_id and not actor.is_system_wide:
        raise ValidationError({"managed_by": [_("You can only record for your own organisation.")]})
    _not_future(created_on, "created_on")
    fund = Fund(
        name=name.strip(),
        managed_by=managed_by,
        place=place,
        place_path=place.path,
        created_on=created_on,
        target_usd=target_usd,
    )
    _save_new(actor, fund)
    return fund


@transaction.atomic
def open_account(
    *,
    actor: Actor,
    fund: Fund,
    kind: str,
    bank: str,
    number: str,
    opened_on: datetime.date,
    partners: Sequence[Organisation] = (),
) -> Account:
    _writer(actor, "fund.manage", fund)
    if kind not in AccountKind.values:
        raise ValidationError({"kind": [_("Unknown kind of account.")]})
    _not_future(opened_on, "opened_on")
    if opened_on < fund.created_on:
        raise ValidationError({"opened_on": [_("The account cannot be opened before the fund was created.")]})
    if kind == AccountKind.PARTNER_TRANSACTION and not partners:
        raise ValidationError({"partners": [_("Name the partners (PTF) of the transaction account.")]})
    account = Account(fund=fund, kind=kind, bank=bank.strip(), number=number.strip(), opened_on=opened_on)
    _clean(account)
    account.save()
    account.partners.set(partners)
    audit.record_create(
        actor=actor, obj=account, extra_changes={"partners": sorted(str(p.uuid) for p in partners)}
    )
    return account


@transaction.atomic
def close_account(*, actor: Actor, account: Account, closed_on: datetime.date) -> Account:
    _writer(actor, "fund.manage", account.fund)
    _not_future(closed_on, "closed_on")
    if closed_on < account.opened_on:
        raise ValidationError({"closed_on": [_("The account cannot be closed before it was opened.")]})
    before = audit.snapshot(account)
    account.closed_on = closed_on
    account.save(update_fields=["closed_on"])
    audit.record_update(actor=actor, obj=account, before=before)
    return account


def _open_on(account: Account, fund: Fund, day: datetime.date, field: str = "account") -> None:
    if account.fund_id != fund.pk:
        raise ValidationError({field: [_("This account is not the fund's.")]})
    if account.opened_on > day or (account.closed_on is not None and account.closed_on < day):
        raise ValidationError({field: [_("The account was not open on that date.")]})


# ------------------------------------------------------------------------------------------------ receipts


@transaction.atomic
def record_receipt(
    *,
    actor: Actor,
    fund: Fund,
    account: Account,
    source: str,
    received_on: datetime.date,
    payer: str,
    reference: str,
    amount: Decimal | None = None,
    surface_rights_usd: Decimal | None = None,
) -> Receipt:
    """Money received. A retrocession gives the surface rights collected; the rate in force on the day is applied
    and kept on the receipt, and the amount defaults to their product."""
    _writer(actor, "fund.record", fund)
    if source not in ReceiptSource.values:
        raise ValidationError({"source": [_("Unknown source.")]})
    _not_future(received_on, "received_on")
    _open_on(account, fund, received_on)
    rate_percent = None
    if source == ReceiptSource.RETROCESSION:
        surface_rights_usd = _positive(surface_rights_usd, "surface_rights_usd")
        rate = selectors.rate_on(received_on)
        if rate is None:
            raise ValidationError(
                {"received_on": [_("No retrocession rate is in force on that date: record the rate first.")]}
            )
        rate_percent = rate.rate_percent
        if amount is None:
            amount = surface_rights_usd * rate_percent / 100
    elif surface_rights_usd is not None:
        raise ValidationError(
            {"surface_rights_usd": [_("Only a retrocession is computed on the surface rights.")]}
        )
    amount = _positive(amount, "amount")
    if not reference.strip():
        raise ValidationError({"reference": [_("This field is required.")]})
    if Receipt.objects.filter(fund=fund, reference=reference.strip()).exists():
        raise ValidationError({"reference": [_("A receipt of this fund already has this reference.")]})
    receipt = Receipt(
        fund=fund,
        account=account,
        source=source,
        received_on=received_on,
        payer=payer.strip(),
        reference=reference.strip(),
        surface_rights_usd=surface_rights_usd,
        rate_percent=rate_percent,
        amount=amount,
        recorded_by=actor.user,
    )
    _save_new(actor, receipt)
    return receipt


# ---------------------------------------------------------------------------------------------- commission


@transaction.atomic
def establish_commission(
    *, actor: Actor, fund: Fund, name: str, established_on: datetime.date, act_reference: str = ""
) -> Commission:
    _writer(actor, "fund.manage", fund)
    _not_future(established_on, "established_on")
    if Commission.objects.filter(fund=fund).exists():
        raise ValidationError({"name": [_("The fund already has its commission.")]})
    commission = Commission(
        fund=fund, name=name.strip(), established_on=established_on, act_reference=act_reference.strip()
    )
    _save_new(actor, commission)
    return commission


@transaction.atomic
def add_member(
    *,
    actor: Actor,
    commission: Commission,
    organisation: Organisation,
    category: str,
    joined_on: datetime.date,
    representative: str = "",
    function: str = "",
) -> CommissionMember:
    _writer(actor, "fund.manage", commission.fund)
    if category not in MemberCategory.values:
        raise ValidationError({"category": [_("Unknown category.")]})
    if joined_on < commission.established_on:
        raise ValidationError(
            {"joined_on": [_("A member cannot join before the commission was established.")]}
        )
    if commission.members.filter(organisation=organisation, left_on__isnull=True).exists():
        raise ValidationError({"organisation": [_("This organisation already sits on the commission.")]})
    member = CommissionMember(
        commission=commission,
        organisation=organisation,
        category=category,
        joined_on=joined_on,
        representative=representative.strip(),
        function=function.strip(),
    )
    _save_new(actor, member)
    return member


@transaction.atomic
def end_membership(*, actor: Actor, member: CommissionMember, left_on: datetime.date) -> CommissionMember:
    _writer(actor, "fund.manage", member.commission.fund)
    if member.left_on is not None:
        raise ValidationError({"left_on": [_("This member has already left.")]})
    if left_on < member.joined_on:
        raise ValidationError({"left_on": [_("A member cannot leave before joining.")]})
    before = audit.snapshot(member)
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    audit.record_update(actor=actor, obj=member, before=before)
    return member


@transaction.atomic
def record_session(
    *,
    actor: Actor,
    commission: Commission,
    date: datetime.date,
    members_present: Sequence[CommissionMember],
    title: str = "",
    agenda: str = "",
    minutes_text: str = "",
    place: Place | None = None,
) -> Session:
    """A session of the commission, kept as a coordination meeting of the consultation framework (convened by the
    managing organisation, the members present as its participants) so that it counts with the others."""
    fund = commission.fund
    _writer(actor, "fund.manage", fund)
    _not_future(date, "date")
    if date < commission.established_on:
        raise ValidationError({"date": [_("The commission was not yet established on that date.")]})
    present = list(members_present)
    for member in present:
        if member.commission_id != commission.pk:
            raise ValidationError({"members_present": [_("Only the commission's members can sit.")]})
        if member.joined_on > date or (member.left_on is not None and member.left_on < date):
            raise ValidationError(
                {
                    "members_present": [
                        _("%(org)s was not a member on that date.") % {"org": member.organisation}
                    ]
                }
            )
    meeting = community_services.create_meeting(
        actor=actor,
        title=title.strip() or _("Session of the %(name)s") % {"name": commission.name},
        date=date,
        convening_organisation=fund.managed_by,
        participant_organisations=[m.organisation for m in present],
        agenda=agenda,
        minutes_text=minutes_text,
        place=place,
    )
    session = Session.objects.create(commission=commission, meeting=meeting)
    session.members_present.set(present)
    audit.record_create(
        actor=actor, obj=session, extra_changes={"members_present": sorted(str(m.uuid) for m in present)}
    )
    return session


@transaction.atomic
def record_decision(
    *,
    actor: Actor,
    session: Session,
    number: str,
    subject: str,
    kind: str,
    votes_for: int,
    votes_against: int = 0,
    votes_abstaining: int = 0,
    cooperative: Organisation | None = None,
    amount: Decimal | None = None,
) -> Decision:
    """A decision of a session with its vote: adopted when more members voted for than against."""
    _writer(actor, "fund.manage", session.commission.fund)
    if kind not in DecisionKind.values:
        raise ValidationError({"kind": [_("Unknown kind of decision.")]})
    if min(votes_for, votes_against, votes_abstaining) < 0:
        raise ValidationError({"votes_for": [_("A number of votes cannot be negative.")]})
    present = session.members_present.count()
    if present and votes_for + votes_against + votes_abstaining > present:
        raise ValidationError({"votes_for": [_("More votes than members present (%(n)s).") % {"n": present}]})
    if kind == DecisionKind.OTHER:
        cooperative, amount = None, None
    else:
        if cooperative is None or cooperative.type != OrganisationType.COOPERATIVE:
            raise ValidationError({"cooperative": [_("Choose the cooperative.")]})
        amount = _positive(amount, "amount")
    if session.decisions.filter(number=number.strip()).exists():
        raise ValidationError({"number": [_("This session already has a decision with this number.")]})
    decision = Decision(
        session=session,
        number=number.strip(),
        subject=subject.strip(),
        kind=kind,
        cooperative=cooperative,
        amount=amount,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstaining=votes_abstaining,
        outcome=DecisionOutcome.ADOPTED if votes_for > votes_against else DecisionOutcome.REJECTED,
    )
    _save_new(actor, decision)
    return decision


# ------------------------------------------------------------------------------------------- disbursements


@transaction.atomic
def record_disbursement(
    *,
    actor: Actor,
    decision: Decision,
    account: Account,
    amount: Decimal,
    purpose: str,
    disbursed_on: datetime.date,
    reference: str,
    instalments: Sequence[tuple[datetime.date, Decimal]] = (),
) -> Disbursement:
    """Money paid to a cooperative as the commission decided. A loan carries its repayment schedule, whose
    instalments add up to the amount lent. The fund never pays out more than it holds."""
    fund = Fund.objects.select_for_update().get(pk=decision.session.commission.fund_id)
    _writer(actor, "fund.record", fund)
    if decision.outcome != DecisionOutcome.ADOPTED or decision.kind == DecisionKind.OTHER:
        raise ValidationError(
            {"decision": [_("Only an adopted decision to give or lend money is paid out.")]}
        )
    amount = _positive(amount, "amount")
    _not_future(disbursed_on, "disbursed_on")
    if disbursed_on < decision.session.meeting.date:
        raise ValidationError({"disbursed_on": [_("The money cannot leave before the decision was taken.")]})
    _open_on(account, fund, disbursed_on)
    paid = decision.disbursements.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if paid + amount > decision.amount:
        raise ValidationError(
            {"amount": [_("The decision allows %(left)s USD more.") % {"left": decision.amount - paid}]}
        )
    for day in {disbursed_on, max(disbursed_on, clock.today())}:
        available = selectors.balance(fund, on=day)
        if amount > available:
            raise ValidationError(
                {
                    "amount": [
                        _("The fund holds %(balance)s USD on %(day)s.") % {"balance": available, "day": day}
                    ]
                }
            )
    schedule = [(due, _positive(due_amount, "instalments")) for due, due_amount in instalments]
    if decision.kind == DecisionKind.LOAN:
        if not schedule:
            raise ValidationError({"instalments": [_("A loan needs its repayment schedule.")]})
        if sum((a for _d, a in schedule), Decimal(0)) != amount:
            raise ValidationError({"instalments": [_("The instalments must add up to the amount lent.")]})
        if len({d for d, _a in schedule}) != len(schedule) or min(d for d, _a in schedule) <= disbursed_on:
            raise ValidationError(
                {"instalments": [_("Each instalment falls on its own day, after the disbursement.")]}
            )
    elif schedule:
        raise ValidationError({"instalments": [_("A grant is not repaid.")]})
    if not reference.strip():
        raise ValidationError({"reference": [_("This field is required.")]})
    if Disbursement.objects.filter(fund=fund, reference=reference.strip()).exists():
        raise ValidationError({"reference": [_("A disbursement of this fund already has this reference.")]})
    disbursement = Disbursement(
        fund=fund,
        decision=decision,
        cooperative=decision.cooperative,
        account=account,
        kind=decision.kind,
        amount=amount,
        purpose=purpose.strip(),
        disbursed_on=disbursed_on,
        reference=reference.strip(),
        recorded_by=actor.user,
    )
    _clean(disbursement)
    disbursement.save()
    Instalment.objects.bulk_create(
        [Instalment(disbursement=disbursement, due_on=d, amount=a) for d, a in sorted(schedule)]
    )
    audit.record_create(
        actor=actor,
        obj=disbursement,
        extra_changes={"instalments": [[d.isoformat(), str(a)] for d, a in sorted(schedule)]},
    )
    return disbursement


@transaction.atomic
def add_document(
    *, actor: Actor, disbursement: Disbursement, title: str, file: UploadedFile
) -> DisbursementDocument:
    _writer(actor, "fund.record", disbursement.fund)
    if not title.strip():
        raise ValidationError({"title": [_("This field is required.")]})
    try:
        uploads.validate_document(file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    document = DisbursementDocument(disbursement=disbursement, title=title.strip(), file=file)
    _save_new(actor, document)
    return document


@transaction.atomic
def record_repayment(
    *,
    actor: Actor,
    disbursement: Disbursement,
    account: Account,
    paid_on: datetime.date,
    amount: Decimal,
    reference: str = "",
) -> Repayment:
    fund = Fund.objects.select_for_update().get(pk=disbursement.fund_id)
    _writer(actor, "fund.record", fund)
    if disbursement.kind != DecisionKind.LOAN:
        raise ValidationError({"amount": [_("A grant is not repaid.")]})
    amount = _positive(amount, "amount")
    _not_future(paid_on, "paid_on")
    if paid_on < disbursement.disbursed_on:
        raise ValidationError({"paid_on": [_("A repayment cannot come before the loan.")]})
    _open_on(account, fund, paid_on)
    repaid = disbursement.repayments.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if repaid + amount > disbursement.amount:
        raise ValidationError(
            {"amount": [_("Only %(left)s USD remain to be repaid.") % {"left": disbursement.amount - repaid}]}
        )
    repayment = Repayment(
        disbursement=disbursement,
        account=account,
        paid_on=paid_on,
        amount=amount,
        reference=reference.strip(),
        recorded_by=actor.user,
    )
    _save_new(actor, repayment)
    return repayment
