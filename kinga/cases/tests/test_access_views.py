"""Who may open what: anonymous (login), other organisation (404), wrong role (403), counts-only roles."""

import datetime
import re

import pytest
from django.test import Client

from kinga.cases import services
from kinga.cases.models import CaseEvent, Service
from kinga.cases.services import active_scoring, current_rules
from kinga.core.models import AuditEvent
from kinga.core.testing import actor_of, client_for, make_member, make_organisation

from .conftest import TODAY, register

pytestmark = pytest.mark.django_db

CASE_PAGES = [
    "",
    "pdf/",
    "assess/",
    "plan/",
    "plan/decide/",
    "consent/",
    "refer/",
    "follow-up/",
    "close/",
    "close/decide/",
    "relapse/",
    "assign/",
]
LIST_PAGES = [
    "/cases/",
    "/cases/register/",
    "/cases/team/",
    "/cases/stats/",
    "/cases/export/",
    "/cases/referrals/",
    "/cases/referrals/in/",
    "/cases/services/",
    "/cases/services/add/",
]


@pytest.fixture
def case(team, today):
    return register(team, given_name="Kapinga", family_name="Mujinga", sex="F")


def shows_nothing_of(response, case) -> bool:
    """A refusal tells nothing about the case: not the child's names, not even the case number."""
    body = response.content.decode()
    return not any(word in body for word in ("Kapinga", "Mujinga", case.number))


def shows_the_case_file(response, case) -> bool:
    body = response.content.decode()
    return all(word in body for word in ("Kapinga", "Mujinga", case.number, "Identifié (Inspection de site)"))


@pytest.mark.parametrize("page", CASE_PAGES)
def test_anonymous_is_sent_to_login(case, page):
    response = Client().get(f"/cases/{case.uuid}/{page}")
    assert response.status_code == 302 and "login" in response["Location"]
    assert shows_nothing_of(response, case)


@pytest.mark.parametrize("page", LIST_PAGES)
def test_anonymous_lists_are_sent_to_login(db, page):
    response = Client().get(page)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("page", CASE_PAGES)
def test_another_organisation_gets_404(team, case, page):
    other = client_for(team.outsider)  # a supervisor of another NGO
    expected = 403 if page == "assign/" else 404  # supervisors may assign, but not this case: 404 first
    response = other.get(f"/cases/{case.uuid}/{page}")
    assert response.status_code in (404, expected) and shows_nothing_of(response, case)
    assert not AuditEvent.objects.filter(action="read", target_id=str(case.uuid)).exists()


def test_another_caseworker_of_the_same_team_gets_404(team, case):
    refused = client_for(team.other_worker).get(f"/cases/{case.uuid}/")
    assert refused.status_code == 404 and shows_nothing_of(refused, case)
    for member in (team.supervisor, team.manager):
        response = client_for(member).get(f"/cases/{case.uuid}/")
        assert response.status_code == 200 and shows_the_case_file(response, case)
    readers = set(
        AuditEvent.objects.filter(action="read", target_id=str(case.uuid)).values_list("actor", flat=True)
    )
    assert readers == {team.supervisor.user.pk, team.manager.user.pk}


@pytest.mark.parametrize("page", ["", "pdf/", "assess/", "follow-up/"])
def test_provider_without_referral_gets_404(team, case, page):
    response = client_for(team.provider).get(f"/cases/{case.uuid}/{page}")
    assert response.status_code == 404 and shows_nothing_of(response, case)


@pytest.mark.parametrize("who", ["coordinator", "funder"])
@pytest.mark.parametrize("page", ["", "pdf/", "assess/", "refer/"])
def test_counts_only_roles_get_403_on_case_pages(team, case, who, page):
    response = client_for(getattr(team, who)).get(f"/cases/{case.uuid}/{page}")
    assert response.status_code == 403 and shows_nothing_of(response, case)


