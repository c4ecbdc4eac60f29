"""Reads of case management, always scoped through kinga.core.access (views and the API use only these).

Functions for other apps (no identities in their results):
- `latest_labour_status(case_ids)`: for each case, what the latest follow-up or retention check found
  (working at a mine? attending school or training?) — the households app shows it per child;
- `cases_by_ids(actor, ids)`: the cases of these ids the actor may see;
- `case_counts_by_site(site_ids=None, start=None, end=None)`: children identified per mine site (counts).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection
from django.db.models import Case as Conditional
from django.db.models import CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast, Concat
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_noop

from kinga.core import access, audit, clock, crypto, memo, people
from kinga.core.access import Actor
from kinga.core.models import Membership, User

from .models import (
    CarePlanItemStatus,
    Case,
    CaseEvent,
    CaseStatus,
    Child,
    ChildNameIndex,
    FollowUp,
    Hazard,
    Referral,
    ReferralStatus,
    RetentionCheck,
    Service,
    WorkActivity,
)
from .rules import case_filter, counts_filter
from .services.closure import evaluate_exit_rule
from .services.common import photo_consented
from .timeline import event_text

# Figures memoised between two writes of their records (kinga.core.memo; declared in wiring.wire()).
CASES_BY_STATUS = "cases_by_status"


def cases(actor: Actor) -> QuerySet:
    return access.scoped(actor, Case).select_related("child", "caseworker", "territory")


def caseload(actor: Actor, *, status: str = "", q: str = "", include_closed: bool = False) -> QuerySet:
    """The actor's cases, the earliest task due first (overdue work at the top), then the newest."""
    qs = cases(actor)
    if status:
        qs = qs.filter(status=status)
    elif not include_closed:
        qs = qs.exclude(status=CaseStatus.CLOSED)
    if q:
        qs = search(qs, q)
    return qs.order_by(F("next_due").asc(nulls_last=True), "-id")


def name_token_digests(q: str) -> list[list[str]]:
    """For each whole token of the query, its exact and phonetic digests."""
    return [[crypto.exact_digest(t), crypto.phonetic_digest(t)] for t in crypto.name_tokens(q)]


def search(qs: QuerySet, q: str) -> QuerySet:
    """Whole name tokens, exactly or phonetically, through the blind index; or a case number (prefix).

    'Ilunga Kabwe' finds children with a name token Ilunga (or Ilounga…) AND one Kabwe (or Kabue…);
    'Ilu' finds nothing: there is no substring search on names, by design (no plaintext to search).
    """
    q = q.strip()
    if not q:
        return qs
    number = q.upper().replace(" ", "")
    if number[:3] == "LUA" or number[:2] == "CD" or any(c.isdigit() for c in number):
        return qs.filter(number__startswith=number)
    tokens = name_token_digests(q)
    if not tokens:
        return qs.none()
    for digests in tokens:
        qs = qs.filter(child_id__in=ChildNameIndex.objects.filter(digest__in=digests).values("child_id"))
    return qs


def search_cases(actor: Actor, q: str) -> QuerySet:
    """Name or number search among the cases the actor may see (nothing for counts-only roles)."""
    return search(cases(actor), q).order_by("-identification_date", "-id")


def open_case_file(actor: Actor, uuid) -> Case:
    """One case file, the open written to the access log."""
    case = access.get_object_or_404(
        actor,
        Case,
        queryset=Case.objects.select_related(
            "child",
            "child__residence",
            "child__place_of_origin",
            "organisation",
            "caseworker",
            "supervisor",
            "territory",
            "identification_site",
            "identification_place",
        ),
        uuid=uuid,
    )
    audit.record_read(actor=actor, obj=case)
    return case


def get_case(actor: Actor, uuid, *, perm: str | None = None) -> Case:
    """A case to act on (no access-log line: the write that follows is audited)."""
    return access.get_object_or_404(
        actor, Case, perm=perm, queryset=Case.objects.select_related("child", "organisation"), uuid=uuid
    )


def timeline(case: Case) -> list[CaseEvent]:
    """The case's events, each with its `text` written now, in the reader's language (kinga.cases.timeline)."""
    events = list(case.events.select_related("actor").order_by("date", "at", "id"))
    for event in events:
        event.text = event_text(event.kind, event.params)
    return events


