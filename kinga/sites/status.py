"""The child-labour status engine: a site's status at a date, replayed from its evidence with the rules table.

Evidence is (1) on-site inspections, Kinga's or IPIS visits, (2) children identified at the site by a case,
(3) verified alerts. Each piece of evidence raises conditions (CONDITIONS); the rules table (StatusRule) says
which conditions make a site red or yellow; StatusPolicy holds the durations. The replay is a pure function
(`replay`), so the same code serves one site at any date (the supply chain asks "what was this site's status
on the day of the lot?") and the set-based recomputation of every site after a rules change (`recompute_all`).
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Case, ExpressionWrapper, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kinga.core import clock, events, memo
from kinga.core.prepared import PreparedQuery
from kinga.sites.bulk import fast_update
from kinga.sites.models import (
    CHILD_COUNTS,
    Inspection,
    Site,
    SiteEvidence,
    Status,
    StatusChange,
    StatusPolicy,
    StatusRule,
)

# The conditions the engine can detect, with their default outcome. Administrators change the outcome
# (red / yellow / no effect) in the rules table; they cannot invent conditions the data cannot show.
CONDITIONS: dict[str, tuple[str, object]] = {
    "child_working": ("red", gettext_lazy("A child under 18 working or present in the workings")),
    "child_case": ("red", gettext_lazy("A child identified at the site by a case")),
    "verified_alert": ("red", gettext_lazy("A verified alert of children at the site")),
    "armed_group": ("red", gettext_lazy("An armed group present")),
    "security_forces": (
        "red",
        gettext_lazy("Public security forces taxing, digging or controlling the site"),
    ),
    "pregnant_women": ("yellow", gettext_lazy("Pregnant women working")),
    "cooperative_documents_missing": (
        "yellow",
        gettext_lazy("Cooperative registration or management documents missing"),
    ),
    "production_records_missing": ("yellow", gettext_lazy("Production records missing")),
    "illegal_taxation": ("yellow", gettext_lazy("Illegal taxation by state agents")),
    "serious_safety_incident": ("yellow", gettext_lazy("A serious safety incident")),
}

EVIDENCE_FIELDS = ("id", "site_id", "date", "kind", "children")


@dataclass(frozen=True)
class Rules:
    outcomes: dict[str, str]
    correction_months: int = 3
    red_clearance_months: int = 6
    expiry_months: int = 12


def current_rules() -> Rules:
    # One round trip for the rules table and the policy: the supply-chain decision asks for them on every lot.
    rule, policy = StatusRule._meta.db_table, StatusPolicy._meta.db_table
    # Table names come from the models, never from input.
    sql = (
        f"SELECT 0, condition, outcome, NULL, NULL, NULL FROM {rule} UNION ALL "  # noqa: S608
        f"SELECT 1, NULL, NULL, correction_months, red_clearance_months, expiry_months "
        f"FROM (SELECT * FROM {policy} ORDER BY id LIMIT 1) p"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    outcomes = {code: default for code, (default, _label) in CONDITIONS.items()}
    outcomes.update({row[1]: row[2] for row in rows if row[0] == 0})
    policies = [row for row in rows if row[0] == 1]
    if not policies:
        return Rules(outcomes=outcomes)
    _kind, _c, _o, correction, clearance, expiry = policies[0]
    return Rules(
        outcomes=outcomes,
        correction_months=correction,
        red_clearance_months=clearance,
        expiry_months=expiry,
    )


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise ValueError(day)


@dataclass(slots=True)
class Evidence:
    """One piece of evidence in a site's history, reduced to what the rules need."""

    date: datetime.date
    kind: str  # "inspection", "child_case", "alert"
    id: int
    conditions: tuple[str, ...]
    children_known: bool = True  # IPIS visits may not say whether children were there
    children: int | None = None
    detail: str = ""
    source: str = "kinga"


def site_evidence(row: dict) -> Evidence:
    condition = "child_case" if row["kind"] == SiteEvidence.Kind.CHILD_CASE else "verified_alert"
    return Evidence(
        date=row["date"],
        kind=row["kind"],
        id=row["id"],
        conditions=(condition,) if row["children"] else (),
        children=row["children"],
    )


@dataclass
class StatusAt:
    status: str
    # The reason is rendered only when read: replaying 200,000 inspections must not format 200,000 texts.
    _reason: object = ""
    date: datetime.date | None = None  # date of the evidence the status rests on
    red_since: datetime.date | None = None
    correction_deadline: datetime.date | None = None
    overdue: bool = False
    last_inspection: datetime.date | None = None
    children_seen: bool = False
    cause_kind: str = ""  # "inspection", "child_case", "alert", "time" or ""
    cause_id: int | None = None
    history: list = field(default_factory=list, repr=False)

    @property
    def reason(self) -> str:
        if callable(self._reason):
            self._reason = self._reason()
        return str(self._reason)

    @reason.setter
    def reason(self, value) -> None:
        self._reason = value

    @property
    def authorisations_suspended(self) -> bool:
        """Red suspends the site's authorisations (mineral evacuation)."""
        return self.status == Status.RED

    @property
    def since(self) -> datetime.date | None:
        return self.date

    @property
    def label(self) -> str:
        return str(Status(self.status).label)


