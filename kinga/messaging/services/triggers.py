"""Who is told what, and when: the other apps' events (and a daily look at late referrals) become queued
messages. Each message carries only case numbers, counts, site codes, tracking codes and links."""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from kinga.cases.models import Case, Referral, ReferralStatus
from kinga.community.models import Alert, AlertStatus, MemberRole, NetworkMember, Urgency
from kinga.core import clock
from kinga.core.models import Membership, Place, User
from kinga.core.roles import Role

from .. import texts
from ..models import Message
from .outgoing import notify_address, notify_user

log = logging.getLogger(__name__)


def never_blocks(handler: Callable[..., Any]) -> Callable[..., Any]:
    """An event handler whose failure is logged, never raised: a notification that cannot be queued must not
    undo the alert, the registration or the assignment that triggered it (handlers run in the writer's
    transaction). Its writes sit in a savepoint, so a database error leaves the writer's transaction usable."""

    @functools.wraps(handler)
    def safe(**payload: Any) -> Any:
        try:
            with transaction.atomic():
                return handler(**payload)
        except Exception:
            log.exception("Notification not queued (%s)", handler.__name__)
            return None

    return safe


OUTCOME_STATUSES = {
    AlertStatus.VERIFIED,
    AlertStatus.CASES_REGISTERED,
    AlertStatus.REFERRED,
    AlertStatus.UNFOUNDED,
    AlertStatus.DUPLICATE,
}
# Who answers a referral for the provider organisation (caseworkers see it in their list, they are not paged).
REFERRAL_ANSWERERS = (Role.ORG_MANAGER, Role.SUPERVISOR)


def _territory_social_workers(territory_id: int | None) -> list[NetworkMember]:
    """The supporting social workers of the community networks in the territory (ADM2) of the alert."""
    territory = Place.objects.filter(pk=territory_id).first() if territory_id else None
    if territory is None:
        return []
    return list(
        NetworkMember.objects.filter(role=MemberRole.SOCIAL_WORKER, is_active=True, network__is_active=True)
        .filter(Q(network__place=territory) | Q(network__place__path__startswith=territory.path))
        .select_related("user")
        .order_by("pk")
    )


@never_blocks
def on_alert_received(
    *, alert_id: int, urgency: str, territory_id: int | None = None, **_payload: Any
) -> list[Message]:
    """An urgent alert: its territory's focal social workers (their account's channels, else the phone the
    network has for them); none there, the supervisors of the organisation responsible for the alert."""
    if urgency != Urgency.URGENT:
        return []
    alert = Alert.objects.select_related("site", "territory").get(pk=alert_id)
    params = {
        "ref": alert.reference,
        "children": alert.children_count,
        "site": alert.site.code if alert.site_id else "",
        "territory": alert.territory.name if alert.territory_id else "",
        "due": timezone.localdate(alert.due_at).isoformat() if alert.due_at else "",
        "link": texts.link(reverse("community:alert", args=[alert.uuid])),
    }
    dedupe = f"alert_urgent:{alert.pk}"
    queued: list[Message] = []
    members = _territory_social_workers(territory_id)
    users = {m.user for m in members if m.user_id is not None}
    for member in members:
        if member.user_id is None:
            message = notify_address(
                address=str(member.contact or ""),
                template_key="alert_urgent",
                params=params,
                dedupe_key=f"{dedupe}:m{member.pk}",
            )
            queued.extend([message] if message else [])
    if not members and alert.organisation_id:
        users = {
            m.user
            for m in Membership.objects.filter(
                organisation_id=alert.organisation_id, role=Role.SUPERVISOR, is_active=True
            ).select_related("user")
        }
    for user in sorted(users, key=lambda u: u.pk):
        queued.extend(notify_user(user=user, template_key="alert_urgent", params=params, dedupe_key=dedupe))
    return queued


@never_blocks
def on_case_assigned(*, case_id: int, caseworker_id: int, **_payload: Any) -> list[Message]:
    case = Case.objects.get(pk=case_id)
    user = User.objects.get(pk=caseworker_id)
    params = {"number": case.number, "link": texts.link(reverse("cases:case", args=[case.uuid]))}
    return notify_user(
        user=user, template_key="case_assigned", params=params, dedupe_key=f"case_assigned:{case.pk}"
    )


@never_blocks
def on_alert_outcome(*, alert_id: int, status: str, **_payload: Any) -> Message | None:
    """The reporter who left a number (or an e-mail address) learns the outcome, with their tracking code."""
    if status not in OUTCOME_STATUSES:
        return None
    alert = Alert.objects.get(pk=alert_id)
    contact = str(alert.reporter_contact or "").strip()
    if not contact:
        return None
    payload = alert.raw_payload if isinstance(alert.raw_payload, dict) else {}
    return notify_address(
        address=contact,
        template_key="alert_outcome",
        params={"alert_id": alert.pk, "code": alert.feedback_code},
        dedupe_key=f"alert_outcome:{alert.pk}:{status}",
        language=str(payload.get("language") or "fr"),
    )


def notify_overdue_referrals(*, today: datetime.date | None = None) -> int:
    """Each pending referral past its answer date: its provider's managers and supervisors, once. Returns the
    number of messages queued. Run daily by `kinga messages referrals` (a timer)."""
    today = today or clock.today()
    late = Referral.objects.filter(status=ReferralStatus.PENDING, answer_due__lt=today).select_related("case")
    answerers: dict[int, list[User]] = {}
    queued = 0
    for referral in late.order_by("answer_due", "pk").iterator():
        if referral.provider_id not in answerers:
            answerers[referral.provider_id] = [
                m.user
                for m in Membership.objects.filter(
                    organisation_id=referral.provider_id, role__in=REFERRAL_ANSWERERS, is_active=True
                )
                .select_related("user")
                .order_by("pk")
            ]
        params = {
            "number": referral.case.number,
            "due": referral.answer_due.isoformat(),
            "link": texts.link(reverse("cases:referral_in", args=[referral.uuid])),
        }
        for user in answerers[referral.provider_id]:
            queued += len(
                notify_user(
                    user=user,
                    template_key="referral_overdue",
                    params=params,
                    dedupe_key=f"referral_overdue:{referral.pk}",
                )
            )
    return queued
