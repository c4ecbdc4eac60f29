"""Referrals to provider organisations: consent first, then accept/decline, then the service delivered."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kinga.core import access, audit, clock
from kinga.core.access import Actor
from kinga.core.models import Organisation
from kinga.plan import attribution
from kinga.plan.models import Activity, Commitment

from ..models import (
    CarePlanItemStatus,
    Case,
    CaseStatus,
    Referral,
    ReferralStatus,
    Service,
    ServiceType,
)
from .common import check_date, current_rules, log_event, require_case_team, sharing_consent_missing
from .workflow import refresh_next_due

REFERRABLE_STATUSES = [
    CaseStatus.REGISTERED,
    CaseStatus.ASSESSED,
    CaseStatus.CARE_PLAN,
    CaseStatus.IN_IMPLEMENTATION,
    CaseStatus.UNDER_FOLLOW_UP,
]


@transaction.atomic
def make_referral(
    *,
    actor: Actor,
    case: Case,
    provider: Organisation | None = None,
    service: Service | None = None,
    service_type: str = "",
    reason: str = "",
    date: datetime.date,
    consent_override_reason: str = "",
    today: datetime.date | None = None,
    plan_activity: Activity | None = None,
    commitment: Commitment | None = None,
) -> Referral:
    """Refers the child to a provider. Without consent to share with that provider it is refused, unless
    a supervisor or manager records an emergency override with its reason (audited)."""
    access.require(actor, "cases.work")
    require_case_team(actor, case)
    today = today or clock.today()
    check_date("date", date, today=today)
    if case.registration_date and date < case.registration_date:
        raise ValidationError({"date": [_("The referral is dated before the registration.")]})
    if service is not None and plan_activity is None and commitment is None:
        # By default a referral is attributed as the service it goes to is.
        plan_activity, commitment = service.plan_activity, service.commitment
    plan_activity, commitment = attribution.check(plan_activity, commitment)
    if service is not None:
        provider = provider or service.organisation
        service_type = service_type or service.service_type
        if service.organisation_id != provider.pk:
            raise ValidationError({"service": [_("This service belongs to another provider.")]})
    if provider is None:
        raise ValidationError({"provider": [_("Choose the provider organisation.")]})
    if service_type not in ServiceType.values:
        raise ValidationError({"service_type": [_("Choose the type of service.")]})
    if case.status not in REFERRABLE_STATUSES:
        raise ValidationError(
            {
                "status": [
                    _("A case that is “%(status)s” cannot be referred.")
                    % {"status": CaseStatus(case.status).label}
                ]
            }
        )
    missing = sharing_consent_missing(case, provider)
    override = consent_override_reason.strip()
    if missing and not override:
        raise ValidationError(
            {
                "consent": [
                    _(
                        "Referral refused: missing %(missing)s. Record the consent first (or, in an emergency, a supervisor records an override with its reason)."
                    )
                    % {"missing": "; ".join(str(m) for m in missing)}
                ]
            }
        )
    if missing and not actor.has("cases.override_consent"):
        raise PermissionDenied(_("Only a supervisor or manager may refer without consent, in an emergency."))
    referral = Referral.objects.create(
        case=case,
        provider=provider,
        service=service,
        service_type=service_type,
        reason=reason.strip(),
        referred_on=date,
        plan_activity=plan_activity,
        commitment=commitment,
        answer_due=date + datetime.timedelta(days=current_rules().referral_response_days),
        consent_override_reason=override if missing else "",
        consent_override_by=actor.user if missing else None,
        referred_by=actor.user,
    )
    audit.record_create(actor=actor, obj=referral, note="EMERGENCY CONSENT OVERRIDE" if missing else "")
    log_event(
        case,
        actor=actor,
        kind="referral",
        date=date,
        params={"org": str(provider), "service_type": service_type, "emergency": bool(missing)},
    )
    refresh_next_due(case)
    return referral


def _provider_member(actor: Actor, referral: Referral) -> None:
    access.require(actor, "cases.provide_service")
    if not actor.is_system and actor.organisation_id != referral.provider_id:
        raise PermissionDenied(_("This referral was sent to another organisation."))


@transaction.atomic
def answer_referral(
    *,
    actor: Actor,
    referral: Referral,
    accept: bool,
    date: datetime.date,
    reason: str = "",
    today: datetime.date | None = None,
) -> Referral:
    _provider_member(actor, referral)
    today = today or clock.today()
    check_date("date", date, today=today)
    if date < referral.referred_on:
        raise ValidationError({"date": [_("The answer is dated before the referral.")]})
    if referral.status != ReferralStatus.PENDING:
        raise ValidationError({"status": [_("This referral has already been answered.")]})
    if not accept and not reason.strip():
        raise ValidationError({"reason": [_("Say why the referral is declined.")]})
    before = audit.snapshot(referral)
    referral.status = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
    referral.answered_on = date
    referral.answered_by = actor.user
    referral.decline_reason = "" if accept else reason.strip()[:300]
    referral.save(update_fields=["status", "answered_on", "answered_by", "decline_reason"])
    audit.record_update(actor=actor, obj=referral, before=before)
    log_event(
        referral.case,
        actor=actor,
        kind="referral_answer",
        date=date,
        params={"org": str(referral.provider), "accepted": accept},
    )
    refresh_next_due(referral.case)
    return referral


@transaction.atomic
def report_service_delivered(
    *,
    actor: Actor,
    referral: Referral,
    date: datetime.date,
    note: str = "",
    today: datetime.date | None = None,
) -> Referral:
    _provider_member(actor, referral)
    today = today or clock.today()
    check_date("date", date, today=today)
    if referral.status != ReferralStatus.ACCEPTED:
        raise ValidationError({"status": [_("Accept the referral before reporting the service.")]})
    if date < referral.answered_on:
        raise ValidationError({"date": [_("The service is dated before the referral was accepted.")]})
    before = audit.snapshot(referral)
    referral.status = ReferralStatus.COMPLETED
    referral.delivered_on = date
    referral.delivery_note = note.strip()
    referral.save(update_fields=["status", "delivered_on", "delivery_note"])
    audit.record_update(actor=actor, obj=referral, before=before)
    _mark_plan_items_delivered(actor, referral)
    log_event(
        referral.case,
        actor=actor,
        kind="referral_done",
        date=date,
        params={"org": str(referral.provider)},
    )
    return referral


def _mark_plan_items_delivered(actor: Actor, referral: Referral) -> None:
    """The care plan's open items this referral answers (the provider is the organisation responsible for them,
    and the type of service is the same, or the item names none) are done: the caseworker sees it on the case
    file without asking the provider again."""
    items = referral.case.plan_items.filter(
        responsible_organisation=referral.provider,
        status__in=[CarePlanItemStatus.PLANNED, CarePlanItemStatus.IN_PROGRESS],
    )
    if referral.service_type:
        items = items.filter(service_type__in=[referral.service_type, ""])
    for item in items:
        before = audit.snapshot(item, ["status"])
        item.status = CarePlanItemStatus.DONE
        item.save(update_fields=["status"])
        audit.record_update(actor=actor, obj=item, before=before, note=gettext_noop("service delivered"))


@transaction.atomic
def cancel_referral(
    *, actor: Actor, referral: Referral, reason: str, today: datetime.date | None = None
) -> Referral:
    access.require(actor, "cases.work")
    require_case_team(actor, referral.case)
    today = today or clock.today()
    if referral.status not in (ReferralStatus.PENDING, ReferralStatus.ACCEPTED):
        raise ValidationError({"status": [_("This referral is already closed.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the referral is cancelled.")]})
    before = audit.snapshot(referral)
    referral.status = ReferralStatus.CANCELLED
    referral.save(update_fields=["status"])
    audit.record_update(actor=actor, obj=referral, before=before, note=reason.strip())
    log_event(referral.case, actor=actor, kind="referral_cancelled", date=today)
    refresh_next_due(referral.case)
    return referral


@transaction.atomic
def save_service(*, actor: Actor, service: Service | None = None, **values) -> Service:
    """Adds or updates an entry of the services directory."""
    access.require(actor, "cases.manage_services")
    organisation = values.get("organisation") or (service.organisation if service else None)
    if organisation is not None and not actor.is_system_wide and actor.organisation_id != organisation.pk:
        raise PermissionDenied(_("You may only describe your own organisation's services."))
    creating = service is None
    service = service or Service()
    before = audit.snapshot(service) if not creating else None
    if "plan_activity" in values or "commitment" in values:
        values["plan_activity"], values["commitment"] = attribution.check(
            values.get("plan_activity", service.plan_activity), values.get("commitment", service.commitment)
        )
    for key, value in values.items():
        setattr(service, key, value)
    service.full_clean()
    service.save()
    if creating:
        audit.record_create(actor=actor, obj=service)
    else:
        audit.record_update(actor=actor, obj=service, before=before)
    return service
