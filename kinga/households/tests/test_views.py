import datetime
from types import SimpleNamespace

import pytest
from django.test import Client

from kinga.cases.models import FollowUp
from kinga.cases.tests.conftest import register
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import actor_of, client_for, make_member, make_organisation
from kinga.households import services
from kinga.households.models import Enrolment, Household, ImportBatch, ProgrammeKind
from kinga.households.tests.factories import answers, make_household, make_programme, make_round
from kinga.sites.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(kolwezi):
    org = make_organisation()
    worker = make_member(org, Role.CASEWORKER)
    manager = make_member(org, Role.ORG_MANAGER)
    household = make_household(actor_of(worker), kolwezi, head_name="Mujinga Kabeya")
    programme = make_programme(actor_of(manager), ProgrammeKind.COOPERATIVE)
    coop = services.create_cooperative(
        actor=actor_of(manager), name="Coopérative Umoja", kind="agro_pastoral", place=kolwezi
    )
    enrolment = services.enrol(
        actor=actor_of(worker),
        programme=programme,
        household=household,
        enrolled_on=datetime.date(2024, 1, 5),
    )

    batch = ImportBatch.objects.create(organisation=org, round=make_round(1), filename="x.csv")
    return {
        "org": org,
        "worker": worker,
        "manager": manager,
        "household": household,
        "programme": programme,
        "coop": coop,
        "enrolment": enrolment,
        "batch": batch,
    }


def identity_urls(s):
    h, e = s["household"].uuid, s["enrolment"].uuid
    return [
        f"/households/{h}/",
        f"/households/{h}/modifier/",
        f"/households/{h}/membres/ajouter/",
        f"/households/{h}/enquete/",
        f"/households/{h}/inscrire/",
        f"/households/inscriptions/{e}/",
    ]


def count_urls(s):
    return [
        "/households/tableau/",
        "/households/programmes/",
        f"/households/programmes/{s['programme'].uuid}/",
        "/households/cooperatives/",
        f"/households/cooperatives/{s['coop'].uuid}/",
        "/households/indice/",
        "/households/passages/",
    ]


def write_urls(s):
    return [
        "/households/nouveau/",
        "/households/importer/",
        "/households/importer/modele.csv",
        "/households/programmes/nouveau/",
        "/households/cooperatives/nouvelle/",
        "/households/cooperatives/reseaux/nouveau/",
        f"/households/cooperatives/{s['coop'].uuid}/membres/ajouter/",
    ]


def test_anonymous_users_are_sent_to_login(setup):
    for url in ["/households/", *identity_urls(setup), *count_urls(setup), *write_urls(setup)]:
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_the_organisation_sees_its_pages(setup):
    """Each page shows what it is about: the household (its identifier) on every identity page, the programme,
    the cooperative or the page's French heading on the others; never another language's heading."""
    client = client_for(setup["worker"])
    survey_id, programme, coop = setup["household"].survey_id, setup["programme"].name, "Coopérative Umoja"
    shows = {
        "/households/": [survey_id, "Mujinga Kabeya"],
        **{url: [survey_id] for url in identity_urls(setup)},
        "/households/tableau/": ["Ménages : chiffres"],
        "/households/programmes/": [programme],
        f"/households/programmes/{setup['programme'].uuid}/": [programme],
        "/households/cooperatives/": [coop],
        f"/households/cooperatives/{setup['coop'].uuid}/": [coop],
        "/households/indice/": ["Indice de vulnérabilité"],
        "/households/passages/": ["Passages"],
    }
    for url, texts in shows.items():
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200, url
        for text in texts:
            assert text in body, (url, text)
        assert "Households: figures" not in body and "Survey rounds" not in body, url
    manager = client_for(setup["manager"])
    for url, heading in [
        ("/households/importer/", "Importer un passage"),
        ("/households/programmes/nouveau/", "Nouveau programme"),
        ("/households/cooperatives/nouvelle/", "Nouvelle coopérative"),
    ]:
        response = manager.get(url)
        assert response.status_code == 200 and heading in response.content.decode(), url


