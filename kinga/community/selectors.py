"""Reads of the community app, always through kinga.core.access scoping."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinga.cases import selectors as case_selectors
from kinga.core import access, clock
from kinga.core import selectors as core_selectors
from kinga.core.access import Actor
from kinga.plan.models import Action, Axis
from kinga.sites.models import Site

from .models import (
    OPEN_ITEM_STATUSES,
    OPEN_STATUSES,
    ActionItem,
    AdvocacyAction,
    Alert,
    AlertCase,
    AlertStatus,
    AwarenessSession,
    Campaign,
    FourW,
    Meeting,
    Network,
    NetworkMember,
    Participation,
    Training,
    Urgency,
)

# ---------------------------------------------------------------------------------------------- scopes


def alert_scope(actor: Actor, queryset: QuerySet) -> QuerySet:
    """Alerts of the actor's organisation, referred to it, and (for triagers) the unassigned pool."""
    if actor.is_system_wide:
        return queryset
    if actor.organisation_id is None:
        return queryset.none()
    condition = Q(organisation_id=actor.organisation_id) | Q(referred_to_id=actor.organisation_id)
    if actor.has("community.triage"):
        condition |= Q(organisation__isnull=True)
    return queryset.filter(condition)


def alert_case_scope(actor: Actor, queryset: QuerySet) -> QuerySet:
    return queryset.filter(alert__in=alert_scope(actor, Alert.objects.all()))


def member_scope(actor: Actor, queryset: QuerySet) -> QuerySet:
    if actor.is_system_wide:
        return queryset
    if actor.organisation_id is None:
        return queryset.none()
    return queryset.filter(network__organisation_id=actor.organisation_id)


# ---------------------------------------------------------------------------------------------- networks


