"""Synthetic households for `kinga synth` (bulk inserts, no audit rows).

National scale: 500,000 households, 2,500,000 members, 3 survey rounds, 300,000 enrolments. Enrolled
households improve over the rounds more than the others, so that programme pages show a trajectory.
At national scale a base of 1/20 is generated and multiplied in SQL (kinga.core.synth_clone).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Q

from kinga.core import clock, crypto
from kinga.core.models import Organisation, OrganisationType, Place, PlaceLevel
from kinga.core.synth import SynthContext, batched
from kinga.core.synth_clone import register_clone, register_clone_finisher
from kinga.core.synth_insert import insert
from kinga.households.models import (
    Cooperative,
    CooperativeMember,
    CooperativeNetwork,
    Delivery,
    Deposit,
    Enrolment,
    EnrolmentStatus,
    Household,
    HouseholdMember,
    HouseholdNameIndex,
    HouseholdScore,
    IncomeSource,
    Programme,
    ProgrammeKind,
    RoundKind,
    Survey,
    SurveyRound,
)
from kinga.households.services import figures, scores
from kinga.households.services import totals as round_totals

ROUNDS = [
    (
        "enquete-2018",
        "Enquête socio-économique préalable 2018",
        RoundKind.BASELINE,
        datetime.date(2018, 1, 15),
        datetime.date(2018, 12, 31),
    ),
    (
        "suivi-2019",
        "Passage de suivi 2019",
        RoundKind.FOLLOW_UP,
        datetime.date(2019, 7, 1),
        datetime.date(2019, 12, 31),
    ),
    (
        "suivi-2021",
        "Passage de suivi 2021",
        RoundKind.FOLLOW_UP,
        datetime.date(2021, 1, 15),
        datetime.date(2021, 12, 31),
    ),
]
KIND_SHARE = [
    (ProgrammeKind.COOPERATIVE, 0.25),
    (ProgrammeKind.GARDENING_LIVESTOCK, 0.15),
    (ProgrammeKind.RETRAINING, 0.15),
    (ProgrammeKind.SMALL_BUSINESS, 0.15),
    (ProgrammeKind.SAVINGS, 0.15),
    (ProgrammeKind.LITERACY, 0.15),
]
OCCUPATIONS = [
    "artisanal_miner",
    "artisanal_miner",
    "trader",
    "farmer",
    "farmer",
    "homemaker",
    "artisan",
    "unemployed",
]
TRADES = ["couture", "menuiserie", "maçonnerie", "mécanique", "coiffure", "boulangerie", "soudure"]


def _current_round(after: SurveyRound) -> None:
    """This year's follow-up round, without surveys yet: what a person recording a survey today files it in (a
    survey outside every round's dates is refused)."""
    today = clock.today()
    start, end = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    taken = SurveyRound.objects.filter(
        Q(code=f"suivi-{today.year}") | Q(number=after.number + 1) | Q(starts_on__lte=end, ends_on__gte=start)
    )
    if taken.exists():  # made by a coordinator already, or by an earlier run: never touched
        return
    SurveyRound.objects.create(
        code=f"suivi-{today.year}",
        name=f"Passage de suivi {today.year}",
        kind=RoundKind.FOLLOW_UP,
        number=after.number + 1,
        starts_on=start,
        ends_on=end,
    )


def _rounds() -> list[SurveyRound]:
    result = []
    for number, (code, name, kind, start, end) in enumerate(ROUNDS, start=1):
        rnd, _ = SurveyRound.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "number": number, "starts_on": start, "ends_on": end},
        )
        result.append(rnd)
    return result


