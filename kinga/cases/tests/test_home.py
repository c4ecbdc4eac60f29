"""The home page's case-management panels: each role sees its own work, counted in the database, scoped to
what it may see, and an empty list says what would fill it."""

import datetime

import pytest
from django.urls import reverse

from kinga.cases import services
from kinga.cases.models import Case, CaseStatus, Service
from kinga.cases.tests.conftest import TODAY, give_consents, register
from kinga.core.testing import actor_of, client_for

pytestmark = pytest.mark.django_db

D = datetime.timedelta


def home(member) -> str:
    response = client_for(member).get("/")
    assert response.status_code == 200
    return response.content.decode()


def panel(body: str, key: str) -> str:
    start = body.index(f'id="panel-{key}"')
    return body[start : body.index("</section>", start)]


def count_of(section: str, label: str) -> int:
    """The number shown before a count's label (`<strong class="num">3</strong> en retard`)."""
    head = section.split(f"</strong> {label}<", 1)[0]
    return int(head.rsplit(">", 1)[1])


def test_caseworker_sees_overdue_and_todays_tasks_of_their_cases_only(team, today):
    late = register(
        team, today=TODAY - D(10), identification_date=TODAY - D(11)
    )  # assessment due 3 days later
    due_now = register(team, today=TODAY - D(3), identification_date=TODAY - D(4))
    later = register(team, today=TODAY, identification_date=TODAY - D(1))
    colleague = register(team, by=team.other_worker, today=TODAY - D(10), identification_date=TODAY - D(11))
    elsewhere = register(team, by=team.outsider, today=TODAY - D(10), identification_date=TODAY - D(11))
    assert late.next_due < TODAY and due_now.next_due == TODAY and later.next_due > TODAY

    body = home(team.worker)
    tasks = panel(body, "cases-tasks")
    assert count_of(tasks, "en retard") == 1 and count_of(tasks, "à faire aujourd’hui") == 1
    assert late.number in tasks and due_now.number in tasks and later.number not in tasks
    assert colleague.number not in body and elsewhere.number not in body
    assert tasks.index(late.number) < tasks.index(due_now.number)  # the oldest first
    assert f'href="{reverse("cases:case", args=[late.uuid])}"' in tasks
    assert "Évaluation" in tasks and 'class="overdue"' in tasks
    assert "Trésor" not in body  # case numbers, never a child's name
    assert body.index("Enregistrer un enfant") < body.index(late.number)  # the main action first


def test_caseworker_with_nothing_due_reads_what_would_fill_the_list(team, today):
    register(team, today=TODAY, identification_date=TODAY - D(1))
    tasks = panel(home(team.worker), "cases-tasks")
    assert count_of(tasks, "en retard") == 0
    assert "Rien en retard ni à faire aujourd’hui" in tasks


def test_caseworker_sees_referrals_waiting_for_an_answer(team, today):
    case = register(team, today=TODAY - D(20), identification_date=TODAY - D(21))
    give_consents(team, case, TODAY - D(20))
    services.make_referral(
        actor=actor_of(team.worker),
        case=case,
        provider=team.provider_org,
        service_type="crs",
        reason="Retour à l'école",
        date=TODAY - D(20),
        today=TODAY - D(20),
    )
    tasks = panel(home(team.worker), "cases-tasks")
    assert count_of(tasks, "référence en attente de réponse") == 1
    assert count_of(tasks, "référence sans réponse après l’échéance") == 1


def _propose_closure(case: Case, reason: str, note: str) -> None:
    case.status, case.closure_reason, case.closure_note = CaseStatus.READY_TO_CLOSE, reason, note
    case.closure_requested_on = TODAY - D(1)
    case.save(update_fields=["status", "closure_reason", "closure_note", "closure_requested_on"])