def _describe(ev: Evidence, codes: Iterable[str]) -> str:
    parts = []
    for code in codes:
        label = str(CONDITIONS[code][1])
        if code == "child_working" and ev.children:
            label = ngettext(
                "%(n)d child under 18 observed working or in the workings",
                "%(n)d children under 18 observed working or in the workings",
                ev.children,
            ) % {"n": ev.children}
        if code in ("child_case", "verified_alert") and ev.children:
            label = f"{label} ({ev.children})"
        parts.append(label)
    text = "; ".join(parts)
    if ev.detail and "child_working" in codes:
        text += " — " + _("tasks: %(tasks)s") % {"tasks": ev.detail}
    where = {
        "inspection": _("IPIS visit") if ev.source == "ipis" else _("inspection"),
        "child_case": _("case"),
        "alert": _("alert"),
    }[ev.kind]
    return _("%(text)s (%(where)s of %(date)s)") % {
        "text": text,
        "where": where,
        "date": clock.day_text(ev.date),
    }


def replay(evidence: list[Evidence], rules: Rules, at: datetime.date, keep_history: bool = False) -> StatusAt:
    """The status at `at` from evidence sorted by date (evidence after `at` is ignored)."""
    state = StatusAt(status=Status.BLUE, _reason=lambda: _("Never inspected."))
    for ev in evidence:
        if ev.date > at:
            break
        before = state.status
        if ev.children:
            state.children_seen = True
        active = [c for c in ev.conditions if rules.outcomes.get(c, "ignore") != "ignore"]
        reds = [c for c in active if rules.outcomes[c] == "red"]
        yellows = [c for c in active if rules.outcomes[c] == "yellow"]
        if "child_working" in ev.conditions:
            state.children_seen = True
        if ev.kind == "inspection":
            state.last_inspection = ev.date
        if reds:
            state.status, state.red_since, state.date = Status.RED, ev.date, ev.date
            state.correction_deadline = None
            state.reason = lambda ev=ev, codes=reds: _describe(ev, codes)
            state.cause_kind, state.cause_id = ev.kind, ev.id
        elif ev.kind != "inspection":
            continue  # a case or alert without children changes nothing
        elif state.status == Status.RED and state.red_since is not None:
            clear_from = add_months(state.red_since, rules.red_clearance_months)
            if ev.date < clear_from:
                state.date = ev.date
                state.reason = lambda d=ev.date, c=clear_from, r=state.red_since: (
                    _(
                        "Still red: the re-inspection of %(date)s came before %(clear)s, the earliest date an "
                        "on-site re-inspection can clear the finding of %(since)s."
                    )
                    % {"date": clock.day_text(d), "clear": clock.day_text(c), "since": clock.day_text(r)}
                )
                continue
            state = _after_clean_or_yellow(state, ev, yellows, rules)
        else:
            state = _after_clean_or_yellow(state, ev, yellows, rules)
        if keep_history and state.status != before:
            state.history.append((ev, before, state.status, state.reason))
    if state.status != Status.BLUE and state.date is not None:
        expires = add_months(state.date, rules.expiry_months)
        if at >= expires:
            before = state.status
            state.reason = lambda m=rules.expiry_months, d=state.date, b=before: (
                _("Expired: no inspection for %(months)d months (last evidence of %(date)s: %(was)s).")
                % {"months": m, "date": clock.day_text(d), "was": Status(b).label}
            )
            state.status, state.cause_kind, state.cause_id = Status.EXPIRED, "time", None
            state.correction_deadline = None
            if keep_history:
                state.history.append((None, before, Status.EXPIRED, state.reason))
    if state.status == Status.YELLOW and state.correction_deadline and at > state.correction_deadline:
        state.overdue = True
    return state