def _cooperatives(ctx: SynthContext, territories: list[Place], ngos: list[Organisation]) -> list[Cooperative]:
    n = ctx.size("cooperatives")
    networks = CooperativeNetwork.objects.bulk_create(
        [
            CooperativeNetwork(
                name=f"Réseau des coopératives {ctx.seed}-{i + 1}", place=ctx.rng.choice(territories)
            )
            for i in range(max(1, n // 20))
        ]
    )
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Coopérative {ctx.family_name()} {ctx.seed}-{i + 1}",
                acronym=f"COOP{i + 1}",
                type=OrganisationType.COOPERATIVE,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    coops = []
    for i, org in enumerate(orgs):
        place = ctx.rng.choice(territories)
        coops.append(
            Cooperative(
                organisation=org,
                supported_by=ctx.rng.choice(ngos),
                kind=ctx.rng.choice(["agro_pastoral", "agro_pastoral", "mining", "mixed"]),
                registration_number=f"RCCM/LUA/{ctx.seed}/{i + 1:05d}",
                registered_on=datetime.date(2017, 9, 1) + datetime.timedelta(days=ctx.rng.randrange(1200)),
                place=place,
                place_path=place.path,
                territory=place,
                hectares=Decimal(ctx.rng.choice([50, 100, 250, 500, 1000])),
                network=ctx.rng.choice(networks) if ctx.rng.random() < 0.6 else None,
            )
        )
    coops = Cooperative.objects.bulk_create(coops, batch_size=2000)
    ctx.inserted("households_cooperative", len(coops))
    ctx.inserted("households_cooperativenetwork", len(networks))
    members = []
    for coop in coops:
        for _j in range(ctx.rng.randint(20, 60) if n <= 200 else ctx.rng.randint(10, 40)):
            sex = "F" if ctx.rng.random() < 0.35 else "M"
            members.append(
                CooperativeMember(
                    cooperative=coop,
                    full_name=f"{ctx.given_name()} {ctx.family_name()}",
                    sex=sex,
                    birth_date=datetime.date(ctx.rng.randint(1960, 2004), ctx.rng.randint(1, 12), 1),
                    birth_date_estimated=True,
                    is_artisanal_miner=coop.kind != "agro_pastoral" or ctx.rng.random() < 0.4,
                    joined_on=coop.registered_on + datetime.timedelta(days=ctx.rng.randrange(400)),
                )
            )
    for batch in batched(members, 5000):
        CooperativeMember.objects.bulk_create(batch)
    ctx.inserted("households_cooperativemember", len(members))
    return coops


def _programmes(ctx: SynthContext, ngos: list[Organisation]) -> dict[str, list[Programme]]:
    labels = dict(ProgrammeKind.choices)
    programmes: dict[str, list[Programme]] = {}
    for kind, _share in KIND_SHARE:
        rows = [
            Programme(
                name=f"{labels[kind]} — {org.acronym or org.name}",
                kind=kind,
                organisation=org,
                starts_on=datetime.date(2018, 3, 1),
                max_hectares=Decimal(5) if kind == ProgrammeKind.COOPERATIVE else None,
            )
            for org in ngos[: max(2, min(len(ngos), 10))]
        ]
        programmes[kind] = Programme.objects.bulk_create(rows)
    ctx.inserted("households_programme", sum(len(v) for v in programmes.values()))
    return programmes


def generate_households(ctx: SynthContext) -> None:
    territories = list(Place.objects.filter(pcode__startswith="CD72", level=PlaceLevel.TERRITORY))
    if not territories:
        territories = list(Place.objects.filter(level=PlaceLevel.TERRITORY)[:10])
    ngos = [o for o in ctx.shared.get("organisations", []) if o.type == OrganisationType.NGO] or list(
        Organisation.objects.filter(type=OrganisationType.NGO)[:20]
    )
    if not ngos or not territories:
        ctx.log("households : ni organisation ni territoire, rien n'est généré")
        return
    rounds = _rounds()
    _current_round(rounds[-1])
    coops = _cooperatives(ctx, territories, ngos)
    programmes = _programmes(ctx, ngos)
    n_households = ctx.size("households")
    members_per = ctx.size("household_members") / n_households
    enrol_rate = ctx.size("household_enrolments") / n_households
    rng = ctx.rng
    counter = 0
    digest_cache: dict[str, list[tuple[str, str]]] = {}
    totals = {"households": 0, "members": 0, "surveys": 0, "enrolments": 0}
    for chunk in batched(range(n_households), 5000):
        households = []
        plans = []
        for _ in chunk:
            counter += 1
            place = rng.choice(territories)
            size = max(1, min(20, round(rng.gauss(members_per, 1.5))))
            head_sex = "F" if rng.random() < 0.28 else "M"
            org = rng.choice(ngos)
            family = ctx.family_name()
            households.append(
                Household(
                    organisation=org,
                    survey_id=f"{(place.short_code or place.pcode or 'LUA')[:6]}-{ctx.seed}-{counter:07d}",
                    place=place,
                    place_path=place.path,
                    territory=place,
                    head_name=f"{ctx.given_name()} {family}",
                    size=size,
                )
            )
            plans.append((size, head_sex, family))
        households = insert(Household, households)
        members, surveys, names = [], [], []
        for household, (size, head_sex, family) in zip(households, plans, strict=True):
            names += [
                HouseholdNameIndex(household=household, kind=k, digest=d)
                for k, d in crypto.name_digests(household.head_name)
            ]
            head_age = rng.randint(16, 75)
            for j in range(size):
                if j == 0:
                    rel, sex, age = "head", head_sex, head_age
                elif j == 1 and size > 2:
                    rel, sex, age = (
                        "spouse",
                        "M" if head_sex == "F" else "F",
                        max(16, head_age + rng.randint(-8, 5)),
                    )
                else:
                    rel, sex, age = "child", rng.choice("MF"), rng.randint(0, 17)
                works_mine = rel == "child" and 5 <= age <= 17 and rng.random() < 0.12
                members.append(
                    HouseholdMember(
                        household=household,
                        full_name=f"{ctx.given_name()} {family}",
                        relationship=rel,
                        sex=sex,
                        birth_date=datetime.date(2024 - age, rng.randint(1, 12), 1),
                        birth_date_estimated=True,
                        attends_school=rel == "child"
                        and 6 <= age <= 17
                        and not works_mine
                        and rng.random() < 0.7,
                        occupation=rng.choice(OCCUPATIONS)
                        if rel != "child"
                        else ("pupil" if age >= 6 else "unemployed"),
                        works_at_mine_site=works_mine or (rel != "child" and rng.random() < 0.3),
                    )
                )
            base_income = max(0.0, rng.lognormvariate(4.4, 0.7))
            hunger = rng.choice([0, 1, 2, 2, 3, 3, 4, 5])
            working = rng.choice([0, 0, 0, 1, 1, 2])
            for r_index, rnd in enumerate(rounds):
                if r_index > 0 and rng.random() < 0.08:
                    continue  # lost to follow-up this round
                income = base_income * (1 + 0.08 * r_index + rng.uniform(-0.1, 0.1))
                at_mine = min(working, rng.choice([0, 0, 1])) if working else 0
                surveys.append(
                    Survey(
                        household=household,
                        round=rnd,
                        surveyed_on=rnd.starts_on + datetime.timedelta(days=rng.randrange(60)),
                        household_size=size,
                        head_sex=head_sex,
                        head_age=min(120, head_age + r_index),
                        monthly_income_usd=Decimal(f"{income:.2f}"),
                        has_productive_assets=rng.random() < 0.35,
                        housing=rng.choice(["durable", "semi_durable", "precarious", "precarious"]),
                        hunger_scale=max(0, hunger - (r_index if rng.random() < 0.3 else 0)),
                        children_working=min(working, size),
                        children_working_at_mine=min(at_mine, working, size),
                        school_age_out_of_school=min(size, rng.choice([0, 0, 1, 1, 2])),
                        members_disabled_or_ill=min(size, rng.choice([0, 0, 0, 0, 1])),
                        access_to_water=rng.random() < 0.5,
                        access_to_health=rng.random() < 0.6,
                        access_to_school=rng.random() < 0.7,
                        access_to_credit=rng.random() < 0.1,
                    )
                )
        created_members = insert(HouseholdMember, members)
        for m in created_members:
            if m.relationship != "head":
                digests = digest_cache.get(m.full_name)
                if digests is None:
                    digests = digest_cache[m.full_name] = crypto.name_digests(m.full_name)
                names += [
                    HouseholdNameIndex(household_id=m.household_id, member=m, kind=k, digest=d)
                    for k, d in digests
                ]
        insert(HouseholdNameIndex, names)
        surveys = insert(Survey, surveys)
        insert(
            IncomeSource,
            [
                IncomeSource(
                    survey=s,
                    kind=rng.choice(["artisanal_mining", "trade", "agriculture"]),
                    monthly_amount_usd=s.monthly_income_usd,
                )
                for s in surveys
            ],
            batch_size=5000,
        )
        _enrol(ctx, households, created_members, programmes, coops, enrol_rate)
        totals["households"] += len(households)
        totals["members"] += len(created_members)
        totals["surveys"] += len(surveys)
    ctx.inserted("households_household", totals["households"])
    ctx.inserted("households_householdmember", totals["members"])
    ctx.inserted("households_survey", totals["surveys"])
    scored, not_scored, seconds = scores.score_all()
    ctx.log(f"  households : {scored} ménages notés, {not_scored} non notés, en {seconds:.1f} s")
    rows, seconds = round_totals.rebuild_all()
    ctx.log(f"  households : {rows} totaux par passage en {seconds:.1f} s")
    figures.rebuild_all()


def _enrol(ctx, households, members, programmes, coops, rate: float) -> None:
    rng = ctx.rng
    by_household: dict[int, list[HouseholdMember]] = {}
    for m in members:
        by_household.setdefault(m.household_id, []).append(m)
    kinds = [k for k, _ in KIND_SHARE]
    weights = [w for _, w in KIND_SHARE]
    enrolments = []
    for household in households:
        n = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
        for kind in set(rng.choices(kinds, weights, k=n)):
            programme = rng.choice(programmes[kind])
            adults = [m for m in by_household[household.pk] if m.relationship != "child"]
            member = rng.choice(adults) if adults else None
            enrolled_on = datetime.date(2018, 6, 1) + datetime.timedelta(days=rng.randrange(500))
            done = rng.random() < 0.6
            e = Enrolment(
                programme=programme,
                household=household,
                member=member,
                enrolled_on=enrolled_on,
                status=EnrolmentStatus.COMPLETED
                if done and kind != ProgrammeKind.COOPERATIVE
                else EnrolmentStatus.ACTIVE,
                ended_on=enrolled_on + datetime.timedelta(days=180)
                if done and kind != ProgrammeKind.COOPERATIVE
                else None,
            )
            if kind == ProgrammeKind.COOPERATIVE:
                e.cooperative = rng.choice(coops)
                e.hectares = Decimal(rng.choice([1, 2, 3, 4, 5, 5]))
            elif kind == ProgrammeKind.RETRAINING:
                e.trade = rng.choice(TRADES)
                e.previous_occupation = member.occupation if member else "artisanal_miner"
                e.new_occupation = "artisan" if done else ""
            elif kind == ProgrammeKind.SMALL_BUSINESS:
                e.business_name = f"Ets {ctx.family_name()}"
                e.business_created_on = enrolled_on + datetime.timedelta(days=90)
                e.business_status = rng.choice(["started", "operating", "operating", "closed"])
                e.business_registration = f"RCCM/KZI/{rng.randrange(10**6)}" if rng.random() < 0.4 else ""
            elif kind == ProgrammeKind.SAVINGS:
                e.bank = rng.choice(["TMB", "Rawbank", "Equity BCDC", "AVEC"])
                e.account_opened_on = enrolled_on + datetime.timedelta(days=15)
            elif kind == ProgrammeKind.LITERACY:
                e.sessions_planned = 40
                e.sessions_attended = rng.randint(30, 40) if done else rng.randint(0, 30)
            enrolments.append(e)
    enrolments = insert(Enrolment, enrolments)
    deliveries, deposits = [], []
    for e in enrolments:
        if e.programme.kind in (ProgrammeKind.COOPERATIVE, ProgrammeKind.GARDENING_LIVESTOCK):
            deliveries.append(
                Delivery(
                    enrolment=e,
                    delivered_on=e.enrolled_on + datetime.timedelta(days=30),
                    kind=rng.choice(["inputs", "tools", "livestock"]),
                    quantity=Decimal(rng.randint(1, 50)),
                    unit="kg",
                    value_usd=Decimal(rng.randint(20, 300)),
                )
            )
        elif e.account_opened_on and rng.random() < 0.8:
            deposits.append(
                Deposit(
                    enrolment=e,
                    deposited_on=e.account_opened_on + datetime.timedelta(days=20),
                    amount_usd=Decimal(rng.randint(5, 80)),
                )
            )
    insert(Delivery, deliveries)
    insert(Deposit, deposits)
    ctx.inserted("households_enrolment", len(enrolments))
    ctx.inserted("households_delivery", len(deliveries))
    ctx.inserted("households_deposit", len(deposits))


# National scale: the base generated above is multiplied in SQL (kinga.core.synth_clone).
register_clone(
    Household,
    order=20,
    sizes=("households", "household_members", "household_enrolments"),
    expressions={"survey_id": "survey_id || '-' || k"},
)
register_clone(HouseholdMember, order=21)
register_clone(HouseholdNameIndex, order=22)
register_clone(Survey, order=22)
register_clone(IncomeSource, order=23)
register_clone(HouseholdScore, order=23)
register_clone(Enrolment, order=23)
register_clone(Delivery, order=24)
register_clone(Deposit, order=24)


def _rebuild_totals(factor: int, cursor) -> None:
    # The planner still has the base's statistics here; with them it joins 1.4 M surveys by nested loop.
    cursor.execute(f"ANALYZE {Household._meta.db_table}, {Survey._meta.db_table}")
    round_totals.rebuild_all()
    figures.rebuild_all()


# The copies' surveys count in the round totals (rebuilt, not copied: a copy shares its base's keys).
register_clone_finisher(_rebuild_totals)


def demo_handover(*, accounts: dict, stdout=None) -> None:
    """The demo organisation (its manager, supervisor and caseworker) takes over the households of the synthetic
    NGO that follows the most, with their surveys, enrolments and savings, so that its manager's household pages
    have families to follow. The per-organisation survey sums are rebuilt after the move. Once only."""
    manager = accounts.get("responsable")
    if manager is None or Household.objects.filter(organisation=manager.organisation).exists():
        return
    busiest = (
        Household.objects.exclude(organisation=manager.organisation)
        .filter(organisation__type=OrganisationType.NGO)
        .values("organisation_id")
        .annotate(n=Count("id"))
        .order_by("-n", "organisation_id")
        .first()
    )
    if busiest is None:
        return
    moved = Household.objects.filter(organisation_id=busiest["organisation_id"]).update(
        organisation=manager.organisation
    )
    round_totals.rebuild_all()
    figures.rebuild_all()
    if stdout:
        stdout.write(f"households : {moved} ménages suivis par l'organisation de {manager.user.email}")