@pytest.mark.parametrize("who", ["coordinator", "funder"])
def test_counts_only_roles_never_see_identities(team, case, who):
    client = client_for(getattr(team, who))
    assert client.get("/cases/").status_code == 403
    assert client.post("/cases/", {"q": "Kapinga"}).status_code == 403
    stats = client.get("/cases/stats/")
    assert stats.status_code == 200 and "Kapinga" not in stats.content.decode()
    export = b"".join(client.get("/cases/export/").streaming_content).decode()
    assert "Kapinga" not in export and "Mujinga" not in export and case.number not in export
    assert export.count("\n") == 2  # header + one pseudonymised row
    assert AuditEvent.objects.filter(action="export", target_type="cases.case", note="pseudonymised").exists()
    api = client.get("/api/v1/cases/")
    assert api.status_code == 403
    assert client.get(f"/api/v1/cases/{case.uuid}/").status_code == 403
    assert client.post("/api/v1/cases/search/", {"q": "Kapinga"}).status_code == 403
    stats = client.get("/api/v1/case-stats/")
    assert stats.status_code == 200 and stats.json()["total"] == 1
    assert "Kapinga" not in stats.content.decode()


def test_export_with_identities_is_audited(team, case):
    client = client_for(team.supervisor)
    export = b"".join(client.get("/cases/export/").streaming_content).decode()
    assert "Kapinga" in export and case.number in export
    event = AuditEvent.objects.get(action="export", target_type="cases.case")
    assert event.changes["rows"] == 1 and event.note == ""


def test_wrong_role_gets_403(team, case):
    clerk = client_for(team.clerk)
    refused = clerk.get(f"/cases/{case.uuid}/")
    assert refused.status_code == 403 and shows_nothing_of(refused, case)
    register_page = clerk.get("/cases/register/")
    assert register_page.status_code == 200 and "Enregistrer un enfant" in register_page.content.decode()
    worker = client_for(team.worker)
    for url in (f"/cases/{case.uuid}/plan/decide/", f"/cases/{case.uuid}/assign/", "/cases/team/"):
        refused = worker.get(url)
        assert refused.status_code == 403 and shows_nothing_of(refused, case)
    refused = worker.get("/cases/services/add/")
    assert refused.status_code == 403 and 'name="capacity"' not in refused.content.decode()
    refused = client_for(team.coordinator).get("/cases/register/")
    assert refused.status_code == 403 and 'name="given_name"' not in refused.content.decode()


def test_provider_sees_only_the_referred_case_shared_fields(team, case, today):
    services.make_referral(
        actor=actor_of(team.supervisor),
        case=case,
        provider=team.provider_org,
        service_type="crs",
        date=TODAY,
        consent_override_reason="Urgence",
        today=TODAY,
    )
    referral = case.referrals.get()
    provider = client_for(team.provider)
    page = provider.get(f"/cases/referrals/in/{referral.uuid}/").content.decode()
    assert "Kapinga" in page and "Mama Ngalula" in page
    assert provider.get(f"/cases/{case.uuid}/").status_code == 404
    outsider = client_for(team.outsider)
    assert outsider.get(f"/cases/referrals/in/{referral.uuid}/").status_code == 404
    api = provider.get(f"/api/v1/case-referrals/{referral.uuid}/").json()
    assert api["shared"]["given_name"] == "Kapinga" and "notes" not in api["shared"]
    assert outsider.get(f"/api/v1/case-referrals/{referral.uuid}/").status_code == 404


def test_caseload_search_and_overdue_first(team, case, today):
    later = register(team, given_name="Glodi", family_name="Kabwe", risk="high")
    client = client_for(team.worker)
    today.set(TODAY + datetime.timedelta(days=2))
    page = client.get("/cases/").content.decode()
    assert page.index(later.number) < page.index(case.number)  # overdue (high risk: 1 day) first
    assert case.number in client.post("/cases/", {"q": "mujinga"}).content.decode()
    assert case.number not in client.post("/cases/", {"q": "muji"}).content.decode()
    htmx = client.post("/cases/", {"q": "kabwe"}, headers={"HX-Request": "true"}).content.decode()
    assert later.number in htmx and "<html" not in htmx


