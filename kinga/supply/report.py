"""A buyer's due-diligence report for a period: its lots per site, each site's status when the lot was authorised,
and the red flags a responsible buyer must see (OECD due-diligence guidance, the provincial RSE guide).

Children appear only as counts, never as identities. The buyer's lots are read once, as narrow rows (a year of the
largest buyer is about 11,000), and every per-site figure comes from that read; the rest are grouped queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext as _

from kinga.cases.selectors import cases_out_of_mines_by_site
from kinga.core import access, clock, memo
from kinga.core.access import Actor
from kinga.core.models import Organisation
from kinga.sites.models import CorrectiveAction, Inspection, Site, SiteEvidence, StatusChange
from kinga.supply import scopes
from kinga.supply.models import Lot, LotStatus, Mineral
from kinga.supply.selectors_partners import PartnersSection, for_report

AFTER_MONTHS = 6  # a site turning red within 6 months after a lot casts doubt on that lot
FLAGGED_LOTS_SHOWN = 500


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


@dataclass
class SiteRow:
    site_id: int
    uuid: str
    name: str
    code: str
    lots: int = 0
    weight_kg: Decimal = Decimal(0)
    first: datetime.date | None = None
    last: datetime.date | None = None
    by_snapshot: dict[str, int] = field(default_factory=dict)
    authorised: int = 0
    overridden: int = 0
    not_authorised: int = 0
    red_at_time: int = 0
    turned_red_after: int = 0
    red_onsets: list[datetime.date] = field(default_factory=list)
    children_identified: int = 0
    cases_opened: int = 0
    children_remediated: int = 0
    children_observed: int = 0
    open_actions: int = 0
    overdue_actions: int = 0

    @property
    def flags(self) -> list[str]:
        flags = []
        if self.red_at_time:
            flags.append("red_at_time")
        if self.turned_red_after:
            flags.append("turned_red_after")
        if self.children_identified or self.children_observed:
            flags.append("children")
        if self.not_authorised:
            flags.append("not_authorised")
        if self.open_actions:
            flags.append("open_actions")
        return flags


@dataclass
class FlaggedLot:
    uuid: str
    reference: str
    date: datetime.date
    site: str
    mineral: str
    weight_kg: Decimal
    status: str
    site_status: str
    flag: str
    red_on: datetime.date | None = None


@dataclass
class DueDiligenceReport:
    buyer: Organisation
    start: datetime.date
    end: datetime.date
    watch_until: datetime.date
    generated_at: datetime.datetime
    sites: list[SiteRow]
    flagged_lots: list[FlaggedLot]
    flagged_lots_total: int
    # The buyer's agreements with child-labour clauses (visits, breaches) and its commitments.
    partners: PartnersSection | None = None

    @property
    def totals(self) -> dict:
        keys = (
            "lots",
            "weight_kg",
            "red_at_time",
            "turned_red_after",
            "not_authorised",
            "children_identified",
            "cases_opened",
            "children_remediated",
            "children_observed",
            "open_actions",
            "overdue_actions",
        )
        return {k: sum(getattr(row, k) for row in self.sites) for k in keys}

    @property
    def flagged_sites(self) -> list[SiteRow]:
        return [row for row in self.sites if row.flags]


# The report's figures between two writes of what they count (kinga.core.memo): a buyer's year is thousands of
# lots and of cases at its sites, and read again by every officer opening the report. The page says when they
# were computed (generated_at).
DUE_DILIGENCE_FIGURES = "supply.due_diligence"
DUE_DILIGENCE_SOURCES = (
    "supply.Lot",
    "sites.Site",
    "sites.StatusChange",
    "sites.SiteEvidence",
    "sites.Inspection",
    "sites.CorrectiveAction",
    "cases.Case",
    "cases.FollowUp",
    "cases.RetentionCheck",
)


@dataclass(frozen=True)
class _Figures:
    sites: list[SiteRow]
    flagged_lots: list[FlaggedLot]
    flagged_lots_total: int
    watch_until: datetime.date
    computed_at: datetime.datetime


def due_diligence(
    actor: Actor, *, buyer: Organisation, start: datetime.date, end: datetime.date
) -> DueDiligenceReport:
    """The report for a buyer the actor may report on (a company officer: their own company only)."""
    today = clock.today()
    # What the figures depend on besides the records: whose lots the reader sees, the day (what is overdue), the
    # language of the minerals' names.
    key = (scopes.lots_scope_key(actor), buyer.pk, start, end, today, translation.get_language())
    figures = memo.remember(
        DUE_DILIGENCE_FIGURES, key, lambda: _figures(actor, buyer=buyer, start=start, end=end, today=today)
    )
    return DueDiligenceReport(
        buyer=buyer,
        start=start,
        end=end,
        watch_until=figures.watch_until,
        generated_at=figures.computed_at,
        sites=figures.sites,
        flagged_lots=figures.flagged_lots,
        flagged_lots_total=figures.flagged_lots_total,
        partners=for_report(actor, buyer=buyer, start=start, end=end),
    )


def _figures(
    actor: Actor, *, buyer: Organisation, start: datetime.date, end: datetime.date, today: datetime.date
) -> _Figures:
    lots = access.scoped(actor, Lot, perm="supply.report").filter(buyer=buyer, date__gte=start, date__lte=end)
    watch_until = min(add_months(end, AFTER_MONTHS), today)

    # One read of the buyer's lots (narrow columns): every per-site figure and both flag lists come from it, where
    # five grouped queries each fetched the same scattered rows of the lot table again.
    lot_rows = list(
        lots.order_by().values_list("id", "site_id", "date", "status", "site_status", "weight_kg")
    )
    sites = {
        s["id"]: s
        for s in Site.objects.filter(pk__in={r[1] for r in lot_rows}).values("id", "uuid", "name", "code")
    }
    rows: dict[int, SiteRow] = {}
    not_authorised = (LotStatus.PENDING, LotStatus.REFUSED)
    for _pk, site_id, day, status, snapshot, weight in lot_rows:
        row = rows.get(site_id)
        if row is None:
            site = sites[site_id]
            row = rows[site_id] = SiteRow(
                site_id=site_id,
                uuid=str(site["uuid"]),
                name=site["name"],
                code=site["code"],
                first=day,
                last=day,
            )
        row.lots += 1
        row.weight_kg += weight
        row.first, row.last = min(row.first, day), max(row.last, day)
        if status == LotStatus.AUTHORISED:
            row.authorised += 1
        elif status == LotStatus.OVERRIDDEN:
            row.overridden += 1
        elif status in not_authorised:
            row.not_authorised += 1
        key = snapshot if snapshot in _SNAPSHOTS else ("none" if snapshot == "" else None)
        if key is not None:
            row.by_snapshot[key] = row.by_snapshot.get(key, 0) + 1
    for row in rows.values():
        row.red_at_time = row.by_snapshot.get("red", 0)
        row.by_snapshot = {k: row.by_snapshot[k] for k in (*_SNAPSHOTS, "none") if row.by_snapshot.get(k)}
    rows = dict(sorted(rows.items(), key=lambda item: (item[1].name, item[0])))
    site_ids = list(rows)
    flagged: list[FlaggedLot] = []
    flagged_total = 0
    if site_ids:
        flagged_total += _red_onsets_after_lots(lot_rows, rows, site_ids, start, watch_until, flagged)
        _children_and_actions(rows, site_ids, start, watch_until, today)
        red_lots = sorted(
            (r for r in lot_rows if r[4] == "red" or r[3] in not_authorised), key=lambda r: (r[2], r[0])
        )
        flagged_total += len(red_lots)
        for lot in _lots([r[0] for r in red_lots[:FLAGGED_LOTS_SHOWN]]):
            flagged.append(
                FlaggedLot(
                    uuid=str(lot.uuid),
                    reference=lot.reference,
                    date=lot.date,
                    site=lot.site.name,
                    mineral=Mineral(lot.mineral).label,  # not get_mineral_display: it hashes every choice
                    weight_kg=lot.weight_kg,
                    status=lot.status,
                    site_status=lot.site_status,
                    flag="red_at_time" if lot.site_status == "red" else "not_authorised",
                )
            )
    flagged.sort(key=lambda f: (f.date, f.reference))
    return _Figures(
        sites=list(rows.values()),
        flagged_lots=flagged[:FLAGGED_LOTS_SHOWN],
        flagged_lots_total=flagged_total,
        watch_until=watch_until,
        computed_at=clock.now(),
    )


_SNAPSHOTS = ("green", "yellow", "red", "blue", "expired")


def _lots(ids: list[int]) -> list[Lot]:
    return list(Lot.objects.filter(pk__in=ids).select_related("site").order_by("date", "id"))


def _red_onsets_after_lots(lot_rows, rows, site_ids, start, watch_until, flagged: list[FlaggedLot]) -> int:
    """Lots whose site turned red within AFTER_MONTHS after the lot's date (and was not red at authorisation)."""
    onsets = StatusChange.objects.filter(
        site_id__in=site_ids, new_status="red", effective_on__gt=start, effective_on__lte=watch_until
    ).values_list("site_id", "effective_on")
    by_site: dict[int, list[datetime.date]] = {}
    for site_id, day in onsets:
        by_site.setdefault(site_id, []).append(day)
    if not by_site:
        return 0
    windows: dict[int, list[tuple[datetime.date, datetime.date]]] = {}
    for site_id, days in by_site.items():
        rows[site_id].red_onsets = sorted(set(days))
        windows[site_id] = [(add_months(day, -AFTER_MONTHS), day) for day in rows[site_id].red_onsets]
    candidates = [
        r
        for r in lot_rows
        if r[1] in windows and r[4] != "red" and any(low <= r[2] < high for low, high in windows[r[1]])
    ]
    for r in candidates:
        rows[r[1]].turned_red_after += 1
    candidates.sort(key=lambda r: (r[2], r[0]))
    for lot in _lots([r[0] for r in candidates[:FLAGGED_LOTS_SHOWN]]):
        red_on = next(
            d for d in rows[lot.site_id].red_onsets if lot.date < d <= add_months(lot.date, AFTER_MONTHS)
        )
        flagged.append(
            FlaggedLot(
                uuid=str(lot.uuid),
                reference=lot.reference,
                date=lot.date,
                site=lot.site.name,
                mineral=Mineral(lot.mineral).label,  # not get_mineral_display: it hashes every choice
                weight_kg=lot.weight_kg,
                status=lot.status,
                site_status=lot.site_status,
                flag="turned_red_after",
                red_on=red_on,
            )
        )
    return sum(row.turned_red_after for row in rows.values())