# What the supervisor's lists show of a case: no child (no identity to decrypt for a list of numbers).
TASK_LIST_FIELDS = (
    "uuid",
    "number",
    "status",
    "next_task",
    "next_due",
    "caseworker__full_name",
    "caseworker__email",
)


def overdue(actor: Actor, *, today: datetime.date | None = None) -> QuerySet:
    today = today or clock.today()
    return (
        access.scoped(actor, Case)
        .filter(next_due__lt=today)
        .select_related("caseworker")
        .only(*TASK_LIST_FIELDS)
        .order_by("next_due", "id")
    )


def team_overview(actor: Actor, *, today: datetime.date | None = None) -> list[dict]:
    """Per caseworker of the team: open cases, overdue tasks, cases awaiting the supervisor."""
    today = today or clock.today()
    access.require(actor, "cases.approve")
    rows = (
        access.scoped(actor, Case)
        .exclude(caseworker__isnull=True)
        .values("caseworker_id", "caseworker__full_name", "caseworker__email")
        .annotate(
            open=Count("id", filter=~Q(status=CaseStatus.CLOSED)),
            overdue=Count("id", filter=Q(next_due__lt=today)),
            awaiting=Count("id", filter=Q(status__in=[CaseStatus.CARE_PLAN, CaseStatus.READY_TO_CLOSE])),
            high=Count("id", filter=Q(risk="high") & ~Q(status=CaseStatus.CLOSED)),
        )
        .order_by("-overdue", "caseworker__full_name")
    )
    return list(rows)


def awaiting_supervisor(actor: Actor) -> QuerySet:
    return (
        access.scoped(actor, Case)
        .select_related("caseworker")
        .only(*TASK_LIST_FIELDS)
        .filter(status__in=[CaseStatus.CARE_PLAN, CaseStatus.READY_TO_CLOSE])
        .order_by("updated_at")
    )


def referrals_out(
    actor: Actor, *, overdue_only: bool = False, today: datetime.date | None = None
) -> QuerySet:
    """Referrals of the actor's cases, with their status; the overdue ones (unanswered past due) first."""
    today = today or clock.today()
    access.require(actor, "cases.view_identity")
    q = case_filter(actor, "case__")
    qs = Referral.objects.select_related("case", "provider", "service")
    if q is not None:
        qs = qs.filter(q)
    if overdue_only:
        qs = qs.filter(status=ReferralStatus.PENDING, answer_due__lt=today)
    return qs.order_by("status", "answer_due")


def referrals_in(actor: Actor, *, status: str = "") -> QuerySet:
    qs = access.scoped(actor, Referral, perm="cases.provide_service").select_related(
        "case", "case__child", "service", "case__organisation", "plan_activity", "commitment"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by(F("answered_on").asc(nulls_first=True), "-referred_on")


def referral_in(actor: Actor, uuid) -> Referral:
    referral = access.get_object_or_404(
        actor,
        Referral,
        perm="cases.provide_service",
        queryset=Referral.objects.select_related(
            "case", "case__child", "case__organisation", "service", "plan_activity", "commitment"
        ),
        uuid=uuid,
    )
    audit.record_read(actor=actor, obj=referral, note=gettext_noop("shared fields"))
    return referral


def shared_fields(referral: Referral) -> dict:
    """What a provider sees of a referred case: enough to serve the child, nothing more."""
    case, child = referral.case, referral.case.child
    caregiver = (child.caregivers or [{}])[0] if child.caregivers else {}
    return {
        "case_number": case.number,
        "given_name": child.given_name,
        "family_name": child.family_name,
        "sex": child.get_sex_display(),
        "age": people.age_on(child.date_of_birth, clock.today()),
        "languages": ", ".join(child.languages or []),
        "disability": child.get_disability_display(),
        "school_status": child.get_school_status_display(),
        "last_grade": child.last_grade,
        "caregiver_name": caregiver.get("name", ""),
        "caregiver_phone": caregiver.get("phone", ""),
        "referring_organisation": str(case.organisation),
        "service_type": referral.get_service_type_display(),
        "reason": referral.reason,
    }


def services_directory(actor: Actor, *, service_type: str = "", q: str = "", place=None) -> QuerySet:
    qs = (
        access.scoped(actor, Service)
        .filter(is_active=True)
        .select_related(
            "organisation",
            "place",
            "plan_activity__action__axis",
            "commitment__funder",
            "commitment__action__axis",
        )
    )
    if service_type:
        qs = qs.filter(service_type=service_type)
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(organisation__name__icontains=q) | Q(organisation__acronym__icontains=q)
        )
    if place is not None:
        qs = qs.filter(place__path__startswith=place.path)
    return qs


