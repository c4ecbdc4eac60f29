"""Synthetic children and cases for `kinga synth`: every state, duplicates, relapses, follow-ups, referrals.

Bulk inserts, no audit rows. Names are encrypted like real ones (the cost is measured and logged: it is
the dominant cost of this generator) and indexed through the same blind index as registrations.
Sizes: SCALES[scale]["children"] children; about one case per child; follow-ups ≈ 5 per case at
national scale (SCALES "case_follow_ups").
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Count

from kinga.core import clock, crypto
from kinga.core.models import Membership, Organisation, OrganisationType, Place, PlaceLevel, User
from kinga.core.roles import Role
from kinga.core.synth import SCALES, SynthContext
from kinga.core.synth_clone import register_clone, register_clone_finisher
from kinga.core.synth_insert import insert
from kinga.sites.models import Site

from .models import (
    Assessment,
    Case,
    CaseEvent,
    CaseNumberCounter,
    CaseStatus,
    Child,
    ChildNameIndex,
    FollowUp,
    Referral,
    ReferralStatus,
    Relapse,
    RetentionCheck,
    ScoringVersion,
    Service,
    ServiceType,
)
from .services import evaluate_exit_rule, territory_prefix

STATUS_MIX = [
    (CaseStatus.IDENTIFIED, 3),
    (CaseStatus.REGISTERED, 8),
    (CaseStatus.ASSESSED, 6),
    (CaseStatus.CARE_PLAN, 4),
    (CaseStatus.IN_IMPLEMENTATION, 18),
    (CaseStatus.UNDER_FOLLOW_UP, 30),
    (CaseStatus.READY_TO_CLOSE, 3),
    (CaseStatus.CLOSED, 28),
]
WORK = ["digging", "underground", "washing", "sorting", "carrying", "trading", "crushing"]
HAZARDS = ["heavy_loads", "pits", "dust", "water", "night_work", "violence"]
VARIANTS = [("tsh", "ch"), ("ou", "u"), ("w", "u"), ("y", "i"), ("l", "r")]
BATCH = 5000
BENCH_TEAM_SIZE = 20


def _weighted(rng, mix):
    total = sum(w for _v, w in mix)
    x = rng.uniform(0, total)
    for value, w in mix:
        x -= w
        if x <= 0:
            return value
    return mix[-1][0]


def _variant(rng, name: str) -> str:
    """A spelling variant, as a second registration of the same child would write it."""
    lower = name.lower()
    for a, b in rng.sample(VARIANTS, len(VARIANTS)):
        if a in lower:
            return lower.replace(a, b, 1).capitalize()
    return name


def _bench_team(ctx: SynthContext, org: Organisation) -> list[int]:
    """An organisation whose supervisor leads 20 caseworkers (the benchmark's team view)."""
    supervisor = Membership.objects.filter(organisation=org, role=Role.SUPERVISOR).order_by("pk").first()
    if supervisor is None:
        user = User.objects.create(
            email=f"synth.sup.{org.pk}.{ctx.seed}@exemple.invalid",
            full_name="Superviseur",
            password=make_password(None),
        )
        supervisor = Membership.objects.create(user=user, organisation=org, role=Role.SUPERVISOR)
    team = list(Membership.objects.filter(organisation=org, role=Role.CASEWORKER).order_by("pk"))
    unusable = make_password(None)
    for i in range(len(team), BENCH_TEAM_SIZE):
        user = User.objects.create(
            email=f"synth.cw.{org.pk}.{i}.{ctx.seed}@exemple.invalid",
            full_name=f"{ctx.given_name()} {ctx.family_name()}",
            password=unusable,
        )
        team.append(Membership.objects.create(user=user, organisation=org, role=Role.CASEWORKER))
    Membership.objects.filter(pk__in=[m.pk for m in team]).update(supervisor=supervisor)
    return [m.user_id for m in team]


def _services(ctx: SynthContext, orgs: list[Organisation], territories: list[Place]) -> list[Service]:
    existing = Service.objects.count()
    if existing:
        return list(Service.objects.all())
    rows = []
    for t in territories:
        for st in ServiceType.values:
            for k in range(2 if st in ("crs", "cap", "formal_school") else 1):
                org = ctx.rng.choice(orgs)
                rows.append(
                    Service(
                        name=f"{ServiceType(st).label} {t.name} {k + 1}",
                        service_type=st,
                        organisation=org,
                        place=t,
                        capacity=ctx.rng.choice([20, 30, 40, 60, 100]),
                        contact=f"+2439{ctx.rng.randrange(10**7, 10**8)}",
                    )
                )
    Service.objects.bulk_create(rows, ignore_conflicts=True)
    ctx.inserted("cases_service", len(rows))
    return list(Service.objects.all())


def generate_cases(ctx: SynthContext) -> None:
    n_children = ctx.size("children")
    rng = ctx.rng
    today = clock.today()
    orgs = [
        o
        for o in (ctx.shared.get("organisations") or Organisation.objects.all())
        if o.type in (OrganisationType.NGO, OrganisationType.PROVINCIAL_GOVERNMENT)
    ]
    if not orgs:
        ctx.log("cases : aucune ONG pour porter les cas, rien n'est généré")
        return
    territories = list(Place.objects.filter(level=PlaceLevel.TERRITORY, pcode__startswith="CD72"))
    if not territories:
        ctx.log("cases : aucun territoire du Lualaba (lancez load-reference), rien n'est généré")
        return
    sites_by_territory: dict[int, list[int]] = defaultdict(list)

    for site_id, path in Site.objects.values_list("id", "place__path"):
        for t in territories:
            if path.startswith(t.path):
                sites_by_territory[t.pk].append(site_id)
    bench_workers = _bench_team(ctx, orgs[0])
    workers: dict[int, list[int]] = {
        o.pk: list(
            Membership.objects.filter(organisation=o, role=Role.CASEWORKER, is_active=True).values_list(
                "user_id", flat=True
            )
        )
        for o in orgs
    }
    workers[orgs[0].pk] = bench_workers
    supervisors = {
        m.organisation_id: m.user_id
        for m in Membership.objects.filter(organisation__in=orgs, role=Role.SUPERVISOR).order_by("-pk")
    }
    orgs = [o for o in orgs if workers[o.pk]]
    services = _services(ctx, orgs, territories)
    scoring = ScoringVersion.objects.filter(is_active=True).order_by(
        "-version"
    ).first() or ScoringVersion.objects.create(version=1, label="IDAK 2017")
    counters: dict[tuple[str, int], int] = {
        (c.prefix, c.year): c.last_value for c in CaseNumberCounter.objects.all()
    }
    prefixes = {t.pk: territory_prefix(t) for t in territories}
    digest_cache: dict[str, list[tuple[str, str]]] = {}
    start = today - datetime.timedelta(days=3 * 365)
    span = (today - start).days
    fu_per_case = ctx.size("case_follow_ups") / max(n_children, 1) if "case_follow_ups" in _scale(ctx) else 5
    # Only cases past their care plan have visits, and a case cannot have more visits than months since then:
    # the mean number of visits of those cases is raised so that the total comes near the scale's figure.
    visit_mean = fu_per_case * 4
    encrypt_seconds = 0.0
    totals = defaultdict(int)

    done = 0
    while done < n_children:
        size = min(BATCH, n_children - done)
        children, plans = [], []
        for _i in range(size):
            sex = rng.choice("MF")
            given, family = ctx.given_name(), ctx.family_name()
            duplicate_of = None
            if plans and rng.random() < 0.03:  # the same child registered twice, spelled differently
                duplicate_of = rng.choice(plans)
                sex, given, family = (
                    duplicate_of["sex"],
                    _variant(rng, duplicate_of["given"]),
                    duplicate_of["family"],
                )
            ident = start + datetime.timedelta(days=rng.randrange(span))
            age = rng.choices(range(5, 18), weights=[2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 9, 8, 7])[0]
            if duplicate_of is not None:
                age = duplicate_of["age"]
            dob = clock.add_months(ident, -(12 * age + rng.randrange(12)))
            caregiver = {
                "name": f"{ctx.given_name()} {family}",
                "relationship": rng.choice(["mère", "père", "tante", "grand-mère", "oncle"]),
                "phone": f"+2438{rng.randrange(10**7, 10**8)}",
                "address": "",
            }
            child = Child(
                given_name=given,
                family_name=family,
                sex=sex,
                date_of_birth=dob,
                date_of_birth_estimated=rng.random() < 0.4,
                languages=rng.choice(
                    [["swahili"], ["kiluba", "swahili"], ["lunda"], ["chokwe"], ["swahili", "français"]]
                ),
                school_status=rng.choice(["never", "dropped_out", "irregular", "dropped_out"]),
                caregivers=[caregiver],
            )
            children.append(child)
            plans.append(
                {"sex": sex, "given": given, "family": family, "age": age, "ident": ident, "dob": dob}
            )
        # Fernet runs in get_prep_value during the insert: time the insert, then the cost without it.
        e0 = time.perf_counter()
        insert(Child, children)
        encrypt_seconds += time.perf_counter() - e0
        index_rows = []
        for child, plan in zip(children, plans, strict=True):
            for name in (plan["given"], plan["family"]):
                pairs = digest_cache.get(name)
                if pairs is None:
                    pairs = digest_cache[name] = crypto.name_digests(name)
                index_rows.extend(ChildNameIndex(child_id=child.pk, kind=k, digest=d) for k, d in pairs)
        insert(ChildNameIndex, index_rows, ignore_conflicts=True)
        totals["cases_childnameindex"] += len(index_rows)
        totals["cases_child"] += len(children)

        cases = []
        for child, plan in zip(children, plans, strict=True):
            org = rng.choice(orgs)
            territory = rng.choice(territories)
            site_ids = sites_by_territory.get(territory.pk) or []
            status = _weighted(rng, STATUS_MIX)
            ident = plan["ident"]
            key = (prefixes[territory.pk], ident.year)
            counters[key] = counters.get(key, 0) + 1
            registered = (
                None
                if status == CaseStatus.IDENTIFIED
                else ident + datetime.timedelta(days=rng.randrange(0, 4))
            )
            registered = min(registered, today) if registered else None
            case = Case(
                number=f"{key[0]}-{key[1]}-{counters[key]:06d}",
                child_id=child.pk,
                organisation_id=org.pk,
                caseworker_id=rng.choice(workers[org.pk]),
                supervisor_id=supervisors.get(org.pk),
                territory_id=territory.pk,
                status=status,
                identification_method=rng.choice(
                    ["site_inspection"] * 5
                    + ["community_alert"] * 3
                    + ["self_referral", "police", "school", "other"]
                ),
                identification_date=ident,
                identification_site_id=rng.choice(site_ids) if site_ids and rng.random() < 0.7 else None,
                identification_place_id=territory.pk,
                work_activities=rng.sample(WORK, rng.randrange(1, 3)),
                hazards=rng.sample(HAZARDS, rng.randrange(1, 3)),
                hours_per_week=rng.choice([10, 15, 20, 30, 40, 50]),
                working_since=max(plan["dob"], ident - datetime.timedelta(days=rng.randrange(30, 900))),
                age_at_identification=plan["age"],
                registration_date=registered,
                risk=""
                if status in (CaseStatus.IDENTIFIED, CaseStatus.REGISTERED)
                else rng.choice(["low", "medium", "medium", "high"]),
            )
            _timeline_dates(case, rng, today)
            cases.append(case)
        rows = _dependents(cases, services, scoring, rng, today, visit_mean)
        insert(Case, cases)
        totals["cases_case"] += len(cases)
        _insert_dependents(rows, totals)
        done += size
        ctx.log(f"cases : {done}/{n_children} enfants")

    CaseNumberCounter.objects.bulk_create(
        [CaseNumberCounter(prefix=p, year=y, last_value=v) for (p, y), v in counters.items()],
        update_conflicts=True,
        unique_fields=["prefix", "year"],
        update_fields=["last_value"],
    )
    for table, n in totals.items():
        ctx.inserted(table, n)
    e0 = time.perf_counter()
    for _ in range(3000):
        crypto.encrypt("Tshibangu")
    fernet_us = (time.perf_counter() - e0) / 3000 * 1e6
    ctx.log(
        f"cases : {totals['cases_child']} enfants insérés en {encrypt_seconds:.1f} s "
        f"({encrypt_seconds / max(totals['cases_child'], 1) * 1e6:.0f} µs par enfant, dont 3 chiffrements "
        f"Fernet ≈ {3 * fernet_us:.0f} µs)"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (
                "cases_case",
                "cases_child",
                "cases_childnameindex",
                "cases_followup",
                "cases_caseevent",
            ):
                cursor.execute(f"ANALYZE {table}")


def _scale(ctx):
    return SCALES[ctx.scale]


ORDER = [s for s, _w in STATUS_MIX]


def _at_least(status: str, step: str) -> bool:
    return ORDER.index(status) >= ORDER.index(step)


def _timeline_dates(case: Case, rng, today: datetime.date) -> None:
    """Dates of each step the case has passed, in order and never in the future."""
    reg = case.registration_date
    if reg is None:
        return
    case.assessment_due = reg + datetime.timedelta(days=1 if case.risk == "high" else 3)
    cursor = reg
    if _at_least(case.status, CaseStatus.ASSESSED):
        cursor = min(today, cursor + datetime.timedelta(days=rng.randrange(0, 6)))
        case.assessed_on = cursor
        case.care_plan_due = cursor + datetime.timedelta(days=14)
    if _at_least(case.status, CaseStatus.IN_IMPLEMENTATION):
        cursor = min(today, cursor + datetime.timedelta(days=rng.randrange(3, 20)))
        case.care_plan_approved_on = cursor
    if case.status == CaseStatus.CLOSED:
        closed = min(today, cursor + datetime.timedelta(days=rng.randrange(100, 400)))
        case.closed_on = closed
        case.closure_requested_on = closed
        case.closure_reason = rng.choice(
            ["exit_achieved"] * 6 + ["moved_away", "lost_contact", "turned_18", "transferred"]
        )
        case.exited = case.closure_reason == "exit_achieved"
        case.closure_approved_by_id = case.supervisor_id
    if case.status == CaseStatus.READY_TO_CLOSE:
        case.closure_reason = "exit_achieved"
        case.closure_requested_on = min(today, cursor + datetime.timedelta(days=rng.randrange(100, 300)))
    if case.status == CaseStatus.REGISTERED:
        case.next_due, case.next_task = case.assessment_due, "assessment"
    elif case.status in (CaseStatus.ASSESSED, CaseStatus.CARE_PLAN):
        case.next_due, case.next_task = case.care_plan_due, "care_plan"


def _dependents(cases, services, scoring, rng, today, fu_per_case) -> dict[str, list]:
    """Everything that hangs off the cases, built before they are inserted (their final state is known:
    no update pass). Rows point at the Case objects; bulk_create reads their ids once they are saved."""
    assessments, events, follow_ups, referrals, checks, relapses = [], [], [], [], [], []
    by_provider_type = defaultdict(list)
    for s in services:
        by_provider_type[s.service_type].append(s)
    for case in cases:
        events.append(
            CaseEvent(
                case=case,
                date=case.identification_date,
                kind="identified",
                params={"method": case.identification_method},
                to_status="identified",
            )
        )
        if case.registration_date:
            events.append(
                CaseEvent(
                    case=case,
                    date=case.registration_date,
                    kind="registered",
                    params={"number": case.number},
                    from_status="identified",
                    to_status="registered",
                )
            )
        if case.assessed_on:
            scores = [rng.randrange(0, 4) for _ in range(6)]
            total = sum(scores)
            assessments.append(
                Assessment(
                    case=case,
                    date=case.assessed_on,
                    scoring=scoring,
                    safety=scores[0],
                    health=scores[1],
                    education=scores[2],
                    family_care=scores[3],
                    household_economy=scores[4],
                    psychosocial=scores[5],
                    total=total,
                    risk=scoring.risk_for(total),
                    assessed_by_id=case.caseworker_id,
                )
            )
            events.append(
                CaseEvent(
                    case=case,
                    date=case.assessed_on,
                    kind="assessment",
                    params={"total": total, "risk": scoring.risk_for(total)},
                    to_status="assessed",
                )
            )
        if case.assessed_on and rng.random() < 0.45:
            st = rng.choice(["crs", "crs", "cap", "formal_school", "psychosocial", "health", "economic"])
            service = rng.choice(by_provider_type[st]) if by_provider_type[st] else None
            if service is not None:
                referred = case.assessed_on
                status = rng.choice(
                    [
                        ReferralStatus.PENDING,
                        ReferralStatus.ACCEPTED,
                        ReferralStatus.COMPLETED,
                        ReferralStatus.COMPLETED,
                        ReferralStatus.DECLINED,
                    ]
                )
                answered = min(today, referred + datetime.timedelta(days=rng.randrange(1, 10)))
                delivered = min(today, answered + datetime.timedelta(days=rng.randrange(5, 60)))
                referrals.append(
                    Referral(
                        case=case,
                        provider_id=service.organisation_id,
                        service=service,
                        service_type=st,
                        referred_on=referred,
                        answer_due=referred + datetime.timedelta(days=7),
                        status=status,
                        answered_on=None if status == ReferralStatus.PENDING else answered,
                        decline_reason="Capacité atteinte" if status == ReferralStatus.DECLINED else "",
                        delivered_on=delivered if status == ReferralStatus.COMPLETED else None,
                        referred_by_id=case.caseworker_id,
                    )
                )
        if case.care_plan_approved_on:
            end = case.closed_on or case.closure_requested_on or today
            months = max(0, clock.months_between(case.care_plan_approved_on, end))
            visits = (
                min(months, max(1, int(rng.expovariate(1 / fu_per_case)) + 1))
                if case.status != CaseStatus.IN_IMPLEMENTATION
                else 0
            )
            for k in range(visits):
                visit = clock.add_months(case.care_plan_approved_on, k + 1)
                if visit > today:
                    break
                working = rng.random() < 0.06
                follow_ups.append(
                    FollowUp(
                        case=case,
                        due_date=visit,
                        visit_date=visit,
                        child_seen=rng.random() < 0.92,
                        in_school_or_training=not working and rng.random() < 0.85,
                        attending=not working and rng.random() < 0.8,
                        found_working=working,
                        seen_at_site=working and rng.random() < 0.5,
                        recorded_by_id=case.caseworker_id,
                    )
                )
                visited = follow_ups[-1]
                params = {
                    "seen": visited.child_seen,
                    "in_education": visited.in_education,
                    "working": working,
                }
                events.append(CaseEvent(case=case, date=visit, kind="follow_up", params=params))
            if case.status in (CaseStatus.IN_IMPLEMENTATION, CaseStatus.UNDER_FOLLOW_UP):
                due = clock.add_months(case.care_plan_approved_on, visits + 1)
                follow_ups.append(FollowUp(case=case, due_date=due))
                case.next_due, case.next_task = due, "follow_up"
        if case.status == CaseStatus.CLOSED and case.exited:
            for m in (3, 6, 12):
                due = clock.add_months(case.closed_on, m)
                done = due <= today and rng.random() < 0.85
                found = done and rng.random() < 0.07
                checks.append(
                    RetentionCheck(
                        case=case,
                        closure_date=case.closed_on,
                        months_after=m,
                        due_date=due,
                        done_on=due if done else None,
                        found_working=found if done else None,
                        seen_at_site=False if done else None,
                        in_school_or_training=(not found) if done else None,
                    )
                )
                if found:
                    relapses.append(
                        Relapse(case=case, date=due, source="retention_check", status_before="closed")
                    )
                    break
                if not done and case.next_due is None:
                    case.next_due, case.next_task = due, "retention_check"
        if case.status == CaseStatus.CLOSED:
            events.append(
                CaseEvent(
                    case=case,
                    date=case.closed_on,
                    kind="closed",
                    params={"reason": case.closure_reason},
                    to_status="closed",
                )
            )
    # A relapse found at a retention check reopened the case (flagged, with its history).
    for relapse in relapses:
        case = relapse.case
        case.status, case.relapse_count, case.last_relapse_on, case.reopened_count = (
            "registered",
            1,
            relapse.date,
            1,
        )
        case.closed_on, case.closure_reason, case.exited, case.closure_requested_on = None, "", False, None
        case.closure_approved_by_id = None
        case.risk = "high"
        case.assessment_due = min(today, relapse.date + datetime.timedelta(days=1))
        case.next_due, case.next_task = case.assessment_due, "assessment"
    return {
        "cases_assessment": assessments,
        "cases_caseevent": events,
        "cases_followup": follow_ups,
        "cases_referral": referrals,
        "cases_retentioncheck": checks,
        "cases_relapse": relapses,
    }


def _insert_dependents(rows: dict[str, list], totals) -> None:
    models = {
        "cases_assessment": Assessment,
        "cases_caseevent": CaseEvent,
        "cases_followup": FollowUp,
        "cases_referral": Referral,
        "cases_retentioncheck": RetentionCheck,
        "cases_relapse": Relapse,
    }
    for table, objs in rows.items():
        for obj in objs:
            obj.case_id = obj.case.pk  # the cases were saved after these rows were built
        insert(models[table], objs)
        totals[table] += len(objs)


# National scale: the base generated above is multiplied in SQL (kinga.core.synth_clone). Case numbers of copy k
# continue past the base's counters (k × 100,000 added to the sequence part), and the counters move past them.
register_clone(Child, order=10, sizes=("children", "case_follow_ups"))
register_clone(ChildNameIndex, order=11)
register_clone(
    Case,
    order=12,
    expressions={
        # No lpad: it would truncate the seven digits of copies 10 and up (and ≥ 100,001 needs no padding).
        "number": "regexp_replace(number, '[0-9]+$', '') || "
        "(substring(number from '[0-9]+$')::int + k * 100000)::text"
    },
)
for _model in (Assessment, CaseEvent, FollowUp, Referral, RetentionCheck, Relapse):
    register_clone(_model, order=13)
register_clone_finisher(
    lambda factor, cursor: cursor.execute(
        "UPDATE cases_casenumbercounter SET last_value = last_value + %s", [factor * 100000]
    )
)


def demo_handover(*, accounts: dict, stdout=None) -> None:
    """The demo caseworker takes over the caseload of the busiest synthetic caseworker (cases moved to the demo
    organisation, supervised by the demo supervisor), so that the demo homes show real work. Once only."""
    worker, supervisor = accounts.get("travailleur"), accounts.get("superviseur")
    if worker is None or Case.objects.filter(caseworker=worker.user).exists():
        return
    busiest = (
        Case.objects.exclude(caseworker__isnull=True)
        .exclude(organisation=worker.organisation)
        .filter(next_due__isnull=False)
        .values("caseworker_id")
        .annotate(n=Count("id"))
        .order_by("-n", "caseworker_id")
        .first()
    )
    if busiest is None:
        return
    handed = {
        "organisation": worker.organisation,
        "caseworker": worker.user,
        "supervisor": supervisor.user if supervisor else None,
    }
    moved = Case.objects.filter(caseworker_id=busiest["caseworker_id"]).update(**handed)
    # One case in each state the busiest caseload lacks (a new identification to register, a registration to
    # assess...), so that every step of the work can be shown from the demo account.
    mine = Case.objects.filter(caseworker=worker.user)
    others = Case.objects.exclude(organisation=worker.organisation).order_by("pk")
    for status in CaseStatus.values:
        if not mine.filter(status=status).exists():
            case = others.filter(status=status).first()
            if case is not None:
                moved += Case.objects.filter(pk=case.pk).update(**handed)
    # And one that can be closed normally: follow-up visits at least the rule's months apart, all finding the
    # child out of the mines and at school (the exit rule met, no supervisor's override needed).
    following = mine.filter(status=CaseStatus.UNDER_FOLLOW_UP)
    if not any(evaluate_exit_rule(case).met for case in following):
        for case in others.filter(status=CaseStatus.UNDER_FOLLOW_UP)[:200]:
            if evaluate_exit_rule(case).met:
                moved += Case.objects.filter(pk=case.pk).update(**handed)
                break
    if stdout:
        stdout.write(f"cases : {moved} dossiers confiés au compte de démonstration {worker.user.email}")