def test_registration_form_errors_are_shown_in_french(team, today):
    client = client_for(team.worker)
    response = client.post(
        "/cases/register/",
        {
            "given_name": "A",
            "family_name": "B",
            "sex": "M",
            "date_of_birth": "2026-03-05",
            "identification_method": "site_inspection",
            "identification_date": "2026-03-01",
            "identification_site": team.site.pk,
            "disability": "none",
            "school_status": "unknown",
        },
    )
    assert response.status_code == 400
    assert "La date de naissance est postérieure" in response.content.decode()


def test_missing_consent_blocks_a_referral_in_the_screen(team, case):
    client = client_for(team.worker)
    crs = Service.objects.create(
        name="CRS", service_type="crs", organisation=team.provider_org, place=team.kolwezi
    )
    response = client.post(
        f"/cases/{case.uuid}/refer/", {"service": crs.pk, "reason": "Motif tapé", "date": "2026-03-02"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Référence refusée" in page
    assert "le consentement du parent ou tuteur" in page  # which consent is missing, in French
    assert "Motif tapé" in page  # nothing typed is lost
    assert not case.referrals.exists()
    assert not CaseEvent.objects.filter(case=case, kind="referral").exists()


def test_team_view_lists_overdue_tasks(team, case, today):
    today.set(TODAY + datetime.timedelta(days=10))
    page = client_for(team.supervisor).get("/cases/team/").content.decode()
    assert case.number in page
    assert (
        re.search(r"<td[^>]*>Évaluation</td>", page) and "assessment" not in page
    )  # the task's label, not its code


def test_the_next_task_is_named_in_french_on_the_case_and_the_caseload(team, case):
    assert case.next_task == "assessment"
    worker = client_for(team.worker)
    case_page = worker.get(f"/cases/{case.uuid}/").content.decode()
    assert "Prochaine tâche: Évaluation — " in case_page
    caseload = worker.get("/cases/").content.decode()
    assert "Évaluation · " in caseload
    for page in (case_page, caseload):
        assert "assessment" not in page


def test_services_directory(team, today):
    manager = client_for(team.manager)
    response = manager.post(
        "/cases/services/add/",
        {
            "name": "CAP Kolwezi",
            "service_type": "cap",
            "organisation": team.org.pk,
            "place": team.kolwezi.pk,
            "capacity": "25",
            "contact": "+243 99",
        },
    )
    assert response.status_code == 302
    assert "CAP Kolwezi" in client_for(team.funder).get("/cases/services/").content.decode()
    assert (
        client_for(team.outsider)
        .post(
            "/cases/services/add/",
            {"name": "X", "service_type": "cap", "organisation": team.org.pk, "place": team.kolwezi.pk},
        )
        .status_code
        == 403
    )


def test_rules_screen_creates_new_versions(team, django_user_model, today):
    admin = make_member(make_organisation("Administration"), "admin")
    client = client_for(admin)
    page = client.get("/cases/rules/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Règles de gestion des cas" in html and "Barème de vulnérabilité" in html
    assert 'href="/cases/rules/notation/"' in html  # the scoring is its own form, on its own page
    assert 'name="exit_min_follow_ups"' in html and 'name="medium_from"' not in html
    data = {
        "assessment_days": 5,
        "assessment_days_high_risk": 1,
        "care_plan_days": 10,
        "follow_up_every_months": 1,
        "referral_response_days": 7,
        "exit_min_follow_ups": 3,
        "exit_months_apart": 6,
        "retention_months": "3, 6, 12, 24",
    }
    assert client.post("/cases/rules/", data).status_code == 302
    rules = current_rules()
    assert rules.exit_min_follow_ups == 3 and rules.retention_months == [3, 6, 12, 24]
    bad = client.post("/cases/rules/", {**data, "retention_months": "12, 3"})
    assert bad.status_code == 400
    scoring_page = client.get("/cases/rules/notation/").content.decode()
    assert "Barème de vulnérabilité" in scoring_page and "Enregistrer comme nouvelle version" in scoring_page
    refused = client.post("/cases/rules/notation/", {"medium_from": 13, "high_from": 7})
    assert refused.status_code == 400 and active_scoring().version == 1
    assert client.post("/cases/rules/notation/", {"medium_from": 7, "high_from": 13}).status_code == 302
    assert active_scoring().version == 2 and active_scoring().high_from == 13
    assert client_for(team.supervisor).get("/cases/rules/").status_code == 403
    assert client_for(team.supervisor).get("/cases/rules/notation/").status_code == 403
    assert client_for(team.supervisor).post("/cases/rules/notation/", {"high_from": 1}).status_code == 403
    assert AuditEvent.objects.filter(target_type="cases.caserules").exists()


def test_case_file_without_supervisor_or_recorded_actor_renders(team, today):
    lone = make_member(make_organisation("ONG sans superviseur"), "caseworker")
    case = register(team, by=lone)
    assert case.supervisor is None
    CaseEvent.objects.create(case=case, date=TODAY, kind="imported", params={"note": "Importé"}, actor=None)
    page = client_for(lone).get(f"/cases/{case.uuid}/")
    assert page.status_code == 200 and "Importé" in page.content.decode()


def test_search_results_page_without_counting_every_match(team, today, django_assert_max_num_queries):
    numbers = [
        register(team, given_name="Mwamini", family_name=f"Kyungu{'a' * (i % 3)}").number for i in range(27)
    ]
    client = client_for(team.worker)
    first = client.post("/cases/", {"q": "Mwamini"}).content.decode()
    assert "Page 1</span>" in first  # "page 1", not "page 1 of N": the matches are not counted
    # The next page is posted with the search (the name stays out of the URL): no link carries it.
    assert 'name="page" value="2"' in first and 'name="q" value="Mwamini"' in first
    assert "Mwamini" not in "".join(re.findall(r'href="([^"]*)"', first))
    second = client.post("/cases/", {"q": "Mwamini", "page": "2"}).content.decode()
    shown = [n for n in numbers if n in first] + [n for n in numbers if n in second]
    assert sorted(shown) == sorted(numbers)  # every match once, over two pages
    assert 'name="page" value="3"' not in second and 'name="page" value="1"' in second
    with django_assert_max_num_queries(12):
        client.post("/cases/", {"q": "Mwamini"})
    # A name in a URL (an old bookmark) is not a search: the whole caseload is shown.
    bookmark = client.get("/cases/?q=Mwamini").content.decode()
    assert 'value="Mwamini"' not in bookmark and "Mwamini" not in "".join(
        re.findall(r'href="([^"]*)"', bookmark)
    )


def test_submitting_the_care_plan_is_its_own_view_and_says_why_it_is_refused(team, case, today):
    scores = dict.fromkeys(
        ("safety", "health", "education", "family_care", "household_economy", "psychosocial"), 1
    )
    services.record_assessment(actor=actor_of(team.worker), case=case, date=TODAY, scores=scores)
    worker = client_for(team.worker)
    plan = worker.get(f"/cases/{case.uuid}/plan/").content.decode()
    assert f'action="/cases/{case.uuid}/plan/soumettre/"' in plan
    assert worker.get(f"/cases/{case.uuid}/plan/soumettre/").status_code == 405
    assert client_for(team.outsider).post(f"/cases/{case.uuid}/plan/soumettre/").status_code == 404
    assert client_for(team.coordinator).post(f"/cases/{case.uuid}/plan/soumettre/").status_code == 403
    refused = worker.post(f"/cases/{case.uuid}/plan/soumettre/", follow=True)
    assert refused.redirect_chain == [(f"/cases/{case.uuid}/plan/", 302)]
    assert "Ajoutez au moins un besoin avec l’appui prévu." in refused.content.decode()
    case.refresh_from_db()
    assert case.status == "assessed"