def retention_checks_due(actor: Actor, *, today: datetime.date | None = None) -> QuerySet:
    today = today or clock.today()
    access.require(actor, "cases.view_identity")
    q = case_filter(actor, "case__")
    qs = RetentionCheck.objects.filter(
        done_on__isnull=True, case__status=CaseStatus.CLOSED, closure_date=F("case__closed_on")
    ).select_related("case")
    if q is not None:
        qs = qs.filter(q)
    return qs.order_by("due_date")


def counts(actor: Actor) -> dict:
    """Case counts by status: what counts-only roles see (province-wide), and others for their scope."""
    access.require(actor, "cases.view_counts")
    q = counts_filter(actor)
    qs = Case.objects.all() if q is None else Case.objects.filter(q)
    # One pass over the cases (a national table: a second count was a second scan), memoised between two writes
    # of a case: province-wide it is a scan of every case, asked by every counts-only role.
    grouped = (
        qs.order_by()
        .values("status")
        .annotate(n=Count("id"), relapsed=Count("id", filter=Q(relapse_count__gt=0)))
    )
    rows = memo.remember_rows(CASES_BY_STATUS, grouped)
    by_status = {row["status"]: row["n"] for row in rows}
    relapsed = sum(row["relapsed"] for row in rows)
    return {
        "by_status": [(s, CaseStatus(s).label, by_status.get(s, 0)) for s in CaseStatus.values],
        "total": sum(by_status.values()),
        "relapsed": relapsed,
    }


# --- for other apps --------------------------------------------------------------------------------


def cases_by_ids(actor: Actor, ids: Iterable[int]) -> QuerySet:
    return cases(actor).filter(pk__in=list(ids))


def latest_labour_status(case_ids: Iterable[int]) -> dict[int, dict]:
    """{case_id: {"date", "working_at_mine", "attending"}} from the latest follow-up or retention check.

    No identity is returned: callers show it next to records they already may see.
    """
    ids = sorted(set(case_ids))
    result: dict[int, dict] = {}
    # In sorted chunks: a list of thousands of ids makes PostgreSQL scan every follow-up in the country, a
    # thousand at a time stays on the (case, date) index.
    for i in range(0, len(ids), _LATEST_CHUNK):
        _latest_labour_status(ids[i : i + _LATEST_CHUNK], result)
    return result


_LATEST_CHUNK = 1000