def networks(actor: Actor, *, q: str = "", place=None, active: str = "") -> QuerySet[Network]:
    qs = access.scoped(actor, Network).select_related("place", "organisation", "site")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(place__name__icontains=q))
    if place is not None:
        qs = qs.filter(place__path__startswith=place.path)
    if active in ("1", "0"):
        qs = qs.filter(is_active=active == "1")
    open_alerts = (
        Alert.objects.filter(network=OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by()
        .values("network")
        .annotate(n=Count("pk"))
        .values("n")
    )
    members = (
        NetworkMember.objects.filter(network=OuterRef("pk"), is_active=True)
        .order_by()
        .values("network")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(
        open_alerts=Coalesce(Subquery(open_alerts), 0), active_members=Coalesce(Subquery(members), 0)
    ).order_by("name")


def network_members(actor: Actor, network: Network) -> QuerySet[NetworkMember]:
    return (
        access.scoped(actor, NetworkMember)
        .filter(network=network)
        .select_related("backing_organisation")
        .prefetch_related("trainings")
        .order_by("-is_active", "role", "full_name")
    )


def network_alerts(actor: Actor, network: Network, *, limit: int = 50) -> QuerySet[Alert]:
    """A network's alerts and what became of them (most recent first)."""
    return (
        access.scoped(actor, Alert, perm="community.view")
        .filter(network=network)
        .select_related("site", "place", "referred_to")
        .annotate(cases_registered=_case_count())
        .order_by("-received_at")[:limit]
    )


def _case_count():
    """Number of cases registered from an alert."""
    sub = (
        AlertCase.objects.filter(alert=OuterRef("pk"))
        .order_by()
        .values("alert")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub), 0)


# ---------------------------------------------------------------------------------------------- alerts


def triage_queue(
    actor: Actor,
    *,
    status: str = "open",
    urgency: str = "",
    overdue: bool = False,
    place=None,
    site=None,
    failed: bool = False,
) -> QuerySet[Alert]:
    qs = access.scoped(actor, Alert, perm="community.triage").select_related("site", "place", "network")
    now = clock.now()
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if urgency:
        qs = qs.filter(urgency=urgency)
    if overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    if failed:
        qs = qs.exclude(processing_error="")
    if place is not None:
        qs = qs.filter(place__path__startswith=place.path)
    if site is not None:
        qs = qs.filter(site=site)
    group_size = (
        Alert.objects.filter(group=OuterRef("group"))
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    is_overdue = Case(
        When(status__in=OPEN_STATUSES, due_at__lt=now, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    # A child in danger nobody has looked at yet comes before everything else, whatever the deadlines.
    untouched_urgent = Case(
        When(status=AlertStatus.NEW, urgency=Urgency.URGENT, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return qs.annotate(
        group_size=Coalesce(Subquery(group_size), 1), is_overdue=is_overdue, untouched_urgent=untouched_urgent
    ).order_by("untouched_urgent", "due_at", "-received_at")


def overdue_count(actor: Actor) -> int:
    if not actor.has("community.triage"):
        return 0
    return (
        access.scoped(actor, Alert, perm="community.triage")
        .filter(status__in=OPEN_STATUSES, due_at__lt=clock.now())
        .count()
    )


def alerts(actor: Actor) -> QuerySet[Alert]:
    return access.scoped(actor, Alert, perm="community.view").select_related("site", "place", "network")


def group_alerts(actor: Actor, alert: Alert) -> QuerySet[Alert]:
    if alert.group_id is None:
        return Alert.objects.none()
    return (
        access.scoped(actor, Alert, perm="community.view")
        .filter(group_id=alert.group_id)
        .exclude(pk=alert.pk)
    )


def public_site_match(territory, name: str):
    """The one site of a territory with this exact name or code, for the public form (else None)."""
    name = (name or "").strip()
    if not name:
        return None
    matches = list(
        Site.objects.filter(
            Q(code__iexact=name) | Q(name__iexact=name), place__path__startswith=territory.path
        )[:2]
    )
    return matches[0] if len(matches) == 1 else None


def children_to_register(alert: Alert) -> int:
    """How many children found at a verified alert have no case yet: once all are registered, the alert no
    longer offers to register them."""
    if alert.status not in (AlertStatus.VERIFIED, AlertStatus.CASES_REGISTERED):
        return 0
    found = alert.children_found or alert.children_count or 0
    return max(found - alert.case_links.count(), 0)


def alert_cases(actor: Actor, alert: Alert) -> list[dict]:
    """The cases registered from an alert, by case number (no name), as far as the actor may see them."""
    ids = list(alert.case_links.values_list("case_id", flat=True))
    if not ids:
        return []
    try:
        visible = list(case_selectors.cases_by_ids(actor, ids).order_by("number"))
    except PermissionDenied:
        label = ngettext("%(n)d case registered", "%(n)d cases registered", len(ids)) % {"n": len(ids)}
        return [{"label": label, "url": ""}]
    result = []
    for case in visible:
        try:
            url = reverse("cases:case", args=[case.uuid])
        except NoReverseMatch:
            url = ""
        result.append({"label": case.number, "url": url})
    return result


def alert_children(alert: Alert) -> list:
    """The children an alert reports, girls then boys, by age band from the youngest (not the text order of
    the bands, which put « 12–14 » before « 5–11 »)."""
    return sorted(alert.children.all(), key=lambda c: c.order)


# ---------------------------------------------------------------------------------------------- awareness


def sessions(actor: Actor, *, theme: str = "", kind: str = "", place=None) -> QuerySet[AwarenessSession]:
    qs = access.scoped(actor, AwarenessSession).select_related("place", "organisation", "campaign")
    if theme:
        qs = qs.filter(theme=theme)
    if kind:
        qs = qs.filter(kind=kind)
    if place is not None:
        qs = qs.filter(place__path__startswith=place.path)
    total = (
        Participation.objects.filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(n=Sum("count"))
        .values("n")
    )
    return qs.annotate(participants_total=Coalesce(Subquery(total), 0)).order_by("-date", "-id")


def campaigns(actor: Actor) -> QuerySet[Campaign]:
    return (
        access.scoped(actor, Campaign).select_related("organisation").annotate(n_sessions=Count("sessions"))
    )


def trainings(actor: Actor, *, group: str = "") -> QuerySet[Training]:
    qs = access.scoped(actor, Training).select_related(
        "place",
        "organisation",
        "plan_activity__action__axis",
        "commitment__funder",
        "commitment__action__axis",
    )
    return qs.filter(group=group) if group else qs


def advocacy(actor: Actor) -> QuerySet[AdvocacyAction]:
    return access.scoped(actor, AdvocacyAction).select_related("place", "organisation")


# ---------------------------------------------------------------------------------------------- 4W


def fourw(
    actor: Actor,
    *,
    territory=None,
    axis: str = "",
    organisation_type: str = "",
    organisation=None,
    status: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    q: str = "",
) -> QuerySet[FourW]:
    qs = access.scoped(actor, FourW)
    if territory is not None:
        qs = qs.filter(place__path__startswith=territory.path)
    if axis:
        qs = qs.filter(plan_action__axis__number=axis) if str(axis).isdigit() else qs.none()
    if organisation_type:
        qs = qs.filter(organisation__type=organisation_type)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if status:
        qs = qs.filter(status=status)
    # Activities overlapping the period.
    if start is not None:
        qs = qs.filter(Q(end__isnull=True) | Q(end__gte=start))
    if end is not None:
        qs = qs.filter(start__lte=end)
    if q:
        qs = qs.filter(Q(activity__icontains=q) | Q(organisation__name__icontains=q))
    return qs


def editable_fourw(actor: Actor) -> QuerySet[FourW]:
    """4W rows the actor may change: their organisation's (everyone reads all of them)."""
    qs = FourW.objects.all()
    if actor.is_system_wide:
        return qs
    return qs.filter(organisation_id=actor.organisation_id or -1)


def fourw_axes(actor: Actor) -> list[tuple[int, str]]:
    """The plan's axes (number, title) for the 4W filter."""
    return list(Axis.objects.order_by("number").values_list("number", "title"))


def plan_actions():
    return Action.objects.select_related("axis").order_by("axis__number", "number")


# ---------------------------------------------------------------------------------------------- meetings


def meetings(actor: Actor) -> QuerySet[Meeting]:
    open_items = (
        ActionItem.objects.filter(meeting=OuterRef("pk"), status__in=OPEN_ITEM_STATUSES)
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        access.scoped(actor, Meeting)
        .select_related("convening_organisation", "place")
        .annotate(open_items=Coalesce(Subquery(open_items), 0))
        .order_by("-date", "-id")
    )


def editable_meetings(actor: Actor) -> QuerySet[Meeting]:
    qs = Meeting.objects.all()
    if actor.is_system_wide:
        return qs
    return qs.filter(convening_organisation_id=actor.organisation_id or -1)


def carried_items(actor: Actor, meeting: Meeting) -> QuerySet[ActionItem]:
    """Action items decided at earlier meetings and still open: the next meeting reviews them."""
    return (
        access.scoped(actor, ActionItem)
        .filter(meeting__date__lt=meeting.date, status__in=OPEN_ITEM_STATUSES)
        .select_related("owner", "meeting")
        .order_by("due_date", "id")
    )


def action_items(actor: Actor, *, owner=None, open_only: bool = True) -> QuerySet[ActionItem]:
    qs = access.scoped(actor, ActionItem).select_related("owner", "meeting")
    if owner is not None:
        qs = qs.filter(owner=owner)
    if open_only:
        qs = qs.filter(status__in=OPEN_ITEM_STATUSES)
    today = clock.today()
    return qs.annotate(
        late=Exists(ActionItem.objects.filter(pk=OuterRef("pk"), due_date__lt=today))
    ).order_by("due_date", "id")


# ---------------------------------------------------------------------------------------------- feedback


@dataclass(frozen=True)
class Feedback:
    """What a reporter may learn: dates, the outcome and a count. Never a child's name or case."""

    reference: str
    received_on: datetime.date
    status: str
    message: str


def feedback_for(alert: Alert) -> Feedback:
    if alert.status == AlertStatus.CASES_REGISTERED:
        registered = alert.case_links.count()
        message = ngettext(
            "Thank you. Social workers visited the place and %(n)d child is now followed up.",
            "Thank you. Social workers visited the place and %(n)d children are now followed up.",
            registered,
        ) % {"n": registered}
    elif alert.status == AlertStatus.VERIFIED:
        message = _(
            "Thank you. Social workers visited the place and confirmed your alert; follow-up is under way."
        )
    elif alert.status == AlertStatus.VERIFYING:
        message = _("Thank you. A social worker is checking your alert.")
    elif alert.status == AlertStatus.REFERRED:
        message = _("Thank you. Your alert was passed on to the competent service.")
    elif alert.status == AlertStatus.UNFOUNDED:
        message = _("Thank you. The visit did not find the situation you described.")
    elif alert.status == AlertStatus.DUPLICATE:
        message = _("Thank you. This situation had already been reported and is being dealt with.")
    else:
        message = _("Thank you. Your alert was received and will be checked.")
    return Feedback(
        reference=alert.reference,
        received_on=timezone.localdate(alert.received_at),
        status=alert.get_status_display(),
        message=message,
    )


def feedback_by_code(code: str) -> Feedback | None:
    code = (code or "").strip().upper().replace(" ", "").replace("-", "")
    if not re.fullmatch(r"[A-Z0-9]{10}", code):
        return None
    alert = Alert.objects.filter(feedback_code=code).first()
    return feedback_for(alert) if alert is not None else None


def lualaba_places(actor):
    """Places of Lualaba from territories down (the province's own choice lists)."""
    lualaba = core_selectors.places(actor).filter(pcode="CD72").first()
    qs = core_selectors.places(actor).filter(level__gte=2)
    return qs.filter(path__startswith=lualaba.path) if lualaba else qs


def active_organisations(actor):
    """The active organisations the actor sees: the choices of every organisation field."""
    return core_selectors.organisations(actor).filter(is_active=True)


# ---------------------------------------------------------------------------------------------- home page

HOME_ROWS = 10
VERIFIED_STATUSES = (AlertStatus.VERIFIED, AlertStatus.CASES_REGISTERED, AlertStatus.REFERRED)


def alerts_to_verify(actor: Actor) -> dict:
    """Open alerts the actor has to verify: taken by them, or their organisation's not yet taken (a supervisor:
    every open alert of the organisation); the earliest deadline first, with the counts."""
    access.require(actor, "community.triage")
    qs = access.scoped(actor, Alert, perm="community.triage").filter(
        status__in=OPEN_STATUSES, organisation_id=actor.organisation_id
    )
    if not actor.has("cases.approve"):
        qs = qs.filter(Q(handled_by=actor.user) | Q(handled_by__isnull=True))
    now = clock.now()
    figures = qs.aggregate(open=Count("id"), late=Count("id", filter=Q(due_at__lt=now)))
    rows = list(
        qs.select_related("site", "place").order_by(F("due_at").asc(nulls_last=True), "received_at")[
            :HOME_ROWS
        ]
    )
    return {**figures, "rows": rows, "now": now}


def network_alerts_outcomes(actor: Actor) -> dict:
    """A focal point's networks' alerts (those the person belongs to, else the organisation's) and the ones
    they entered, the newest first, with what became of each: counts by outcome and cases registered."""
    access.require(actor, "community.view")
    mine = access.scoped(actor, NetworkMember).filter(user=actor.user, is_active=True).values("network_id")
    networks = Q(network_id__in=mine) if mine.exists() else Q(network__organisation_id=actor.organisation_id)
    qs = access.scoped(actor, Alert, perm="community.view").filter(networks | Q(reporter_user=actor.user))
    now = clock.now()
    figures = qs.aggregate(
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        late=Count("id", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
        verified=Count("id", filter=Q(status__in=VERIFIED_STATUSES)),
    )
    registered = access.scoped(actor, AlertCase, perm="community.view").filter(alert__in=qs).count()
    rows = list(
        qs.select_related("site", "place", "network")
        .annotate(cases_registered=_case_count())
        .order_by("-received_at", "-id")[:HOME_ROWS]
    )
    return {**figures, "children_registered": registered, "rows": rows, "now": now}
