"""Helpers shared by the modules of the case services: rules, dates, staff, timeline."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from kinga.core import access, events
from kinga.core.access import Actor
from kinga.core.models import Membership, Organisation, User
from kinga.core.people import age_band
from kinga.core.roles import Role

from ..models import Case, CaseEvent, CaseRules, CaseStatus, Child, ConsentKind, RiskLevel, ScoringVersion

# --- configuration ---------------------------------------------------------------------------------


def current_rules() -> CaseRules:
    """The deadlines and exit rule in force (the defaults of the plan until an administrator changes them)."""
    rules = CaseRules.objects.order_by("-id").first()
    if rules is None:
        rules = CaseRules(retention_months=[3, 6, 12])
    if not rules.retention_months:
        rules.retention_months = [3, 6, 12]
    return rules


def active_scoring() -> ScoringVersion:
    scoring = ScoringVersion.objects.filter(is_active=True).order_by("-version").first()
    if scoring is None:
        scoring, _created = ScoringVersion.objects.get_or_create(
            version=1, defaults={"label": "IDAK 2017 : 6 domaines notés de 0 à 3"}
        )
    return scoring


# --- helpers shared by the workflow modules --------------------------------------------------------


def check_date(
    field: str, value: datetime.date | None, *, today: datetime.date, required: bool = True
) -> None:
    if value is None:
        if required:
            raise ValidationError({field: [_("This date is required.")]})
        return
    if value > today:
        raise ValidationError({field: [_("This date is in the future: enter the date it happened.")]})


def log_event(
    case: Case,
    *,
    actor: Actor,
    kind: str,
    date: datetime.date,
    params: dict | None = None,
    from_status: str = "",
    to_status: str = "",
) -> CaseEvent:
    """A timeline entry: its code (`kind`) and parameters, never a sentence; kinga.cases.timeline writes the
    sentence in the reader's language."""
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        date=date,
        params=params or {},
        from_status=from_status,
        to_status=to_status,
        actor=actor.user if actor.user and actor.user.pk else None,
    )


def transition(case: Case, *, to: str, allowed_from: Iterable[str], field: str = "status") -> str:
    """Moves the case to `to` or refuses with a clear message; returns the previous status."""
    allowed = list(allowed_from)
    if case.status not in allowed:
        raise ValidationError(
            {
                field: [
                    _("This step is not possible while the case is “%(status)s”.")
                    % {"status": CaseStatus(case.status).label}
                ]
            }
        )
    before = case.status
    case.status = to
    return before


def require_case_team(actor: Actor, case: Case) -> None:
    """Workflow steps on a case: its caseworker, its supervisor's team, or the system actor."""
    if actor.is_system:
        return
    if actor.organisation_id != case.organisation_id:
        raise PermissionDenied(_("This case belongs to another organisation."))
    user_id = actor.user.pk
    if actor.role == Role.CASEWORKER and case.caseworker_id != user_id:
        raise PermissionDenied(_("This case is assigned to another caseworker."))
    if actor.role == Role.SUPERVISOR and not (
        case.supervisor_id == user_id or case.caseworker_id in actor.team_user_ids
    ):
        raise PermissionDenied(_("This case is not in your team."))


def not_before(field_name: str, value: datetime.date, earlier: datetime.date | None, message: str) -> None:
    if earlier is not None and value < earlier:
        raise ValidationError({field_name: [message]})


def require_case_work(actor: Actor, case: Case) -> None:
    """Working on a case's steps: the permission and the case's team."""
    access.require(actor, "cases.work")
    require_case_team(actor, case)


def clean_caregivers(caregivers: Sequence[dict]) -> list[dict]:
    cleaned = []
    for i, person in enumerate(caregivers or []):
        entry = {k: str(person.get(k) or "").strip() for k in ("name", "relationship", "phone", "address")}
        if not any(entry.values()):
            continue
        if not entry["name"]:
            raise ValidationError(
                {"caregivers": [_("Caregiver %(n)s: the name is required.") % {"n": i + 1}]}
            )
        cleaned.append(entry)
    return cleaned


def active_staff(organisation: Organisation, user: User | None, roles: set[str], field: str) -> User | None:
    """`user` when an active member of `organisation` in one of `roles`; refused on `field` otherwise."""
    if user is None:
        return None
    if not Membership.objects.filter(
        user=user, organisation=organisation, role__in=roles, is_active=True
    ).exists():
        raise ValidationError(
            {field: [_("This person is not an active member of the organisation in this role.")]}
        )
    return user


def require_supervisor_of(actor: Actor, case: Case) -> None:
    access.require(actor, "cases.approve")
    require_case_team(actor, case)


def age_band_of(case: Case) -> str:
    return age_band(case.age_at_identification)


def publish_child_saved(child: Child, *, created: bool) -> None:
    """A child's identity written (registered, or corrected): apps that derive data from it refresh theirs."""
    events.publish("cases.child_saved", child_id=child.pk, created=created)


def publish_case_assigned(case: Case, *, actor: Actor) -> None:
    """A case given to a caseworker other than the person acting (the messaging app tells them)."""
    if case.caseworker_id is None or case.caseworker_id == getattr(actor.user, "pk", None):
        return
    events.publish(
        "cases.case_assigned", case_id=case.pk, case_uuid=str(case.uuid), caseworker_id=case.caseworker_id
    )


def publish_identified_at_site(case: Case) -> None:
    if case.identification_site_id is None:
        return
    events.publish(
        "cases.child_identified_at_site",
        site_id=case.identification_site_id,
        case_uuid=str(case.uuid),
        date=case.identification_date,
        sex=case.child.sex,
        age_band=age_band_of(case),
    )


def deadline_for_assessment(registered: datetime.date, risk: str, rules: CaseRules) -> datetime.date:
    days = rules.assessment_days_high_risk if risk == RiskLevel.HIGH else rules.assessment_days
    return registered + datetime.timedelta(days=days)


def sharing_consent_missing(case: Case, organisation: Organisation) -> list[str]:
    """What is missing before the case may be shared with `organisation` (empty: sharing is allowed)."""
    active = [c for c in case.consents.prefetch_related("share_with") if c.withdrawn_on is None]
    missing = []
    caregiver = [
        c
        for c in active
        if c.kind == ConsentKind.CAREGIVER_CONSENT
        and c.for_services
        and c.for_data_sharing
        and any(o.pk == organisation.pk for o in c.share_with.all())
    ]
    if not caregiver:
        missing.append(
            _("the caregiver's consent to services and to sharing data with %(org)s") % {"org": organisation}
        )
    if not any(c.kind == ConsentKind.CHILD_ASSENT and c.for_data_sharing for c in active):
        missing.append(_("the child's assent to sharing data"))
    return missing


def photo_consented(case: Case) -> bool:
    return case.consents.filter(
        withdrawn_on__isnull=True, for_photos=True, kind=ConsentKind.CAREGIVER_CONSENT
    ).exists()
