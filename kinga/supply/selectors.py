"""Reads of the supply chain, always scoped through kinga.core.access."""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Avg, Case, Count, Q, QuerySet, Sum, Value, When

from kinga.core import access, memo
from kinga.core.access import Actor
from kinga.core.models import Organisation, OrganisationType
from kinga.households.models import Cooperative
from kinga.sites.models import Site
from kinga.sites.selectors import with_current_status
from kinga.supply import decision as rules
from kinga.supply import scopes
from kinga.supply.models import (
    CooperativeDocument,
    DocumentType,
    EvacuationAuthorisation,
    Lot,
    LotStatus,
    Miner,
    Mineral,
    Production,
)

# Memoised between two writes of its records (kinga.core.memo; declared in wiring.wire()).
LOTS_BY_STATUS = "lots_by_status"
PRODUCTION_FIGURES = "production_figures"


def document_types(actor: Actor, *, active_only: bool = False) -> QuerySet[DocumentType]:
    qs = access.scoped(actor, DocumentType)
    return qs.filter(is_active=True) if active_only else qs


def cooperatives(actor: Actor, *, q: str = "") -> QuerySet[Organisation]:
    """The cooperatives the actor may see in the supply chain: all for state services, its own for a cooperative."""
    access.require(actor, "supply.view")
    # Agro-pastoral cooperatives (households app profile) produce no minerals: they stay out of the supply chain.
    qs = (
        access.scoped(actor, Organisation, perm="supply.view")
        .filter(type=OrganisationType.COOPERATIVE, is_active=True)
        .exclude(cooperative__kind="agro_pastoral")
    )
    if not scopes.province_wide(actor):
        if actor.organisation is not None and actor.organisation.type == OrganisationType.COOPERATIVE:
            qs = qs.filter(pk=actor.organisation_id)
        else:
            qs = qs.none()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(acronym__icontains=q))
    return qs.order_by("name")


def buyers(actor: Actor) -> QuerySet[Organisation]:
    """Companies a lot can be sold to (a company officer: their own company only)."""
    qs = access.scoped(actor, Organisation, perm="core.view_organisations").filter(
        type=OrganisationType.COMPANY, is_active=True
    )
    if actor.organisation is not None and actor.organisation.type == OrganisationType.COMPANY:
        qs = qs.filter(pk=actor.organisation_id)
    return qs.order_by("name")


def latest_buyer(actor: Actor, *, end: datetime.date) -> Organisation | None:
    """Among the companies the reader may report on, the one that bought the latest lot up to `end`: the report a
    coordinator sees first, before choosing another company (none chosen is not an error). One step down the
    lots' date index: counting who bought the most scans a year of lots (464,000 at national scale, 0.5 s)."""
    latest = (
        Lot.objects.filter(buyer__in=buyers(actor).order_by(), date__lte=end)
        .order_by("-date", "-id")
        .values_list("buyer_id", flat=True)
        .first()
    )
    return None if latest is None else buyers(actor).filter(pk=latest).first()


def sites(actor: Actor) -> QuerySet[Site]:
    return access.scoped(actor, Site).select_related("place").order_by("name")