def cases_out_of_mines_by_site(
    *, site_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> dict[int, tuple[int, int]]:
    """Per identification site: (cases identified there in [start, end], those of them whose latest follow-up
    visit or retention check — the later of the two, as `latest_labour_status` reads them — found the child out
    of mine work), from one query: a buyer's report covers thousands of cases. Counts only."""
    visits = FollowUp.objects.filter(case=OuterRef("pk"), visit_date__isnull=False).order_by(
        "-visit_date", "-id"
    )
    checks = RetentionCheck.objects.filter(case=OuterRef("pk"), done_on__isnull=False).order_by("-done_on")
    # bool(found_working or seen_at_site): unknown answers are not "working", as in latest_labour_status.
    working = Conditional(
        When(Q(found_working=True) | Q(seen_at_site=True), then=Value("1")),
        default=Value("0"),
        output_field=CharField(),
    )

    def latest(qs, day: str) -> Subquery:
        # The latest one's day and answer in one value ("2026-03-021": ISO day, then 1 for working), so that
        # each case costs one lookup per kind of record instead of two.
        return Subquery(qs.annotate(k=Concat(Cast(day, CharField()), working)).values("k")[:1])

    cases = (
        Case.objects.filter(
            identification_site_id__in=list(site_ids),
            identification_date__gte=start,
            identification_date__lte=end,
        )
        .order_by()
        .annotate(visit=latest(visits, "visit_date"), check=latest(checks, "done_on"))
    )
    counts: dict[int, list[int]] = {}
    for site_id, visit, check in cases.values_list("identification_site_id", "visit", "check"):
        count = counts.setdefault(site_id, [0, 0])
        count[0] += 1
        found = check if check is not None and (visit is None or visit[:10] < check[:10]) else visit
        if found is not None:
            count[1] += found[10:] == "0"
    return {site_id: (opened, out) for site_id, (opened, out) in counts.items()}


def _latest_per_case(qs):
    """Only each case's first row in the query's order, where the database can say so (PostgreSQL's DISTINCT
    ON): a case followed for years has dozens of visits, of which the caller reads the latest."""
    return qs.distinct("case_id") if connection.vendor == "postgresql" else qs


def _latest_labour_status(ids: list[int], result: dict[int, dict]) -> None:
    follow_ups = _latest_per_case(
        FollowUp.objects.filter(case_id__in=ids, visit_date__isnull=False)
        .order_by("case_id", "-visit_date", "-id")
        .values_list(
            "case_id", "visit_date", "found_working", "seen_at_site", "in_school_or_training", "attending"
        )
    )
    for case_id, visit_date, found_working, seen_at_site, in_school, attending in follow_ups:
        if case_id in result:
            continue
        result[case_id] = {
            "date": visit_date,
            "working_at_mine": bool(found_working or seen_at_site),
            "attending": bool(in_school and attending),
        }
    checks = _latest_per_case(
        RetentionCheck.objects.filter(case_id__in=ids, done_on__isnull=False)
        .order_by("case_id", "-done_on")
        .values_list("case_id", "done_on", "found_working", "seen_at_site", "in_school_or_training")
    )
    seen: set[int] = set()
    for case_id, done_on, found_working, seen_at_site, in_school in checks:
        if case_id in seen:
            continue
        seen.add(case_id)
        current = result.get(case_id)
        if current is None or current["date"] < done_on:
            result[case_id] = {
                "date": done_on,
                "working_at_mine": bool(found_working or seen_at_site),
                "attending": bool(in_school),
            }


def case_counts_by_site(
    site_ids: Iterable[int] | None = None,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> dict[int, int]:
    """{site_id: number of children identified there} in [start, end] — counts only."""
    qs = Case.objects.filter(identification_site__isnull=False)
    if site_ids is not None:
        qs = qs.filter(identification_site_id__in=list(site_ids))
    if start:
        qs = qs.filter(identification_date__gte=start)
    if end:
        qs = qs.filter(identification_date__lte=end)
    rows = qs.values("identification_site_id").annotate(n=Count("child_id", distinct=True))
    return {row["identification_site_id"]: row["n"] for row in rows}


# --- screens -----------------------------------------------------------------------------------------


def child_for_registration(actor: Actor, uuid):
    """The child a registration is about, picked among duplicate suggestions (no identity is shown)."""
    access.require(actor, "cases.register")
    try:
        return Child.objects.get(uuid=uuid)
    except (Child.DoesNotExist, ValueError):
        raise Http404 from None


def plan_item(case: Case, uuid):
    return get_object_or_404(case.plan_items, uuid=uuid)


def retention_check(case: Case, uuid):
    return get_object_or_404(case.retention_checks, uuid=uuid)


def staff(actor: Actor):
    """Caseworkers and supervisors of the actor's organisation (to assign cases)."""
    access.require(actor, "cases.assign")
    ids = Membership.objects.filter(
        organisation_id=actor.organisation_id, role__in=["caseworker", "supervisor"], is_active=True
    ).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "email")


def case_file_context(actor: Actor, case: Case) -> dict:
    today = clock.today()
    follow_ups = list(case.follow_ups.select_related("site", "recorded_by"))

    def labels(values, choices):
        return [str(choices(v).label) if v in choices.values else v for v in values or []]

    return {
        "case": case,
        "child": case.child,
        "work": labels(case.work_activities, WorkActivity),
        "hazards": labels(case.hazards, Hazard),
        "item_statuses": CarePlanItemStatus.choices,
        "today": today,
        "age": people.age_on(case.child.date_of_birth, today),
        "overdue": case.next_due is not None and case.next_due < today,
        "consents": case.consents.prefetch_related("share_with"),
        "assessments": case.assessments.select_related("scoring", "assessed_by"),
        "plan_items": case.plan_items.select_related("responsible_organisation"),
        "approvals": case.plan_approvals.select_related("supervisor"),
        "referrals": case.referrals.select_related(
            "provider",
            "service",
            "plan_activity__action__axis",
            "commitment__funder",
            "commitment__action__axis",
        ),
        "visits": [f for f in follow_ups if f.visit_date],
        "scheduled": [f for f in follow_ups if not f.visit_date],
        "retention_checks": case.retention_checks.order_by("-closure_date", "months_after"),
        "relapses": case.relapses.select_related("site"),
        "timeline": timeline(case),
        "exit_rule": evaluate_exit_rule(case),
        "photo_allowed": photo_consented(case),
        "can_work": actor.has("cases.work"),
        "can_approve": actor.has("cases.approve"),
        "can_assign": actor.has("cases.assign"),
    }


# --- home page (kinga/cases/home.py): counts in the database, short lists ----------------------------------

HOME_ROWS = 10


def tasks_due(actor: Actor, *, today: datetime.date | None = None) -> dict:
    """The actor's cases whose next task is due today or overdue (closed cases: their retention checks), the
    earliest first, and the counts of overdue and today's tasks and of referrals awaiting an answer."""
    today = today or clock.today()
    qs = access.scoped(actor, Case)
    figures = qs.aggregate(
        overdue=Count("id", filter=Q(next_due__lt=today)),
        due_today=Count("id", filter=Q(next_due=today)),
    )
    rows = list(
        qs.filter(next_due__lte=today)
        .only("uuid", "number", "status", "next_task", "next_due")
        .order_by("next_due", "id")[:HOME_ROWS]
    )
    referrals = referrals_out(actor, today=today).filter(status=ReferralStatus.PENDING)
    waiting = referrals.aggregate(waiting=Count("id"), late=Count("id", filter=Q(answer_due__lt=today)))
    return {
        **figures,
        "rows": rows,
        "referrals_waiting": waiting["waiting"],
        "referrals_late": waiting["late"],
    }


def approvals_waiting(actor: Actor) -> dict:
    """Care plans and closures awaiting the supervisor, oldest first, closures with their proposed reason and
    note (the supervisor sees identities: the note is theirs to read)."""
    access.require(actor, "cases.approve")
    qs = access.scoped(actor, Case).filter(status__in=[CaseStatus.CARE_PLAN, CaseStatus.READY_TO_CLOSE])
    figures = qs.aggregate(
        care_plans=Count("id", filter=Q(status=CaseStatus.CARE_PLAN)),
        closures=Count("id", filter=Q(status=CaseStatus.READY_TO_CLOSE)),
    )
    rows = list(
        qs.only(
            "uuid", "number", "status", "closure_reason", "closure_note", "closure_requested_on", "updated_at"
        ).order_by("updated_at", "id")[:HOME_ROWS]
    )
    return {**figures, "rows": rows}


def organisation_figures(actor: Actor, *, today: datetime.date | None = None) -> dict:
    """The organisation's cases (the manager's scope): open, overdue, awaiting approval, relapsed; and the
    overdue tasks, the earliest first, with their caseworker."""
    today = today or clock.today()
    qs = access.scoped(actor, Case)
    figures = qs.aggregate(
        open=Count("id", filter=~Q(status=CaseStatus.CLOSED)),
        overdue=Count("id", filter=Q(next_due__lt=today)),
        awaiting=Count("id", filter=Q(status__in=[CaseStatus.CARE_PLAN, CaseStatus.READY_TO_CLOSE])),
        unassigned=Count("id", filter=Q(caseworker__isnull=True) & ~Q(status=CaseStatus.CLOSED)),
    )
    return {**figures, "rows": list(overdue(actor, today=today)[:HOME_ROWS])}


def referrals_to_answer(actor: Actor, *, today: datetime.date | None = None) -> dict | None:
    """For a provider organisation: referrals to accept or decline, and accepted ones to report on (None when
    the organisation received none and offers no service: it is no provider)."""
    today = today or clock.today()
    qs = access.scoped(actor, Referral, perm="cases.provide_service").filter(
        status__in=[ReferralStatus.PENDING, ReferralStatus.ACCEPTED]
    )
    figures = qs.aggregate(
        pending=Count("id", filter=Q(status=ReferralStatus.PENDING)),
        late=Count("id", filter=Q(status=ReferralStatus.PENDING, answer_due__lt=today)),
        accepted=Count("id", filter=Q(status=ReferralStatus.ACCEPTED)),
    )
    if not (figures["pending"] or figures["accepted"]):
        provides = access.scoped(actor, Service).filter(organisation_id=actor.organisation_id, is_active=True)
        if not provides.exists():
            return None
    rows = list(
        qs.select_related("case")
        .only("uuid", "status", "service_type", "referred_on", "answer_due", "case__number")
        .order_by("-status", "answer_due", "id")[:HOME_ROWS]
    )
    return {**figures, "rows": rows}