def _after_clean_or_yellow(state: StatusAt, ev: Evidence, yellows: list[str], rules: Rules) -> StatusAt:
    if yellows:
        if state.status != Status.YELLOW or state.correction_deadline is None:
            state.correction_deadline = add_months(ev.date, rules.correction_months)
        state.status, state.date, state.red_since = Status.YELLOW, ev.date, None
        state.reason = lambda ev=ev, codes=yellows, dl=state.correction_deadline: (
            _describe(ev, codes) + " " + _("To correct by %(deadline)s.") % {"deadline": clock.day_text(dl)}
        )
        state.cause_kind, state.cause_id = ev.kind, ev.id
    elif not ev.children_known:
        # A visit that did not record whether children were there cannot make a site green.
        if state.status == Status.BLUE:
            return state
        state.date = ev.date
    else:
        was_red = state.status == Status.RED
        state.status, state.date, state.red_since, state.correction_deadline = (
            Status.GREEN,
            ev.date,
            None,
            None,
        )
        state.reason = lambda d=ev.date, was_red=was_red: (
            (
                _("On-site re-inspection of %(date)s found nothing: red cleared.")
                if was_red
                else _("On-site inspection of %(date)s found nothing against the rules.")
            )
            % {"date": clock.day_text(d)}
        )
        state.cause_kind, state.cause_id = ev.kind, ev.id
    return state


# The conditions an inspection raises, as SQL: the database computes a bitmask per inspection, so replaying
# every site reads eight narrow columns instead of twenty and Python only looks the mask up.
INSPECTION_CONDITIONS = {
    "child_working": Q(children_in_workings=True)
    | Q(boys_under_15__gt=0)
    | Q(girls_under_15__gt=0)
    | Q(boys_15_17__gt=0)
    | Q(girls_15_17__gt=0),
    "armed_group": Q(armed_group_present=True),
    "security_forces": Q(security_forces_interfering=True),
    "pregnant_women": Q(pregnant_women_working=True),
    "cooperative_documents_missing": Q(cooperative_registration="missing")
    | Q(management_documents="missing"),
    "production_records_missing": Q(production_records="missing"),
    "illegal_taxation": Q(illegal_taxation=True),
    "serious_safety_incident": Q(safety="serious"),
}
_CODES = list(INSPECTION_CONDITIONS)


def _mask_expression():
    terms = [
        Case(When(q, then=Value(1 << i)), default=Value(0))
        for i, q in enumerate(INSPECTION_CONDITIONS.values())
    ]
    expression = terms[0]
    for term in terms[1:]:
        expression = expression + term
    return ExpressionWrapper(expression, output_field=IntegerField())


def _total_expression():
    all_null = Q(**{f"{f}__isnull": True for f in CHILD_COUNTS})
    summed = Coalesce(F(CHILD_COUNTS[0]), 0)
    for f in CHILD_COUNTS[1:]:
        summed = summed + Coalesce(F(f), 0)
    return Case(When(all_null, then=Value(None)), default=summed, output_field=IntegerField())


_MASKS: dict[int, tuple[str, ...]] = {}


def _conditions_of(mask: int) -> tuple[str, ...]:
    found = _MASKS.get(mask)
    if found is None:
        found = _MASKS[mask] = tuple(code for i, code in enumerate(_CODES) if mask & (1 << i))
    return found


# Below this many sites the rows are fetched in one go: a server-side cursor costs three round trips and
# materialises its result at commit, which dominates the one-site lookups of the supply-chain decision.
_CURSOR_THRESHOLD = 1000