def test_supervisor_sees_closures_with_the_proposed_reason_and_note_and_the_team_overdue_by_caseworker(
    team, today
):
    closing = register(team, today=TODAY - D(10), identification_date=TODAY - D(11))
    _propose_closure(closing, "moved_away", "Famille partie à Likasi")
    register(team, by=team.other_worker, today=TODAY - D(10), identification_date=TODAY - D(11))
    register(team, by=team.other_worker, today=TODAY - D(9), identification_date=TODAY - D(10))
    elsewhere = register(team, by=team.outsider, today=TODAY - D(10), identification_date=TODAY - D(11))
    _propose_closure(elsewhere, "moved_away", "Note d'une autre organisation")
    team.worker.user.full_name, team.other_worker.user.full_name = "Amani Kasongo", "Bijou Mutombo"
    team.worker.user.save(update_fields=["full_name"])
    team.other_worker.user.save(update_fields=["full_name"])

    body = home(team.supervisor)
    approvals = panel(body, "cases-approvals")
    assert count_of(approvals, "clôture") == 1 and count_of(approvals, "plan de prise en charge") == 0
    assert closing.number in approvals and "Clôture proposée : A déménagé" in approvals
    assert "Famille partie à Likasi" in approvals
    assert elsewhere.number not in body and "autre organisation" not in body
    assert count_of(approvals, "tâches en retard dans l’équipe") == 3
    team_panel = panel(body, "cases-team")
    assert team_panel.index("Bijou Mutombo") < team_panel.index("Amani Kasongo")  # most overdue first
    assert (
        "2 en retard sur 2 dossiers ouverts" in team_panel
        and "1 en retard sur 1 dossier ouvert" in team_panel
    )


def test_supervisor_with_no_approval_waiting_reads_what_would_fill_the_list(team, today):
    assert "Aucun plan de prise en charge ni aucune clôture en attente" in panel(
        home(team.supervisor), "cases-approvals"
    )


def test_organisation_manager_sees_the_organisation_figures_and_its_overdue_work(team, today):
    late = register(team, today=TODAY - D(10), identification_date=TODAY - D(11))
    register(team, by=team.other_worker, today=TODAY, identification_date=TODAY - D(1))
    elsewhere = register(team, by=team.outsider, today=TODAY - D(10), identification_date=TODAY - D(11))
    body = home(team.manager)
    org = panel(body, "cases-organisation")
    assert count_of(org, "dossiers ouverts") == 2 and count_of(org, "tâche en retard") == 1
    assert late.number in org and elsewhere.number not in body
    assert "Trésor" not in body


def test_a_count_and_its_noun_agree_in_french_singular_then_plural(team, today):
    register(team, today=TODAY - D(10), identification_date=TODAY - D(11))
    org = panel(home(team.manager), "cases-organisation")
    assert '<strong class="num">1</strong> tâche en retard<' in org
    assert '<strong class="num">1</strong> dossier ouvert<' in org
    register(team, by=team.other_worker, today=TODAY - D(10), identification_date=TODAY - D(11))
    org = panel(home(team.manager), "cases-organisation")
    assert '<strong class="num">2</strong> tâches en retard<' in org
    assert '<strong class="num">2</strong> dossiers ouverts<' in org


def test_organisation_manager_with_no_overdue_work_reads_the_empty_text(team, today):
    assert "Aucune tâche en retard dans l’organisation" in panel(home(team.manager), "cases-organisation")


def test_provider_sees_referrals_to_accept_and_none_of_another_provider(team, today):
    case = register(team, today=TODAY - D(20), identification_date=TODAY - D(21))
    give_consents(team, case, TODAY - D(20))
    services.make_referral(
        actor=actor_of(team.worker),
        case=case,
        provider=team.provider_org,
        service_type="crs",
        reason="Retour à l'école",
        date=TODAY - D(20),
        today=TODAY - D(20),
    )
    body = home(team.provider)
    referrals = panel(body, "cases-referrals-in")
    assert count_of(referrals, "à accepter ou refuser") == 1
    assert count_of(referrals, "sans réponse après l’échéance") == 1
    assert case.number in referrals and "Trésor" not in referrals
    # The referring organisation is no provider: no panel for it; a provider with nothing waiting reads why.
    assert 'id="panel-cases-referrals-in"' not in home(team.manager)
    Service.objects.create(
        name="CAP Kolwezi", service_type="cap", organisation=team.other_org, place=team.kolwezi
    )
    empty = panel(home(team.outsider), "cases-referrals-in")
    assert case.number not in empty and "Aucune référence en attente" in empty


def test_the_home_page_issues_a_bounded_number_of_queries(team, today, django_assert_max_num_queries):
    client = client_for(team.supervisor)
    client.get("/")
    for day in range(12):
        register(team, today=TODAY - D(10 + day), identification_date=TODAY - D(11 + day))
        register(
            team, by=team.other_worker, today=TODAY - D(10 + day), identification_date=TODAY - D(11 + day)
        )
    with django_assert_max_num_queries(25):
        assert client.get("/").status_code == 200
