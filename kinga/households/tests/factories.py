"""Test helpers of the households app: a household with a survey, a round, a programme."""

from __future__ import annotations

import datetime
import itertools

from kinga.core.access import Actor
from kinga.households import services
from kinga.households.models import RoundKind, SurveyRound

_n = itertools.count(1)


def make_round(number: int | None = None, kind: str = RoundKind.BASELINE) -> SurveyRound:
    number = number or next(_n)
    rnd, _ = SurveyRound.objects.get_or_create(
        number=number,
        defaults={
            "code": f"r{number}",
            "name": f"Round {number}",
            "kind": kind if number == 1 else RoundKind.FOLLOW_UP,
            # Rounds 1 to 6 start a year apart (2021, 2022…), later ones in 2020; all end in 2039, so that
            # tests date their surveys freely (kinga/households/tests/test_rounds.py checks the dates).
            "starts_on": datetime.date(2020 + number if number <= 6 else 2020, 1, 1),
            "ends_on": datetime.date(2039, 12, 31),
        },
    )
    return rnd


def answers(**overrides):
    data = {
        "surveyed_on": datetime.date(2024, 3, 1),
        "household_size": 6,
        "head_sex": "F",
        "head_age": 41,
        "income_sources": {"artisanal_mining": "60", "trade": "20"},
        "has_productive_assets": False,
        "housing": "precarious",
        "hunger_scale": 3,
        "children_working": 2,
        "children_working_at_mine": 1,
        "school_age_out_of_school": 1,
        "members_disabled_or_ill": 0,
        "access_to_water": True,
        "business_opportunities": "maraîchage, petit commerce",
    }
    data.update(overrides)
    return data


def make_household(actor: Actor, place, *, survey_id: str | None = None, head_name="Mujinga Kabeya", size=6):
    return services.create_household(
        actor=actor,
        survey_id=survey_id or f"KZI-{next(_n):04d}",
        place=place,
        head_name=head_name,
        contact_phone="+243 970 000 111",
        size=size,
    )


def make_programme(actor: Actor, kind: str, **kw):
    return services.create_programme(
        actor=actor,
        name=kw.pop("name", f"Programme {kind}"),
        kind=kind,
        starts_on=datetime.date(2023, 1, 1),
        **kw,
    )
