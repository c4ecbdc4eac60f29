import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from kinga.core import indicators as registry
from kinga.core.actors import system_actor
from kinga.core.models import AuditEvent, Organisation
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.plan import services
from kinga.plan.models import (
    Action,
    Activity,
    Commitment,
    PlanRevision,
    ProgressReport,
    TransactionKind,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(plan):
    return make_member(make_organisation("IDAK test"), Role.COORDINATOR)


@pytest.fixture
def inpp_manager(plan):
    return make_member(Organisation.objects.get(acronym="INPP"), Role.ORG_MANAGER)


def _money(plan, n=3):
    funder = Organisation.objects.get(acronym="UNICEF")
    actor = system_actor()
    for action in Action.objects.all()[:n]:
        c = services.record_commitment(
            actor=actor, funder=funder, action=action, date=datetime.date(2018, 1, 1), amount=10000
        )
        services.record_transaction(
            actor=actor,
            commitment=c,
            kind=TransactionKind.DISBURSEMENT,
            date=datetime.date(2018, 2, 1),
            amount=5000,
        )
        services.record_transaction(
            actor=actor,
            commitment=c,
            kind=TransactionKind.EXPENDITURE,
            date=datetime.date(2018, 3, 1),
            amount=2000,
        )


PAGES = [
    ("plan:tree", {}),
    ("plan:budget", {}),
    ("plan:reconcile", {}),
    ("plan:funders", {}),
    ("plan:indicators", {}),
    ("plan:revisions", {}),
    ("plan:rates", {}),
    ("plan:gantt", {"number": 1}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_pages_answer_in_french_for_every_role_and_redirect_anonymous(plan, client, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("account_login"))
    for role in (Role.COORDINATOR, Role.VIEWER, Role.CASEWORKER, Role.COMPANY_OFFICER):
        member = make_member(make_organisation(), role)
        response = client_for(member).get(url)
        assert response.status_code == 200, (role, url)
        html = response.content.decode()
        # In French, with the plan's menu.
        assert '<html lang="fr">' in html and "Plan opérationnel" in html, (role, url)


def test_the_tree_shows_the_three_axes_all_actions_activities_costs_and_implementers(plan, coordinator):
    html = client_for(coordinator).get(reverse("plan:tree")).content.decode()
    for title in (
        "De l&#x27;éradication de la vulnérabilité socio-économique des ménages",
        "Appuyer la création des coopératives agropastorales",
        "Recyclage et formation des prestataires de services sociaux",
        "Localisation des ZEA où placer les coopératives",
    ):
        assert title in html
    for activity in Activity.objects.all():
        assert reverse("plan:activity", args=[activity.uuid]) in html
    assert "1.500.00$US" in html and "SAESSCAM" in html and "INPP" in html
    assert "Hypothèse" in html or "2017" in html


def test_tree_and_budget_pages_use_a_bounded_number_of_queries(plan, coordinator):
    client = client_for(coordinator)
    counts = []
    for n in (1, 10):
        _money(plan, n)
        for name in ("plan:tree", "plan:budget"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse(name)).status_code == 200
            counts.append((name, len(ctx.captured_queries)))
    tree = [c for name, c in counts if name == "plan:tree"]
    budget = [c for name, c in counts if name == "plan:budget"]
    assert tree[0] == tree[1], counts
    assert budget[0] == budget[1], counts
    assert max(tree + budget) <= 25, counts


def test_tree_query_count_is_fixed(plan, coordinator, django_assert_max_num_queries):
    client = client_for(coordinator)
    _money(plan, 15)
    with django_assert_max_num_queries(25):
        client.get(reverse("plan:tree"))
    with django_assert_max_num_queries(25):
        client.get(reverse("plan:budget"))


def test_budget_page_shows_synthesis_detail_and_difference(plan, coordinator):
    html = client_for(coordinator).get(reverse("plan:budget")).content.decode().replace("\xa0", " ")
    for amount in (
        "15 750 000",
        "16 750 000",
        "16 585 000",
        "32 385 000",
        "33 385 000",
        "1 000 000",
        "1.500.00$US",
    ):
        assert amount in html, amount


def test_coordinator_revises_an_activity_with_a_reason_and_it_is_audited(plan, coordinator):
    activity = Activity.objects.get(action__axis__number=2, action__number=1)
    url = reverse("plan:activity_revise", args=[activity.uuid])
    client = client_for(coordinator)
    response = client.post(url, {"title": activity.title, "cost_usd": "45000", "reason": ""})
    assert response.status_code == 400
    response = client.post(
        url,
        {"title": activity.title, "cost_usd": "45000", "reason": "Budget révisé en comité"},
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.cost_usd == 45000
    assert activity.baseline["cost_usd"] == 30000
    assert AuditEvent.objects.filter(target_id=str(activity.uuid), action="update").exists()
    page = client.get(reverse("plan:revisions")).content.decode()
    assert "Budget révisé en comité" in page


def test_a_refused_form_comes_back_on_its_own_page_with_its_error_and_what_was_typed(plan, coordinator):
    activity = Activity.objects.get(action__axis__number=2, action__number=1)
    response = client_for(coordinator).post(
        reverse("plan:activity_revise", args=[activity.uuid]),
        {"title": activity.title, "cost_usd": "45678", "reason": ""},
    )
    html = response.content.decode()
    assert response.status_code == 400
    # The activity's page, with its other form, not a page of its own: the refused form in its place.
    assert reverse("plan:activity_progress", args=[activity.uuid]) in html
    assert 'class="error"' in html and 'value="45678"' in html
    activity.refresh_from_db()
    assert activity.cost_usd != 45678


def test_a_viewer_cannot_revise_nor_record_progress(plan):
    viewer = make_member(make_organisation(), Role.VIEWER)
    activity = Activity.objects.first()
    before = (activity.title, activity.status, activity.percent_done)
    client = client_for(viewer)
    page = client.get(reverse("plan:activity", args=[activity.uuid])).content.decode()
    # The reader sees the activity but neither form.
    assert escape(activity.title) in page
    assert reverse("plan:activity_revise", args=[activity.uuid]) not in page
    assert reverse("plan:activity_progress", args=[activity.uuid]) not in page
    revise = client.post(reverse("plan:activity_revise", args=[activity.uuid]), {"title": "x", "reason": "y"})
    assert revise.status_code == 403
    progress = client.post(
        reverse("plan:activity_progress", args=[activity.uuid]),
        {"date": "2018-01-01", "status": "ongoing", "percent_done": 10},
    )
    assert progress.status_code == 403
    activity.refresh_from_db()
    assert (activity.title, activity.status, activity.percent_done) == before
    assert not ProgressReport.objects.exists() and not PlanRevision.objects.exists()


def test_org_manager_records_progress_only_for_activities_its_organisation_implements(plan, inpp_manager):
    client = client_for(inpp_manager)
    own = Activity.objects.get(
        action__axis__number=1, action__number=2, position=1
    )  # INPP implements action 2
    other = Activity.objects.get(action__axis__number=3, action__number=5, position=1)
    data = {
        "date": "2018-01-15",
        "status": "ongoing",
        "percent_done": 30,
        "comment": "Démarré",
    }
    assert client.post(reverse("plan:activity_progress", args=[own.uuid]), data).status_code == 302
    own.refresh_from_db()
    assert (own.status, own.percent_done) == ("ongoing", 30)
    assert client.post(reverse("plan:activity_progress", args=[other.uuid]), data).status_code == 403


def test_unknown_uuid_is_404(plan, coordinator):
    client = client_for(coordinator)
    missing = client.get(reverse("plan:activity", args=["00000000-0000-0000-0000-000000000000"]))
    assert missing.status_code == 404
    no_axis = client.get(reverse("plan:gantt", args=[9]))
    assert no_axis.status_code == 404
    # A 404 shows no activity of the plan.
    for response in (missing, no_axis):
        assert not any(a.title in response.content.decode() for a in Activity.objects.all()[:20])


def test_gantt_is_server_drawn_svg(plan, coordinator):
    html = client_for(coordinator).get(reverse("plan:gantt", args=[1])).content.decode()
    assert "<svg" in html and "<rect" in html and "<script" not in html.split("<svg", 1)[1].split("</svg>")[0]


def test_gantt_is_also_a_list_of_activities_with_their_bars_for_phones(plan, coordinator):
    html = client_for(coordinator).get(reverse("plan:gantt", args=[1])).content.decode()
    phone = html.split('<ol class="gantt-list">', 1)[1].split("</ol>", 1)[0]
    activities = Activity.objects.filter(action__axis__number=1)
    assert phone.count("</li>") == activities.count() > 0
    assert phone.count('class="gantt-bar"') == activities.count()
    first = activities.order_by("action__number", "position").first()
    assert escape(first.title) in phone and "Avancement" in phone and "<script" not in phone


def test_indicator_table_says_not_computed_yet_without_a_source(plan, coordinator):
    # Every module may have registered its sources by now: take one away for this test.
    with registry.indicator_sources({"COMMUNITY_MEETINGS_MINUTES": None}):
        html = client_for(coordinator).get(reverse("plan:indicators")).content.decode()
    assert "pas encore calculé" in html
    assert escape("Nombre d'enfants retirés des mines") in html


def test_manual_value_entry_from_the_page(plan, coordinator, lualaba, manual_rate):
    indicator = manual_rate
    url = reverse("plan:indicator_enter", args=[indicator.uuid])
    client = client_for(coordinator)
    data = {"period_start": "2018-01-01", "period_end": "2018-12-31", "area": lualaba.pk, "value": "12,5"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 400  # double entry
    assert (
        client.post(
            url, {**data, "value": "140", "period_start": "2019-01-01", "period_end": "2019-12-31"}
        ).status_code
        == 400
    )
    html = client.get(reverse("plan:indicators")).content.decode()
    assert "12,5" in html or "12.5" in html


def test_responsibilities_page_lists_the_organisation_activities(plan, inpp_manager):
    html = client_for(inpp_manager).get(reverse("plan:responsibilities")).content.decode()
    assert "Renforcement des capacités" in html
    assert "Identifier les ZEA" not in html


def test_commitment_and_disbursement_from_the_pages(plan, inpp_manager):
    client = client_for(inpp_manager)
    action = Action.objects.get(axis__number=1, number=2)
    url = reverse("plan:action_commitment", args=[action.uuid])
    data = {
        "funder": inpp_manager.organisation.pk,
        "date": "2018-01-01",
        "amount": "1000",
        "currency": "USD",
    }
    assert client.post(url, data).status_code == 302
    commitment = Commitment.objects.get()
    curl = reverse("plan:commitment", args=[commitment.uuid])
    over = {"kind": "disbursement", "date": "2018-02-01", "amount": "1500", "currency": "USD"}
    assert client.post(curl, over).status_code == 400
    assert client.post(curl, {**over, "override_reason": "Avenant signé"}).status_code == 302
    assert "Avenant signé" in client.get(curl).content.decode()
    other_funder = make_organisation()
    assert client.post(url, {**data, "funder": other_funder.pk}).status_code == 400  # not in the choices


def test_exports_download(plan, coordinator):
    client = client_for(coordinator)
    for fmt in ("xlsx", "budget-xlsx", "iati"):
        response = client.get(reverse("plan:export", args=[fmt]))
        assert response.status_code == 200
        assert len(response.content) > 1000
    assert AuditEvent.objects.filter(action="export", target_type="plan.iati").exists()
    assert client.get(reverse("plan:export", args=["pdf"])).status_code == 404


def test_focal_point_cannot_export(plan):
    member = make_member(make_organisation(), Role.FOCAL_POINT)
    response = client_for(member).get(reverse("plan:export", args=["xlsx"]))
    assert response.status_code == 403
    # No spreadsheet leaves, and none is recorded as exported.
    assert "spreadsheet" not in response.get("Content-Type", "")
    assert not response.content.startswith(b"PK")
    assert not AuditEvent.objects.filter(action="export").exists()


def test_cli_export(plan, tmp_path):
    out = tmp_path / "plan.xlsx"
    call_command("plan", "export", "--format", "xlsx", "-o", str(out), stdout=io.StringIO())
    assert out.stat().st_size > 1000
    assert actor_of


def test_an_action_names_its_implementers_in_full_and_the_tree_explains_their_acronyms(plan, coordinator):
    inpp = Organisation.objects.get(acronym="INPP")
    action = Action.objects.filter(parties__organisation=inpp).first()
    client = client_for(coordinator)
    page = client.get(reverse("plan:action", args=[action.uuid])).content.decode()
    assert escape(f"INPP — {inpp.name}") in page
    tree = client.get(reverse("plan:tree")).content.decode()
    assert f'<abbr title="{escape(inpp.name)}">INPP</abbr>' in tree


def test_the_funders_list_names_each_funder_in_full(plan, coordinator):
    _money(plan, n=1)
    unicef = Organisation.objects.get(acronym="UNICEF")
    html = client_for(coordinator).get(reverse("plan:funders")).content.decode()
    assert escape(f"UNICEF — {unicef.name}") in html