def test_an_enrolment_page_records_progress_deliveries_and_deposits_each_through_its_own_form(setup):
    client = client_for(setup["worker"])
    enrolment = setup["enrolment"]
    page = f"/households/inscriptions/{enrolment.uuid}/"
    body = client.get(page).content.decode()
    assert f"{page}livraisons/" in body and f"{page}progres/" in body and 'name="form"' not in body
    delivery = {"delivered_on": "2024-02-01", "kind": "tools", "quantity": "3", "unit": "houes"}
    response = client.post(f"{page}livraisons/", delivery)
    assert response.status_code == 302 and response["Location"] == page
    assert "houes" in client.get(page).content.decode()
    refused = client.post(f"{page}livraisons/", {**delivery, "quantity": ""})
    assert refused.status_code == 400 and 'class="error"' in refused.content.decode()
    assert enrolment.deliveries.count() == 1
    response = client.post(f"{page}progres/", {"status": "completed", "ended_on": "2024-06-30"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == "completed" and enrolment.ended_on == datetime.date(2024, 6, 30)
    assert client.get(f"{page}livraisons/").status_code == 405
    stranger = client_for(make_member(make_organisation(), Role.CASEWORKER))
    assert stranger.post(f"{page}livraisons/", delivery).status_code == 404
    viewer = client_for(make_member(setup["worker"].organisation, Role.VIEWER))
    for url in ("livraisons/", "depots/", "progres/"):
        assert viewer.post(f"{page}{url}", delivery).status_code == 403, url
    assert enrolment.deliveries.count() == 1


def test_another_organisation_gets_404_on_identities(setup):
    other = client_for(make_member(make_organisation(), Role.SUPERVISOR))
    for url in identity_urls(setup):
        assert other.get(url).status_code == 404, url
    assert setup["household"].survey_id not in other.post("/households/", {"q": "Mujinga"}).content.decode()
    other_manager = client_for(make_member(make_organisation(), Role.ORG_MANAGER))
    assert other_manager.get(f"/households/importer/{setup['batch'].uuid}/").status_code == 404


def test_a_role_without_the_permission_gets_403(setup):
    focal = client_for(make_member(setup["org"], Role.FOCAL_POINT))
    for url in ["/households/", *identity_urls(setup), *count_urls(setup), *write_urls(setup)]:
        assert focal.get(url).status_code == 403, url
    assert focal.get(f"/households/importer/{setup['batch'].uuid}/").status_code == 403


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.VIEWER])
def test_coordinators_and_funders_see_counts_only(setup, role):
    client = client_for(make_member(make_organisation(), role))
    body = client.get("/households/").content.decode()
    assert "Mujinga" not in body and setup["household"].survey_id not in body
    for url in count_urls(setup):
        assert client.get(url).status_code == 200, url
    for url in identity_urls(setup):
        assert client.get(url).status_code in (403, 404), url
    assert "Mujinga" not in client.get(f"/households/cooperatives/{setup['coop'].uuid}/").content.decode()


def test_bad_input_gets_clear_french_errors(setup, kolwezi):
    client = client_for(setup["worker"])
    response = client.post(
        "/households/nouveau/",
        {"survey_id": "KZI-9", "place": str(kolwezi.uuid), "head_name": "Ngoy", "size": "300"},
    )
    assert response.status_code == 400
    assert "pas possible" in response.content.decode()
    response = client.post(
        f"/households/{setup['household'].uuid}/membres/ajouter/",
        {
            "full_name": "Ngoy",
            "relationship": "spouse",
            "sex": "M",
            "age": "130",
            "schooling": "none",
            "occupation": "farmer",
        },
    )
    assert response.status_code == 400 and "120" in response.content.decode()


