"""Reads of the governance records, and the involvement of state and security agents by month as the site
inspections record it (security forces taxing, digging or controlling a site; illegal taxation by state agents),
next to the state and security agents trained — read from the sites' and community's records, never typed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from kinga.community.models import TrainedGroup, Training, TrainingTopic
from kinga.core import access, clock
from kinga.core.access import Actor
from kinga.core.models import Place
from kinga.governance import scopes
from kinga.governance.models import AdvocacyStep, AdvocacyTrack, EquipmentDonation, SocialInfrastructure
from kinga.sites.models import Inspection


def _in(qs: QuerySet, place: Place | None) -> QuerySet:
    return qs.filter(place__path__startswith=place.path) if place is not None else qs


def donations(actor: Actor, *, category: str = "", place: Place | None = None) -> QuerySet[EquipmentDonation]:
    qs = access.scoped(actor, EquipmentDonation).select_related("recipient", "donor", "place")
    if category:
        qs = qs.filter(category=category)
    return _in(qs, place).order_by("-given_on", "-id")


def donation_totals(qs: QuerySet[EquipmentDonation]) -> dict:
    row = qs.order_by().aggregate(
        n=Count("id"), quantity=Coalesce(Sum("quantity"), 0), cost=Coalesce(Sum("cost_usd"), Decimal(0))
    )
    return row


def infrastructures(
    actor: Actor, *, kind: str = "", in_service: str = "", place: Place | None = None
) -> QuerySet[SocialInfrastructure]:
    qs = access.scoped(actor, SocialInfrastructure).select_related("organisation", "funded_by", "place")
    if kind:
        qs = qs.filter(kind=kind)
    if in_service == "yes":
        qs = qs.filter(in_service_on__isnull=False)
    elif in_service == "no":
        qs = qs.filter(in_service_on__isnull=True)
    return _in(qs, place).order_by("-works_started_on", "-id")


def infrastructure_totals(qs: QuerySet[SocialInfrastructure]) -> dict:
    return qs.order_by().aggregate(
        n=Count("id"),
        in_service=Count("id", filter=Q(in_service_on__isnull=False)),
        cost=Coalesce(Sum("cost_usd"), Decimal(0)),
    )


def tracks(actor: Actor) -> QuerySet[AdvocacyTrack]:
    return (
        access.scoped(actor, AdvocacyTrack)
        .select_related("organisation", "place")
        .annotate(n_steps=Count("steps"))
        .order_by("-started_on", "-id")
    )


def steps(actor: Actor, track: AdvocacyTrack) -> QuerySet[AdvocacyStep]:
    return (
        access.scoped(actor, AdvocacyStep)
        .filter(track=track)
        .select_related("action")
        .order_by("action__date", "id")
    )


def writable(actor: Actor, model, field: str, perm: str = "governance.record") -> QuerySet:
    return scopes.writable(actor, access.scoped(actor, model, perm=perm), field)


# ---------------------------------------------------------------------------- involvement of state agents


@dataclass(frozen=True)
class InvolvementMonth:
    month: datetime.date
    inspections: int  # on-site inspections and IPIS visits
    interfering: int  # of which public security forces taxing, digging or controlling the site
    taxation: int  # of which illegal taxation by state agents
    involved: int  # of which either finding
    agents_trained: int  # state and security agents trained (any topic)
    agents_trained_ethics: int  # of which in ethics and professional conduct (the plan's 500)

    @property
    def share(self) -> Decimal | None:
        """Inspections that found state or security agents involved (either finding), in %."""
        if not self.inspections:
            return None
        return (Decimal(self.involved) * 100 / self.inspections).quantize(Decimal("0.1"))


def _first_of(day: datetime.date, back: int) -> datetime.date:
    y, m = divmod(day.year * 12 + day.month - 1 - back, 12)
    return datetime.date(y, m + 1, 1)


def involvement(
    actor: Actor, *, place: Place | None = None, months: int = 24, end: datetime.date | None = None
) -> list[InvolvementMonth]:
    """By month, the last `months` months to `end`'s: what inspections found and how many agents were trained.

    Counts only (the inspections' and trainings' own scopes do not apply: no site, person or record is shown)."""
    access.require(actor, "governance.view")
    end = end or clock.today()
    start = _first_of(end, months - 1)
    inspections = Inspection.objects.filter(onsite=True, date__gte=start, date__lte=end)
    trainings = Training.objects.filter(
        group__in=(TrainedGroup.STATE_AGENTS, TrainedGroup.SECURITY_AGENTS), start__gte=start, start__lte=end
    )
    if place is not None:
        inspections = inspections.filter(site__place__path__startswith=place.path)
        trainings = trainings.filter(place__path__startswith=place.path)
    found = {
        row["m"]: row
        for row in inspections.annotate(m=TruncMonth("date"))
        .order_by()
        .values("m")
        .annotate(
            n=Count("id"),
            interfering=Count("id", filter=Q(security_forces_interfering=True)),
            taxation=Count("id", filter=Q(illegal_taxation=True)),
            involved=Count("id", filter=Q(security_forces_interfering=True) | Q(illegal_taxation=True)),
        )
    }
    people = {
        row["m"]: row
        for row in trainings.annotate(m=TruncMonth("start"))
        .order_by()
        .values("m")
        .annotate(
            n=Coalesce(Sum("trained_f"), 0) + Coalesce(Sum("trained_m"), 0),
            ethics=Coalesce(Sum("trained_f", filter=Q(topic=TrainingTopic.ETHICS)), 0)
            + Coalesce(Sum("trained_m", filter=Q(topic=TrainingTopic.ETHICS)), 0),
        )
    }
    result = []
    for k in range(months):
        first = _first_of(end, months - 1 - k)
        f, p = _month_row(found, first), _month_row(people, first)
        result.append(
            InvolvementMonth(
                month=first,
                inspections=f.get("n", 0),
                interfering=f.get("interfering", 0),
                taxation=f.get("taxation", 0),
                involved=f.get("involved", 0),
                agents_trained=p.get("n", 0),
                agents_trained_ethics=p.get("ethics", 0),
            )
        )
    return result


def _month_row(rows: dict, first: datetime.date) -> dict:
    # TruncMonth gives a date on SQLite and PostgreSQL for a DateField; a datetime would come from a timestamp.
    for key, row in rows.items():
        if (key.date() if isinstance(key, datetime.datetime) else key) == first:
            return row
    return {}
