"""Synthetic production and nutrition for `kinga synth` (bulk inserts, no audit rows), from the households the
households generator made: micro-finance groups of the farming households of one organisation and territory with
their loans (most repaid on time, some late), harvests and livestock of the households in farming programmes over
the last two years, and nutrition visits with the MUAC of the children of 6 to 59 months (about one in ten
malnourished). At national scale the base is multiplied in SQL with the households (kinga.core.synth_clone)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Exists, OuterRef, Subquery

from kinga.core import clock
from kinga.core.models import Place
from kinga.core.synth import SynthContext
from kinga.core.synth_clone import register_clone
from kinga.core.synth_insert import insert
from kinga.households.models import (
    Enrolment,
    FinanceGroup,
    GroupKind,
    GroupMember,
    Harvest,
    HouseholdMember,
    Loan,
    LoanPurpose,
    LoanRepayment,
    MuacMeasurement,
    NutritionVisit,
)
from kinga.households.models.production import FOOD_GROUPS
from kinga.households.nutrition import age_in_months, food_score, muac_status
from kinga.households.services.production import FARMING_PROGRAMMES

GROUP_SIZE = 20
CROPS = [
    ("maize", "bag", 4, 30),
    ("cassava", "kg", 200, 1500),
    ("beans", "kg", 30, 300),
    ("groundnuts", "kg", 20, 200),
]
ANIMALS = [
    ("goats", "head", 1, 8),
    ("poultry", "head", 5, 40),
    ("pigs", "head", 1, 5),
    ("eggs", "dozen", 5, 60),
]
# Lualaba's seasons and the month a season's harvest is recorded.
SEASON_MONTH = {"A": 2, "B": 6, "C": 9}


def _seasons(today: datetime.date) -> list[tuple[str, int, datetime.date]]:
    found = []
    for year in (today.year - 2, today.year - 1, today.year):
        for season, month in SEASON_MONTH.items():
            day = datetime.date(year, month, 15)
            if day <= today - datetime.timedelta(days=15):
                found.append((season, year, day))
    return found[-5:]


def generate_production(ctx: SynthContext) -> None:
    today = clock.today()
    if FinanceGroup.objects.exists() or Harvest.objects.exists():
        ctx.log("production : déjà générée, rien n'est ajouté")
        return
    farming = list(
        Enrolment.objects.filter(programme__kind__in=FARMING_PROGRAMMES)
        .order_by("id")
        .values_list(
            "id",
            "household_id",
            "enrolled_on",
            "ended_on",
            "household__organisation_id",
            "household__place_id",
            "household__territory_id",
        )
    )
    if not farming:
        ctx.log("production : aucun ménage dans un programme agricole, rien n'est généré")
        return
    _harvests(ctx, farming, today)
    _groups(ctx, farming, today)
    _nutrition(ctx, today)
    ctx.log(
        f"production : {ctx.counts.get('households_harvest', 0)} récoltes, "
        f"{ctx.counts.get('households_financegroup', 0)} groupes de micro-finance, "
        f"{ctx.counts.get('households_nutritionvisit', 0)} visites nutritionnelles"
    )


def _harvests(ctx, farming, today) -> None:
    rng, seasons, rows, seen = ctx.rng, _seasons(today), [], set()
    for enrolment_id, household_id, enrolled_on, ended_on, *_ in farming:
        for season, year, day in seasons:
            if day < enrolled_on or (ended_on and day > ended_on) or rng.random() < 0.3:
                continue  # about seven households in ten record a harvest in a season
            crop = rng.random() < 0.7
            product, unit, low, high = rng.choice(CROPS if crop else ANIMALS)
            if (household_id, product, season, year) in seen:
                continue
            seen.add((household_id, product, season, year))
            rows.append(
                Harvest(
                    household_id=household_id,
                    enrolment_id=enrolment_id,
                    kind="crop" if crop else "livestock",
                    product=product,
                    quantity=Decimal(rng.randint(low, high)),
                    unit=unit,
                    area_ha=Decimal(rng.choice(["0.5", "1", "1.5", "2", "3", "5"])) if crop else None,
                    season=season,
                    season_year=year,
                    recorded_on=day,
                )
            )
    insert(Harvest, rows)
    ctx.inserted("households_harvest", len(rows))


def _groups(ctx, farming, today) -> None:
    rng = ctx.rng
    by_key = defaultdict(list)
    for _, household_id, _, _, organisation_id, place_id, territory_id in farming:
        by_key[(organisation_id, territory_id)].append((household_id, place_id, territory_id))
    groups, plans = [], []
    names = dict(Place.objects.filter(pk__in={t for _, t in by_key}).values_list("pk", "name"))
    for (organisation_id, territory_id), households in sorted(by_key.items(), key=lambda kv: str(kv[0])):
        unique = list(dict.fromkeys(households))
        for n, start in enumerate(range(0, len(unique), GROUP_SIZE), start=1):
            chunk = unique[start : start + GROUP_SIZE]
            formed_on = today - datetime.timedelta(days=rng.randint(400, 900))
            groups.append(
                FinanceGroup(
                    # The organisation's number in the name: names stay unique when a hand-over merges two.
                    name=f"AVEC {names.get(territory_id, '')} {organisation_id}-{n}",
                    kind=rng.choice([GroupKind.SAVINGS, GroupKind.SAVINGS, GroupKind.REVOLVING]),
                    organisation_id=organisation_id,
                    place_id=chunk[0][1],
                    territory_id=territory_id,
                    formed_on=formed_on,
                    capital_usd=Decimal(0),
                )
            )
            plans.append(chunk)
    insert(FinanceGroup, groups)
    members, loans = [], []
    for group, chunk in zip(groups, plans, strict=True):
        joined_on = group.formed_on + datetime.timedelta(days=14)
        lent = Decimal(0)
        for household_id, _, _ in chunk:
            members.append(GroupMember(group_id=group.pk, household_id=household_id, joined_on=joined_on))
            if rng.random() < 0.6:
                amount = Decimal(rng.choice([50, 80, 100, 150, 200, 300]))
                issued_on = today - datetime.timedelta(days=rng.randint(30, 360))
                loans.append(
                    Loan(
                        group_id=group.pk,
                        household_id=household_id,
                        purpose=rng.choice(
                            [
                                LoanPurpose.INPUTS,
                                LoanPurpose.INPUTS,
                                LoanPurpose.TOOLS,
                                LoanPurpose.LIVESTOCK,
                                LoanPurpose.TRADE,
                            ]
                        ),
                        amount_usd=amount,
                        interest_percent=Decimal(10),
                        issued_on=issued_on,
                        due_on=issued_on + datetime.timedelta(days=180),
                    )
                )
                lent += amount
        # The members' savings and the seed grant cover what the group lent.
        group.capital_usd = lent + Decimal(rng.choice([100, 200, 500]))
    FinanceGroup.objects.bulk_update(groups, ["capital_usd"], batch_size=2000)
    insert(GroupMember, members)
    insert(Loan, loans)
    repayments = []
    for loan in loans:
        due = loan.amount_due
        draw = rng.random()
        share = Decimal(1) if draw < 0.7 else (Decimal("0.5") if draw < 0.85 else Decimal(0))
        paid, instalments = (due * share).quantize(Decimal("0.01")), rng.randint(1, 3)
        part, left = (paid / instalments).quantize(Decimal("0.01")), paid
        for i in range(instalments if paid else 0):
            day = loan.issued_on + datetime.timedelta(days=60 * (i + 1))
            if day > today:
                break
            amount = left if i == instalments - 1 else part  # the last instalment pays what rounding left
            left -= amount
            repayments.append(LoanRepayment(loan_id=loan.pk, paid_on=day, amount_usd=amount))
    insert(LoanRepayment, repayments)
    ctx.inserted("households_financegroup", len(groups))
    ctx.inserted("households_groupmember", len(members))
    ctx.inserted("households_loan", len(loans))
    ctx.inserted("households_loanrepayment", len(repayments))


def _nutrition(ctx, today) -> None:
    """A visit to most households with a child of 6 to 59 months, in the last six months."""
    rng = ctx.rng
    young = (
        HouseholdMember.objects.filter(
            birth_date__gt=today - datetime.timedelta(days=59 * 30),
            birth_date__lte=today - datetime.timedelta(days=210),
        )
        .order_by("id")
        .values_list("id", "household_id", "birth_date")
    )
    by_household = defaultdict(list)
    for member_id, household_id, birth in young:
        by_household[household_id].append((member_id, birth))
    visits, plans = [], []
    for household_id, children in by_household.items():
        if rng.random() < 0.2:
            continue
        visited_on = today - datetime.timedelta(days=rng.randint(1, 180))
        days = {group: rng.choice([0, 1, 2, 3, 5, 7]) for group in FOOD_GROUPS}
        days["days_staples"] = 7
        score, consumption = food_score(days)
        visits.append(
            NutritionVisit(
                household_id=household_id,
                visited_on=visited_on,
                food_score=score,
                food_consumption=consumption,
                **days,
            )
        )
        plans.append(children)
    insert(NutritionVisit, visits)
    measurements = []
    for visit, children in zip(visits, plans, strict=True):
        for member_id, birth in children:
            months = age_in_months(birth, visit.visited_on)
            if not 6 <= months <= 59:
                continue
            draw = rng.random()
            mm = (
                rng.randint(100, 114)
                if draw < 0.03
                else rng.randint(115, 124)
                if draw < 0.11
                else rng.randint(125, 160)
            )
            oedema = draw < 0.005
            measurements.append(
                MuacMeasurement(
                    visit_id=visit.pk,
                    member_id=member_id,
                    age_months=months,
                    muac_mm=mm,
                    oedema=oedema,
                    status=muac_status(mm, oedema),
                )
            )
    insert(MuacMeasurement, measurements)
    ctx.inserted("households_nutritionvisit", len(visits))
    ctx.inserted("households_muacmeasurement", len(measurements))


def demo_handover(*, accounts: dict, stdout=None) -> None:
    """After the households' hand-over to the demo organisation, their groups follow them: a group belongs to the
    organisation of its member households."""
    first = (
        GroupMember.objects.filter(group=OuterRef("pk"))
        .order_by("id")
        .values("household__organisation_id")[:1]
    )
    has_members = Exists(GroupMember.objects.filter(group=OuterRef("pk")))
    FinanceGroup.objects.filter(has_members).update(organisation_id=Subquery(first))


# National scale: the base above is multiplied with the households it belongs to.
register_clone(FinanceGroup, order=24, expressions={"name": "name || ' (' || k || ')'"})
register_clone(Harvest, order=24)
register_clone(NutritionVisit, order=24)
register_clone(GroupMember, order=25)
register_clone(Loan, order=25)
register_clone(MuacMeasurement, order=25)
register_clone(LoanRepayment, order=26)
