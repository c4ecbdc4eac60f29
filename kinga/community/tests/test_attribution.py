"""A training or awareness session may be attributed to a plan activity and a funder's commitment: the
commitment must fund the activity's action (or that activity), else a French error and nothing is written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kinga.community import services
from kinga.community.models import Training
from kinga.core import clock
from kinga.core.actors import system_actor
from kinga.core.reference import load_organisations
from kinga.core.testing import actor_of, client_for
from kinga.plan.models import Activity, Commitment
from kinga.plan.services.loading import load_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def activities(org):
    load_organisations()
    load_plan(actor=system_actor())
    first = Activity.objects.filter(action__axis__number=1).order_by("action__number", "position")
    return first[0], Activity.objects.filter(action__axis__number=2).first()


def _commitment(org, activity, *, whole_action=False):
    return Commitment.objects.create(
        funder=org,
        action=activity.action,
        activity=None if whole_action else activity,
        date=datetime.date(2026, 1, 1),
        amount_original=1000,
        amount_usd=1000,
    )


def test_a_commitment_alone_sets_its_activity_and_another_actions_commitment_is_refused(
    supervisor, kolwezi, org, activities
):
    mine, other = activities
    actor = actor_of(supervisor)
    values = {"group": "social_service_providers", "topic": "refresher", "trained_f": 1}
    training = services.record_training(
        actor=actor, start=clock.today(), place=kolwezi, commitment=_commitment(org, mine), **values
    )
    assert (training.plan_activity, training.commitment.activity) == (mine, mine)
    session = services.record_session(
        actor=actor,
        theme="child_labour_risks",
        audience="parents",
        date=clock.today(),
        place=kolwezi,
        participants=[{"audience": "parents", "sex": "F", "count": 3}],
        plan_activity=mine,
        commitment=_commitment(org, mine, whole_action=True),
    )
    assert session.plan_activity == mine
    with pytest.raises(ValidationError) as info:
        services.record_training(
            actor=actor,
            start=clock.today(),
            place=kolwezi,
            plan_activity=other,
            commitment=_commitment(org, mine),
            **values,
        )
    assert info.value.message_dict["commitment"] == [
        "Cet engagement finance une autre action ou activité du plan."
    ]
    assert Training.objects.count() == 1


def test_the_training_form_takes_the_activity(supervisor, kolwezi, org, activities):
    mine, _other = activities
    client = client_for(supervisor)
    page = client.get(reverse("community:training_add"))
    assert "Activité du plan (facultatif)" in page.content.decode()
    response = client.post(
        reverse("community:training_add"),
        {
            "group": "social_service_providers",
            "topic": "refresher",
            "start": clock.today().isoformat(),
            "place": kolwezi.pk,
            "trained_f": 2,
            "trained_m": 0,
            "plan_activity": mine.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Training.objects.get().plan_activity == mine