def lots(
    actor: Actor,
    *,
    q: str = "",
    status: str = "",
    mineral: str = "",
    buyer: Organisation | None = None,
    cooperative: Organisation | None = None,
    site: Site | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet[Lot]:
    qs = access.scoped(actor, Lot).select_related("site", "cooperative", "buyer")
    if q:
        qs = qs.filter(Q(reference__icontains=q) | Q(site__name__icontains=q) | Q(site__code__iexact=q))
    if status:
        qs = qs.filter(status=status)
    if mineral:
        qs = qs.filter(mineral=mineral)
    if buyer is not None:
        qs = qs.filter(buyer=buyer)
    if cooperative is not None:
        qs = qs.filter(cooperative=cooperative)
    if site is not None:
        qs = qs.filter(site=site)
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    return qs.order_by("-date", "-id")


def lot_counts(actor: Actor) -> dict[str, int]:
    rows = access.scoped(actor, Lot).order_by().values_list("status").annotate(n=Count("id"))
    counts = {s: 0 for s in LotStatus.values}
    # Memoised between two writes of a lot: for the province it counts a million lots.
    counts.update(memo.remember_rows(LOTS_BY_STATUS, rows))
    return counts


def authorisations(actor: Actor, *, lot: Lot | None = None) -> QuerySet[EvacuationAuthorisation]:
    qs = access.scoped(actor, EvacuationAuthorisation).select_related(
        "lot", "lot__site", "decided_by", "override_requested_by", "override_decided_by"
    )
    if lot is not None:
        qs = qs.filter(lot=lot)
    return qs.order_by("-decided_at", "-id")


def overrides_waiting(actor: Actor) -> QuerySet[EvacuationAuthorisation]:
    return authorisations(actor).filter(override_state="requested")


def documents(actor: Actor, *, cooperative: Organisation) -> QuerySet[CooperativeDocument]:
    return (
        access.scoped(actor, CooperativeDocument)
        .filter(cooperative=cooperative)
        .select_related("document_type")
        .order_by("document_type__order", "-issued_on")
    )


def documents_state(actor: Actor, *, cooperative: Organisation, day: datetime.date) -> list[dict]:
    access.require(actor, "supply.view")
    return rules.documents_state(cooperative.pk, day)


def cooperatives_documents_summary(
    actor: Actor, coops: list[Organisation], day: datetime.date
) -> dict[int, dict]:
    """For a page of cooperatives: how many required documents each holds valid on `day` (one query)."""
    required = list(
        document_types(actor, active_only=True).filter(is_required=True).values_list("pk", flat=True)
    )
    valid = (
        access.scoped(actor, CooperativeDocument)
        .filter(cooperative__in=coops, document_type_id__in=required, issued_on__lte=day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .values("cooperative_id")
        .annotate(n=Count("document_type_id", distinct=True))
    )
    held = {row["cooperative_id"]: row["n"] for row in valid}
    return {c.pk: {"valid": held.get(c.pk, 0), "required": len(required)} for c in coops}


def miners(actor: Actor, *, cooperative: Organisation) -> QuerySet[Miner]:
    return access.scoped(actor, Miner).filter(cooperative=cooperative).order_by("member_number")


def miner(actor: Actor, *, cooperative: Organisation, uuid) -> Miner:
    """One member of a cooperative the actor sees (another cooperative's member: 404)."""
    return access.get_object_or_404(actor, Miner, cooperative=cooperative, uuid=uuid)


def miners_summary(actor: Actor, *, cooperative: Organisation, day: datetime.date) -> dict:
    """Active members by sex and age group (counts only)."""
    rows = (
        miners(actor, cooperative=cooperative)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .values("sex", "birth_year")
        .annotate(n=Count("id"))
    )
    by_sex: Counter = Counter()
    by_age: Counter = Counter()
    for row in rows:
        by_sex[row["sex"]] += row["n"]
        age = day.year - row["birth_year"]
        by_age["18-24" if age < 25 else "25-34" if age < 35 else "35-49" if age < 50 else "50+"] += row["n"]
    bands = ("18-24", "25-34", "35-49", "50+")
    return {"total": sum(by_sex.values()), "by_sex": dict(by_sex), "by_age": [(b, by_age[b]) for b in bands]}


def cooperative_sites(actor: Actor, *, cooperative: Organisation) -> QuerySet[Site]:
    """Sites a cooperative works: operated by it, or where it declared production or lots."""
    ids = set(
        access.scoped(actor, Production)
        .filter(cooperative=cooperative)
        .values_list("site_id", flat=True)
        .distinct()
    )
    ids |= set(
        access.scoped(actor, Lot).filter(cooperative=cooperative).values_list("site_id", flat=True).distinct()
    )
    return sites(actor).filter(Q(operator=cooperative) | Q(pk__in=ids))


def production(
    actor: Actor,
    *,
    site: Site | None = None,
    cooperative: Organisation | None = None,
    mineral: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet[Production]:
    qs = access.scoped(actor, Production).select_related("site", "cooperative")
    if site is not None:
        qs = qs.filter(site=site)
    if cooperative is not None:
        qs = qs.filter(cooperative=cooperative)
    if mineral:
        qs = qs.filter(mineral=mineral)
    if start:
        qs = qs.filter(month__gte=start.replace(day=1))
    if end:
        qs = qs.filter(month__lte=end)
    return qs.order_by("-month", "site__name", "mineral")


def production_by_site(actor: Actor, **filters) -> memo.MemoisedRows:
    """Production statistics per site and mineral over the filtered months, the largest tonnage first (one
    grouped query; a page of it is labelled by `label_minerals`). The province holds thousands of sites: the
    page shows them a page at a time, after the totals per mineral."""
    return memo.MemoisedRows(
        PRODUCTION_FIGURES,
        production(actor, **filters)
        .values("site__uuid", "site__name", "site__code", "mineral")
        .annotate(tonnage=Sum("tonnage"), months=Count("month", distinct=True), grade=Avg("grade_percent"))
        .order_by("-tonnage", "site__name", "mineral"),
    )


def production_by_mineral(actor: Actor, **filters) -> list[dict]:
    """Totals per mineral over the filtered months, across every site the actor sees (one grouped query)."""
    return label_minerals(
        memo.remember_rows(
            PRODUCTION_FIGURES,
            production(actor, **filters)
            .values("mineral")
            .annotate(tonnage=Sum("tonnage"), sites=Count("site", distinct=True), grade=Avg("grade_percent"))
            .order_by("mineral"),
        )
    )


def label_minerals(rows) -> list[dict]:
    labels = dict(Mineral.choices)
    rows = list(rows)
    for row in rows:
        row["mineral_label"] = labels.get(row["mineral"], row["mineral"])
    return rows


def cooperative_profile(cooperative: Organisation):
    """The cooperative's profile kept by the households app (kind, registration, place), if it has one."""

    return Cooperative.objects.filter(organisation=cooperative).select_related("place", "network").first()


# --- home page (kinga/supply/home.py) ------------------------------------------------------------------------

HOME_ROWS = 10
# The worst status first: what a buyer must look at before buying again.
_STATUS_ORDER = {"red": 0, "expired": 1, "yellow": 2, "blue": 3, "green": 4}


def lots_to_decide(actor: Actor) -> dict:
    """Lots awaiting an evacuation decision, the oldest first (a site inspector: the province's)."""
    qs = access.scoped(actor, Lot).filter(status=LotStatus.PENDING)
    rows = list(qs.select_related("site", "cooperative").order_by("date", "id")[:HOME_ROWS])
    return {"pending": qs.count(), "rows": rows}


def buyer_overview(actor: Actor) -> dict:
    """A company's purchases (its lots only, by scope): lots by status, the sites they came from with their
    child-labour status today (the worst first), and the cooperatives that sold them."""
    lots = access.scoped(actor, Lot)
    figures = lots.aggregate(
        pending=Count("id", filter=Q(status=LotStatus.PENDING)),
        refused=Count("id", filter=Q(status=LotStatus.REFUSED)),
    )
    pending = list(
        lots.filter(status=LotStatus.PENDING)
        .select_related("site", "cooperative")
        .order_by("date", "id")[:HOME_ROWS]
    )
    sites = with_current_status(access.scoped(actor, Site).filter(pk__in=lots.values("site_id")))
    by_status = dict(sites.order_by().values_list("current_status").annotate(n=Count("id")))
    severity = Case(
        *(When(current_status=s, then=Value(n)) for s, n in _STATUS_ORDER.items()), default=Value(9)
    )
    site_rows = list(
        sites.annotate(severity=severity, n_lots=Count("supply_lots", filter=Q(supply_lots__in=lots)))
        .select_related("territory")
        .order_by("severity", "name")[:HOME_ROWS]
    )
    cooperatives = list(
        lots.values("cooperative_id", "cooperative__name")
        .annotate(
            n=Count("id"),
            refused=Count("id", filter=Q(status=LotStatus.REFUSED)),
            pending=Count("id", filter=Q(status=LotStatus.PENDING)),
        )
        .order_by("-refused", "-n", "cooperative__name")[:HOME_ROWS]
    )
    return {
        **figures,
        "pending_rows": pending,
        "sites_by_status": by_status,
        "sites_at_risk": sum(by_status.get(s, 0) for s in ("red", "expired")),
        "site_rows": site_rows,
        "cooperatives": cooperatives,
    }
