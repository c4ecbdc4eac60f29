"""A training or awareness session may be attributed to a plan activity and a funder's commitment: the
commitment must fund the activity's action (or that activity), else a French error and nothing is written."""

import datetime
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kinga.community import services
from kinga.community.models import Training
from kinga.core import clock, pickers
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


def _training_form(place, **attribution) -> dict:
    """The training form as posted, with the attribution fields given."""
    return {
        "group": "social_service_providers",
        "topic": "refresher",
        "start": clock.today().isoformat(),
        "place": place.pk,
        "trained_f": 2,
        "trained_m": 0,
        **attribution,
    }


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
    response = client.post(reverse("community:training_add"), _training_form(kolwezi, plan_activity=mine.pk))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Training.objects.get().plan_activity == mine


def test_the_trainings_and_sessions_apis_write_and_read_the_attribution(supervisor, kolwezi, org, activities):
    mine, other = activities
    client = client_for(supervisor)
    commitment = _commitment(org, mine)
    training = {
        "group": "social_service_providers",
        "topic": "refresher",
        "start": clock.today().isoformat(),
        "place_pcode": kolwezi.pcode,
        "trained_f": 2,
        "commitment": str(commitment.uuid),
    }
    created = client.post("/api/v1/community/trainings/", training, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert (created.json()["plan_activity"], created.json()["commitment"]) == (
        str(mine.uuid),
        str(commitment.uuid),
    )
    listed = client.get("/api/v1/community/trainings/").json()["results"]
    assert [(t["uuid"], t["plan_activity"]) for t in listed] == [(created.json()["uuid"], str(mine.uuid))]

    refused = client.post(
        "/api/v1/community/trainings/",
        {**training, "plan_activity": str(other.uuid)},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json() == {"commitment": ["Cet engagement finance une autre action ou activité du plan."]}
    assert Training.objects.count() == 1

    session = client.post(
        "/api/v1/community/sessions/",
        {
            "theme": "child_labour_risks",
            "audience": "parents",
            "date": clock.today().isoformat(),
            "place_pcode": kolwezi.pcode,
            "participants": [{"audience": "parents", "sex": "F", "count": 3}],
            "plan_activity": str(mine.uuid),
        },
        content_type="application/json",
    )
    assert session.status_code == 201, session.json()
    assert (session.json()["plan_activity"], session.json()["commitment"]) == (str(mine.uuid), None)


def test_an_unknown_activity_is_refused_on_its_field(supervisor, kolwezi, activities):
    answer = client_for(supervisor).post(
        "/api/v1/community/trainings/",
        {
            "group": "social_service_providers",
            "topic": "refresher",
            "start": clock.today().isoformat(),
            "place_pcode": kolwezi.pcode,
            "trained_f": 1,
            "plan_activity": "00000000-0000-0000-0000-000000000000",
        },
        content_type="application/json",
    )
    assert answer.status_code == 400 and list(answer.json()) == ["plan_activity"]
    assert Training.objects.count() == 0


def test_the_session_page_and_the_trainings_list_show_the_attribution_in_french(
    supervisor, kolwezi, org, activities
):
    mine, _other = activities
    actor = actor_of(supervisor)
    commitment = _commitment(org, mine)
    session = services.record_session(
        actor=actor,
        theme="child_labour_risks",
        audience="parents",
        date=clock.today(),
        place=kolwezi,
        participants=[{"audience": "parents", "sex": "F", "count": 3}],
        commitment=commitment,
    )
    bare = services.record_session(
        actor=actor,
        theme="child_labour_risks",
        audience="parents",
        date=clock.today(),
        place=kolwezi,
        participants=[{"audience": "parents", "sex": "F", "count": 3}],
    )
    services.record_training(
        actor=actor,
        group="social_service_providers",
        topic="refresher",
        start=clock.today(),
        place=kolwezi,
        trained_f=1,
        plan_activity=mine,
    )
    client = client_for(supervisor)
    html = unescape(client.get(reverse("community:session", args=[session.uuid])).content.decode())
    assert f'<dt>Activité du plan</dt><dd data-attribution="activity">{mine}</dd>' in html
    stored = Commitment.objects.get(pk=commitment.pk)  # its amount as the page reads it back
    assert f'<dd data-attribution="commitment">{stored}</dd>' in html
    html = unescape(client.get(reverse("community:session", args=[bare.uuid])).content.decode())
    assert '<dd data-attribution="activity">—</dd>' in html
    html = unescape(client.get(reverse("community:trainings")).content.decode())
    assert f"Activité du plan : {mine}" in html


def test_the_commitment_is_searched_not_every_one_sent_to_the_phone(supervisor, kolwezi, org, activities):
    """At national scale two thousand commitments made the training form 198 KB: the form holds the first ones,
    searches the others, and takes one it did not show."""
    mine, _other = activities
    commitments = [_commitment(org, mine) for _ in range(pickers.MAX_RESULTS + 20)]
    client = client_for(supervisor)
    page = client.get(reverse("community:training_add")).content.decode()
    select = page[page.index('name="commitment"') :]
    select = select[: select.index("</select>")]
    assert select.count("<option") <= pickers.MAX_RESULTS + 1  # and the empty choice
    unseen = next(c for c in reversed(commitments) if f'value="{c.pk}"' not in select)
    response = client.post(reverse("community:training_add"), _training_form(kolwezi, commitment=unseen.pk))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Training.objects.get().commitment == unseen