def _children_and_actions(rows, site_ids, start, watch_until, today) -> None:
    """Children identified (children's cases) and observed (inspections) at the sites, counts only; corrective
    actions of the sites' inspections still open today."""
    identified = (
        SiteEvidence.objects.filter(
            site_id__in=site_ids, kind=SiteEvidence.Kind.CHILD_CASE, date__gte=start, date__lte=watch_until
        )
        .values("site_id")
        .annotate(children=Sum("children"), cases=Count("ref", distinct=True))
    )
    for r in identified:
        rows[r["site_id"]].children_identified = r["children"] or 0
    # What was done: the children's cases opened for those sites, and those whose latest follow-up found the
    # child out of the mine (remediated). Counts only; the case ids never leave this function.
    counts = cases_out_of_mines_by_site(site_ids=site_ids, start=start, end=watch_until)
    for site_id, (opened, out_of_mines) in counts.items():
        rows[site_id].cases_opened = opened
        rows[site_id].children_remediated = out_of_mines
    observed = (
        Inspection.objects.filter(site_id__in=site_ids, onsite=True, date__gte=start, date__lte=watch_until)
        .values("site_id")
        .annotate(
            # IPIS visits leave the counts unknown (null): they count as zero here, never as a guess.
            n=Coalesce(Sum("boys_under_15"), 0)
            + Coalesce(Sum("girls_under_15"), 0)
            + Coalesce(Sum("boys_15_17"), 0)
            + Coalesce(Sum("girls_15_17"), 0),
        )
    )
    for r in observed:
        rows[r["site_id"]].children_observed = r["n"] or 0
    actions = (
        CorrectiveAction.objects.filter(inspection__site_id__in=site_ids, done_on__isnull=True)
        .values("inspection__site_id")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(deadline__lt=today)))
    )
    for r in actions:
        rows[r["inspection__site_id"]].open_actions = r["n"]
        rows[r["inspection__site_id"]].overdue_actions = r["overdue"]


def flag_label(code: str) -> str:
    return {
        "red_at_time": _("Site red when the lot was authorised"),
        "turned_red_after": _("Site turned red within 6 months after the lot"),
        "children": _("Children identified or observed at the site"),
        "not_authorised": _("Lot bought without an evacuation authorisation"),
        "open_actions": _("Corrective actions still open at the site"),
    }.get(code, code)