@functools.cache
def _inspection_rows():
    """The annotated inspection query, built once: resolving its expressions costs more than running it."""
    return (
        Inspection.objects.filter(onsite=True)
        .order_by()
        .annotate(
            k_total=_total_expression(),
            k_mask=_mask_expression(),
            k_known=Case(
                When(
                    Q(children_seen__isnull=False)
                    | Q(children_in_workings__isnull=False)
                    | ~Q(**{f"{f}__isnull": True for f in CHILD_COUNTS}),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values_list("site_id", "date", "id", "source", "k_total", "k_known", "k_mask", "children_tasks")
    )


_site_inspections = PreparedQuery(lambda site_id: _inspection_rows().filter(site_id=site_id), site_id=int)
_site_others = PreparedQuery(
    lambda site_id: SiteEvidence.objects.order_by().filter(site_id=site_id).values_list(*EVIDENCE_FIELDS),
    site_id=int,
)


def evidence_for_sites(site_ids: Iterable[int] | None = None) -> dict[int, list[Evidence]]:
    """Every site's evidence, sorted by date, in two set-based queries."""
    by_site: dict[int, list[Evidence]] = defaultdict(list)
    rows: Iterable[tuple] = _inspection_rows()
    others: Iterable[tuple] = SiteEvidence.objects.order_by().values_list(*EVIDENCE_FIELDS)
    if site_ids is None:
        rows, others = rows.iterator(chunk_size=50000), others.iterator(chunk_size=20000)
    else:
        ids = list(site_ids)
        if len(ids) == 1:
            rows, others = _site_inspections(site_id=ids[0]), _site_others(site_id=ids[0])
        else:
            rows, others = rows.filter(site_id__in=ids), others.filter(site_id__in=ids)
            if len(ids) > _CURSOR_THRESHOLD:
                rows, others = rows.iterator(chunk_size=50000), others.iterator(chunk_size=20000)
    for site_id, date, pk, source, total, known, mask, tasks in rows:
        by_site[site_id].append(
            Evidence(date, "inspection", pk, _conditions_of(mask), known, total, tasks or "", source)
        )
    for values in others:
        row = dict(zip(EVIDENCE_FIELDS, values, strict=True))
        by_site[row["site_id"]].append(site_evidence(row))
    for items in by_site.values():
        # Same day: cases and alerts after inspections, so a child found that day is not cleared by it.
        items.sort(key=lambda e: (e.date, e.kind != "inspection", e.id))
    return by_site


def status_at(site: Site, at: datetime.date | None = None, rules: Rules | None = None) -> StatusAt:
    at = at or clock.today()
    with translation.override(settings.LANGUAGE_CODE):
        return replay(evidence_for_sites([site.pk]).get(site.pk, []), rules or current_rules(), at)


def site_history(site: Site, at: datetime.date | None = None) -> list[tuple]:
    at = at or clock.today()
    state = replay(evidence_for_sites([site.pk]).get(site.pk, []), current_rules(), at, keep_history=True)
    return state.history


STORED = (
    "status",
    "status_date",
    "status_reason",
    "red_since",
    "correction_deadline",
    "children_seen",
    "last_inspection_date",
)


def _stored_values(state: StatusAt) -> dict:
    return {
        "status": state.status,
        "status_date": state.date if state.status != Status.BLUE else None,
        "status_reason": state.reason,
        "red_since": state.red_since,
        "correction_deadline": state.correction_deadline,
        "children_seen": state.children_seen,
        "last_inspection_date": state.last_inspection,
    }


def _evidence_refs(state: StatusAt, default: str) -> dict:
    if state.cause_kind == "inspection":
        return {"evidence": StatusChange.Evidence.INSPECTION, "inspection_id": state.cause_id}
    if state.cause_kind == "child_case":
        return {"evidence": StatusChange.Evidence.CHILD_CASE, "site_evidence_id": state.cause_id}
    if state.cause_kind == "alert":
        return {"evidence": StatusChange.Evidence.ALERT, "site_evidence_id": state.cause_id}
    if state.cause_kind == "time":
        return {"evidence": StatusChange.Evidence.TIME}
    return {"evidence": default}


def recompute(
    site_ids: Iterable[int] | None = None,
    *,
    at: datetime.date | None = None,
    default_evidence: str = StatusChange.Evidence.RULES,
    batch_size: int = 2000,
    publish: bool = True,
) -> int:
    """Recompute and store the status of the given sites (all when None); record and publish changes.

    Set-based: two queries read every site's evidence, one reads the stored statuses, changed rows are
    written with bulk updates. Returns the number of sites whose status changed.
    """
    return len(
        recompute_changes(
            site_ids, at=at, default_evidence=default_evidence, batch_size=batch_size, publish=publish
        )
    )


@transaction.atomic
def recompute_changes(
    site_ids: Iterable[int] | None = None,
    *,
    at: datetime.date | None = None,
    default_evidence: str = StatusChange.Evidence.RULES,
    batch_size: int = 2000,
    publish: bool = True,
) -> list[StatusChange]:
    """`recompute`, returning the status changes it recorded (for callers that report them)."""
    at = at or clock.today()
    rules = current_rules()
    with translation.override(settings.LANGUAGE_CODE):
        by_site = evidence_for_sites(site_ids)
        sites = Site.objects.order_by()
        if site_ids is not None:
            sites = sites.filter(pk__in=list(site_ids))
        changed_rows: list[dict] = []
        changes: list[StatusChange] = []
        published: list[tuple] = []
        for row in sites.values("id", *STORED).iterator(chunk_size=20000):
            state = replay(by_site.get(row["id"], []), rules, at)
            values = _stored_values(state)
            if all(row[k] == v for k, v in values.items()):
                continue
            changed_rows.append({"id": row["id"], **values})
            if row["status"] != state.status:
                refs = _evidence_refs(state, default_evidence)
                effective = state.date or at
                if state.cause_kind == "time" and state.date:
                    effective = add_months(state.date, rules.expiry_months)
                changes.append(
                    StatusChange(
                        site_id=row["id"],
                        effective_on=effective,
                        old_status=row["status"],
                        new_status=state.status,
                        reason=state.reason,
                        **refs,
                    )
                )
                published.append((row["id"], row["status"], state.status, state.reason))
    fast_update(Site, changed_rows, list(STORED), batch_size=batch_size)
    StatusChange.objects.bulk_create(changes, batch_size=batch_size)
    if changed_rows or changes:
        memo.records_written("sites.Site", "sites.StatusChange")  # past the signals: the memos must forget
    for site_id, old, new, reason in published if publish else ():
        events.publish("sites.status_changed", site_id=site_id, old=old, new=new, reason=reason)
    return changes