def test_acceptance_household_page_shows_index_explanation_enrolments_and_children(kolwezi):

    org = make_organisation()
    worker, manager = (
        make_member(org, Role.CASEWORKER, supervisor=make_member(org, Role.SUPERVISOR)),
        make_member(org, Role.ORG_MANAGER),
    )
    w, m = actor_of(worker), actor_of(manager)
    site = Site.objects.create(code="codmine07777", name="Mutoshi", place=kolwezi)
    case = register(
        SimpleNamespace(worker=worker, site=site), given_name="Neema", family_name="Kalenga", sex="F"
    )
    FollowUp.objects.create(
        case=case,
        visit_date=datetime.date(2026, 5, 4),
        found_working=False,
        seen_at_site=False,
        in_school_or_training=True,
        attending=True,
    )
    household = make_household(w, kolwezi, head_name="Kalenga Mwansa")
    child = services.add_member(
        actor=w,
        household=household,
        full_name="Neema Kalenga",
        relationship="child",
        sex="F",
        age=13,
        works_at_mine_site=True,
    )
    services.link_child_case(actor=w, member=child, case=case)
    services.record_survey(
        actor=w, household=household, round=make_round(1), **answers(surveyed_on=datetime.date(2023, 3, 1))
    )
    services.record_survey(
        actor=w,
        household=household,
        round=make_round(2),
        **answers(
            surveyed_on=datetime.date(2024, 9, 1),
            hunger_scale=1,
            children_working=0,
            children_working_at_mine=0,
        ),
    )
    coop = services.create_cooperative(actor=m, name="Coop Mwinda", kind="agro_pastoral", place=kolwezi)
    coop_prog = make_programme(m, ProgrammeKind.COOPERATIVE, name="Coopératives agropastorales")
    savings = make_programme(m, ProgrammeKind.SAVINGS, name="Épargne BEPSEE")
    literacy = make_programme(m, ProgrammeKind.LITERACY, name="Alphabétisation")
    e1 = services.enrol(
        actor=w,
        programme=coop_prog,
        household=household,
        enrolled_on=datetime.date(2023, 6, 1),
        cooperative=coop,
        hectares=5,
    )
    services.add_delivery(
        actor=w,
        enrolment=e1,
        delivered_on=datetime.date(2023, 7, 1),
        kind="inputs",
        quantity=50,
        unit="kg",
        value_usd=80,
    )
    e2 = services.enrol(
        actor=w,
        programme=savings,
        household=household,
        enrolled_on=datetime.date(2023, 6, 1),
        bank="TMB",
        account_opened_on=datetime.date(2023, 6, 2),
    )
    services.add_deposit(actor=w, enrolment=e2, deposited_on=datetime.date(2023, 7, 1), amount_usd=15)
    e3 = services.enrol(
        actor=w,
        programme=literacy,
        household=household,
        member=child,
        enrolled_on=datetime.date(2023, 6, 1),
        sessions_planned=20,
    )
    services.update_enrolment(actor=w, enrolment=e3, status="completed", sessions_attended=18)
    body = client_for(worker).get(f"/households/{household.uuid}/").content.decode()
    assert "Kalenga Mwansa" in body
    assert "Indice de vulnérabilité" in body and "/ 100" in body
    assert "Revenu par personne sous le seuil" in body  # explanation item by item
    assert "Coop Mwinda" in body and "5,00 ha" in body
    assert "Épargne BEPSEE" in body and "1 dépôt" in body
    assert "Alphabétisation" in body and "Terminé" in body and "18 / 20" in body
    assert "Neema Kalenga" in body and "travaille sur un site minier" in body
    assert case.number in body and "hors du travail minier" in body and "04/05/2026" in body
    assert "prioritaire" in body
    assert body.count("<svg") >= 2
    assert AuditEvent.objects.filter(action="read", target_id=str(household.uuid)).exists()


def test_hectares_beyond_the_limit_refused_in_the_form(setup, kolwezi):
    client = client_for(setup["worker"])
    household = setup["household"]
    Enrolment.objects.all().delete()
    response = client.post(
        f"/households/{household.uuid}/inscrire/",
        {
            "programme": str(setup["programme"].uuid),
            "enrolled_on": "2024-02-01",
            "cooperative": str(setup["coop"].uuid),
            "hectares": "8",
        },
    )
    assert response.status_code == 400 and "dépasse la limite" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_household_created_through_the_form_is_audited(setup, kolwezi):
    client = client_for(setup["worker"])
    response = client.post(
        "/households/nouveau/",
        {"survey_id": "KZI-77", "place": str(kolwezi.uuid), "head_name": "Ilunga Mbuyu", "size": "5"},
    )
    assert response.status_code == 302
    household = Household.objects.get(survey_id="KZI-77")
    assert AuditEvent.objects.filter(action="create", target_id=str(household.uuid)).exists()
