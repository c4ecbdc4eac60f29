import uuid

import pytest

from kinga.core.actors import system_actor
from kinga.core.reference import load_organisations
from kinga.core.testing_snapshots import replayed
from kinga.plan.models import Indicator, Plan
from kinga.plan.services.loading import load_plan


@pytest.fixture
def organisations(reference_places):
    replayed("organisations", load_organisations)


@pytest.fixture
def plan(organisations):
    return Plan.objects.get(pk=replayed("plan", lambda: load_plan(actor=system_actor()).plan.pk))


@pytest.fixture
def manual_rate(plan):
    """A percentage entered by hand, by sex, age band and territory: the plan's own (malnutrition, production) are
    computed from the records now, so the tests of hand entry use a copy of one made manual."""
    rate = Indicator.objects.get(code="HOUSEHOLDS_MALNUTRITION_RATE")
    rate.pk, rate.uuid, rate.code, rate.source, rate.module = (
        None,
        uuid.uuid4(),
        "PLAN_TEST_RATE",
        "manual",
        "",
    )
    rate.save()
    return rate


def hand_entered(plan, *, code: str = "PLAN_TEST_COUNT", value_type: str = "integer"):
    """A hand-entered indicator for the tests of manual values and targets. The plan file's own hand-entered rows
    become computed as Kinga records the work (issue 18): this one is a copy of a count of the plan (its label,
    unit, action and breakdowns: « infrastructures sociales »), entered by hand."""
    existing = Indicator.objects.filter(code=code).first()
    if existing is not None:
        return existing
    indicator = Indicator.objects.get(plan=plan, code="GOVERNANCE_SOCIAL_INFRASTRUCTURES")
    indicator.pk, indicator.id, indicator.code = None, None, code
    indicator.uuid = uuid.uuid4()
    indicator.source, indicator.module, indicator.value_type = "manual", "", value_type
    indicator.save()
    return indicator
