"""`kinga forms build` and `kinga forms publish --to kobo|odk` against KoboToolbox and ODK Central on loopback."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from pyxform import xls2xform

from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import make_member, make_organisation
from kinga.field.xlsforms import entities, publish
from kinga.field.xlsforms.catalogue import FORMS
from kinga.sites.models import Site

from .fake_servers import KOBO_TOKEN, ODK_PASSWORD, ODK_PROJECT, ODK_USER, FakeCentral, FakeKobo, serve

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("forms", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def site(kolwezi):
    return Site.objects.create(code="codmine00001", name="Kasulo", place=kolwezi)


def test_build_writes_every_form_and_its_lists(tmp_path, site):
    output = run("build", "-o", str(tmp_path))
    for form_id in FORMS:
        written = tmp_path / f"{form_id}.xlsx"
        assert written.exists() and form_id in output
        xls2xform.xls2xform_convert(str(written), str(tmp_path / f"{form_id}.xml"), validate=False)
    rows = list(csv.DictReader((tmp_path / "sites.csv").open()))
    assert rows[0]["name"] == "codmine00001" and rows[0]["territory"] == "CD7201"
    assert {"places.csv", "organisations.csv", "rounds.csv"} <= {p.name for p in tmp_path.iterdir()}


def test_build_one_form_for_one_territory(tmp_path, site):
    run("build", "-o", str(tmp_path), "--form", "kinga_follow_up", "--territory", "CD7202")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kinga_follow_up.xlsx", "places.csv", "sites.csv"]
    assert (tmp_path / "sites.csv").read_text().splitlines() == ["name,label,code,territory"]


def test_an_unknown_form_is_refused_in_french(tmp_path):
    with pytest.raises(CommandError, match="Formulaire inconnu : kinga_nothing"):
        run("build", "-o", str(tmp_path), "--form", "kinga_nothing")


# --- KoboToolbox -------------------------------------------------------------------------------------------


@pytest.fixture
def kobo(settings, monkeypatch):
    FakeKobo.reset()
    monkeypatch.setattr(publish, "KOBO_POLL_SECONDS", 0)
    server, url = serve(FakeKobo)
    settings.KINGA_KOBO_URL, settings.KINGA_KOBO_TOKEN = url + "/", KOBO_TOKEN
    yield FakeKobo
    server.shutdown()
    server.server_close()


def test_publish_to_kobo_creates_deploys_then_replaces(kobo, site):
    output = run("publish", "--to", "kobo")
    assert len(kobo.assets) == len(FORMS) and output.count("publié") == len(FORMS)
    follow_up = next(a for a in kobo.assets.values() if a["form_id"] == "kinga_follow_up")
    assert follow_up["name"] == "Visite de suivi [kinga_follow_up]"
    assert follow_up["deployed_version"] == follow_up["version_id"]
    assert set(follow_up["deployed_files"]) == {"places.csv", "sites.csv"}
    assert b"codmine00001" in follow_up["deployed_files"]["sites.csv"]

    Site.objects.create(code="codmine00002", name="Kapata", place=site.place)
    first_version = follow_up["version_id"]
    run("publish", "--to", "kobo", "--form", "kinga_follow_up")
    assert len(kobo.assets) == len(FORMS)  # replaced, not duplicated
    assert (
        follow_up["version_id"] != first_version and follow_up["deployed_version"] == follow_up["version_id"]
    )
    assert len(follow_up["files"]) == 2 and b"codmine00002" in follow_up["deployed_files"]["sites.csv"]
    assert (
        "PATCH",
        next(f"/api/v2/assets/{u}/deployment/" for u, a in kobo.assets.items() if a is follow_up),
    ) in kobo.calls
    events = AuditEvent.objects.filter(target_type="field.xlsform", target_id="kinga_follow_up")
    assert events.count() == 2 and events.first().changes["server"] == "kobo"


def test_kobo_refusing_the_token_stops_with_a_french_message(kobo, settings):
    settings.KINGA_KOBO_TOKEN = "wrong"
    with pytest.raises(CommandError, match="KoboToolbox refuse l'accès \\(401\\)"):
        run("publish", "--to", "kobo", "--form", "kinga_alert")
    assert not AuditEvent.objects.filter(target_type="field.xlsform").exists()


def test_kobo_not_configured(settings):
    settings.KINGA_KOBO_URL = ""
    with pytest.raises(CommandError, match="KoboToolbox n'est pas configuré"):
        run("publish", "--to", "kobo")


def test_kobo_unreachable(settings):
    settings.KINGA_KOBO_URL, settings.KINGA_KOBO_TOKEN = "http://127.0.0.1:9", KOBO_TOKEN
    with pytest.raises(CommandError, match="KoboToolbox est injoignable"):
        run("publish", "--to", "kobo", "--form", "kinga_alert")


def test_kobo_refusing_the_workbook_is_reported(kobo, monkeypatch):
    monkeypatch.setattr(publish.builder, "workbook_bytes", lambda form: b"not a workbook")
    with pytest.raises(CommandError, match="KoboToolbox a refusé le formulaire kinga_alert"):
        run("publish", "--to", "kobo", "--form", "kinga_alert")


# --- ODK Central -------------------------------------------------------------------------------------------


@pytest.fixture
def central(settings):
    FakeCentral.reset()
    server, url = serve(FakeCentral)
    settings.KINGA_ODK_URL, settings.KINGA_ODK_USER = url, ODK_USER
    settings.KINGA_ODK_PASSWORD, settings.KINGA_ODK_PROJECT = ODK_PASSWORD, ODK_PROJECT
    yield FakeCentral
    server.shutdown()
    server.server_close()


def entity(central, dataset: str, key: str) -> dict:
    return central.datasets[dataset]["entities"][entities.entity_uuid(dataset, key)]


def test_publish_to_central_links_the_lists_to_entity_lists(central, site):
    output = run("publish", "--to", "odk")
    assert set(central.forms) == set(FORMS)
    inspection = central.forms["kinga_site_inspection"]["published"]
    assert inspection["missing"] == []
    # Each attachment read from the entity list of its name, none uploaded as a file.
    assert inspection["attachments"] == {
        "places.csv": {"dataset": "places"},
        "sites.csv": {"dataset": "sites"},
        "organisations.csv": {"dataset": "organisations"},
    }
    assert set(central.datasets) == {"places", "sites", "organisations", "rounds"}
    assert central.datasets["sites"]["properties"] == ["code", "territory"]
    assert central.datasets["places"]["properties"] == ["code", "level", "territory"]
    kasulo = entity(central, "sites", "codmine00001")
    assert kasulo["label"] == "Kasulo (codmine00001)"
    assert kasulo["data"] == {"code": "codmine00001", "territory": "CD7201"} and kasulo["version"] == 1
    assert entity(central, "places", "CD7201")["data"]["level"] == "2"
    # Every list synchronised once, however many forms read it.
    sites_writes = [w for w in central.entity_writes if w[1] == "sites"]
    assert sites_writes == [("POST", "sites")] and output.count("Liste d'entités sites :") == 1
    event = AuditEvent.objects.get(target_id="kinga_site_inspection")
    assert event.changes["entity_lists"]["sites"] == {"created": 1, "updated": 0, "deleted": 0}

    # Same questions, same data: no new version, not even a draft, and no entity written.
    central.entity_writes.clear()
    output = run("publish", "--to", "odk", "--form", "kinga_site_inspection")
    form = central.forms["kinga_site_inspection"]
    assert len(form["versions"]) == 1 and form["draft"] is None and central.entity_writes == []
    assert f"version {form['versions'][0]} conservée" in output
    assert "sites : 1 entités ; créées : 0, modifiées : 0, retirées : 0" in output


def test_new_questions_are_published_with_the_lists_linked(central, site, monkeypatch):
    run("publish", "--to", "odk", "--form", "kinga_follow_up")
    # New questions: a new version string, in the workbook too (its settings sheet asks builder.version).
    monkeypatch.setattr(publish.builder, "version", lambda form: "2099010100")
    run("publish", "--to", "odk", "--form", "kinga_follow_up")
    form = central.forms["kinga_follow_up"]
    assert form["versions"][-1] == "2099010100" and len(form["versions"]) == 2
    assert form["published"]["attachments"]["sites.csv"] == {"dataset": "sites"}


def test_central_refusing_the_password(central, settings):
    settings.KINGA_ODK_PASSWORD = "wrong"
    with pytest.raises(CommandError, match="ODK Central refuse l'accès \\(401\\) pendant : la connexion"):
        run("publish", "--to", "odk")


def test_central_not_configured(settings):
    settings.KINGA_ODK_PROJECT = ""
    with pytest.raises(CommandError, match="ODK Central n'est pas configuré"):
        run("publish", "--to", "odk")


def test_only_administrators_and_coordinators_publish(central):
    clerk = make_member(make_organisation(), Role.DATA_CLERK)
    with pytest.raises(CommandError, match="ne peut pas publier"):
        run("publish", "--to", "odk", "--actor", clerk.user.email)
    assert central.forms == {}
    coordinator = make_member(make_organisation(), Role.COORDINATOR)
    run("publish", "--to", "odk", "--form", "kinga_alert", "--actor", coordinator.user.email)
    assert AuditEvent.objects.get(target_id="kinga_alert").actor == coordinator.user


# --- the lists alone ---------------------------------------------------------------------------------------


def test_lists_reach_kobo_without_a_new_version(kobo, site):
    run("publish", "--to", "kobo", "--form", "kinga_follow_up")
    follow_up = next(iter(kobo.assets.values()))
    version, imports = follow_up["version_id"], len(kobo.imports)
    Site.objects.create(code="codmine00002", name="Kapata", place=site.place)
    output = run("lists", "--to", "kobo", "--form", "kinga_follow_up")
    assert "kinga_follow_up : listes de choix envoyées" in output
    # No workbook imported: the project keeps its version, redeployed with its new media.
    assert len(kobo.imports) == imports and follow_up["version_id"] == version
    assert follow_up["deployed_version"] == version and len(follow_up["files"]) == 2
    assert b"codmine00002" in follow_up["deployed_files"]["sites.csv"]
    event = AuditEvent.objects.filter(target_id="kinga_follow_up").order_by("-pk").first()
    assert event.changes["lists"] == ["places.csv", "sites.csv"]


def test_lists_of_a_form_never_published_are_refused(kobo, central, site):
    with pytest.raises(CommandError, match="publiez-le d'abord"):
        run("lists", "--to", "kobo", "--form", "kinga_follow_up")
    with pytest.raises(CommandError, match="publiez-le d'abord"):
        run("lists", "--to", "odk", "--form", "kinga_follow_up")


def test_lists_reach_central_as_entity_writes_without_a_new_version(central, site, kolwezi):
    gone = Site.objects.create(code="codmine00009", name="Ancien site", place=kolwezi)
    run("publish", "--to", "odk", "--form", "kinga_site_inspection")
    form = central.forms["kinga_site_inspection"]
    versions = list(form["versions"])
    central.entity_writes.clear()

    Site.objects.create(code="codmine00002", name="Kapata", place=kolwezi)  # a new site
    kolwezi.name = "Kolwezi-Ville"  # a renamed place
    kolwezi.save(update_fields=["name"])
    gone.delete()  # a site removed
    output = run("lists", "--to", "odk", "--form", "kinga_site_inspection")

    assert form["versions"] == versions and form["draft"] is None  # no new form version, no draft
    assert sorted(central.entity_writes) == [("DELETE", "sites"), ("PATCH", "places"), ("POST", "sites")]
    assert entity(central, "sites", "codmine00002")["data"]["territory"] == "CD7201"
    renamed = entity(central, "places", "CD7201")
    assert renamed["label"] == "Kolwezi-Ville" and renamed["version"] == 2
    assert entity(central, "sites", "codmine00009")["deleted"]
    assert "Liste d'entités sites : 2 entités ; créées : 1, modifiées : 0, retirées : 1" in output
    assert f"version {versions[0]} conservée" in output
    event = AuditEvent.objects.filter(target_id="kinga_site_inspection").order_by("-pk").first()
    assert event.changes["new_version"] is False and event.changes["entity_lists"]["places"]["updated"] == 1

    # Nothing changed since: nothing written.
    central.entity_writes.clear()
    run("lists", "--to", "odk", "--form", "kinga_site_inspection")
    assert central.entity_writes == [] and form["versions"] == versions


def test_a_row_back_in_kinga_after_its_removal_gets_a_new_entity(central, site, kolwezi):
    """Central never gives a deleted entity's UUID again: a site removed then back gets the next derived one."""
    run("publish", "--to", "odk", "--form", "kinga_follow_up")
    first = entities.entity_uuid("sites", "codmine00001")
    site.delete()
    run("lists", "--to", "odk", "--form", "kinga_follow_up")
    assert central.datasets["sites"]["entities"][first]["deleted"]
    Site.objects.create(code="codmine00001", name="Kasulo", place=kolwezi)
    output = run("lists", "--to", "odk", "--form", "kinga_follow_up")
    back = central.datasets["sites"]["entities"][entities.entity_uuid("sites", "codmine00001", 2)]
    assert not back["deleted"] and back["data"]["code"] == "codmine00001"
    assert "sites : 1 entités ; créées : 1, modifiées : 0, retirées : 0" in output
    central.entity_writes.clear()
    run("lists", "--to", "odk", "--form", "kinga_follow_up")
    assert central.entity_writes == []


def test_entities_added_in_central_are_removed(central, site):
    """The list is Kinga's: an entity added in Central by hand (or twice the same code) does not stay."""
    run("publish", "--to", "odk", "--form", "kinga_follow_up")
    sites = central.datasets["sites"]["entities"]
    sites["a1b2c3d4-0000-4000-8000-000000000001"] = {
        "label": "Site inventé",
        "data": {"code": "codmine99999", "territory": "CD7201"},
        "version": 1,
        "deleted": False,
    }
    sites["a1b2c3d4-0000-4000-8000-000000000002"] = {
        "label": "Kasulo bis",
        "data": {"code": "codmine00001"},
        "version": 1,
        "deleted": False,
    }
    output = run("lists", "--to", "odk", "--form", "kinga_follow_up")
    assert [k for k, e in sites.items() if not e["deleted"]] == [
        entities.entity_uuid("sites", "codmine00001")
    ]
    assert "retirées : 2" in output


def test_an_entity_edited_in_central_is_overwritten_by_kinga(central, site):
    """Kinga is the source of its lists: an edit made in Central since the last run is replaced (and counted)."""
    run("publish", "--to", "odk", "--form", "kinga_follow_up")
    kasulo = entity(central, "sites", "codmine00001")
    kasulo.update(label="Kasulo (modifié dans Central)", version=2)
    output = run("lists", "--to", "odk", "--form", "kinga_follow_up")
    assert kasulo["label"] == "Kasulo (codmine00001)" and kasulo["version"] == 3
    assert "Liste d'entités sites : 1 entités ; créées : 0, modifiées : 1, retirées : 0" in output


def test_an_entity_changed_in_central_during_the_update_is_read_again(central, site):
    run("publish", "--to", "odk", "--form", "kinga_follow_up")
    site.name = "Kasulo II"
    site.save(update_fields=["name"])
    edits = []

    def edited_meanwhile(entity_state):
        if not edits:  # someone edits it in Central between Kinga's reading and its write, once
            edits.append(entity_state["version"])
            entity_state.update(label="Autre nom", version=entity_state["version"] + 1)

    central.before_patch = edited_meanwhile
    central.entity_writes.clear()
    run("lists", "--to", "odk", "--form", "kinga_follow_up")
    kasulo = entity(central, "sites", "codmine00001")
    # The first write was refused (409, stale baseVersion); the second, over the version read again, landed.
    assert edits == [1] and kasulo["label"] == "Kasulo II (codmine00001)" and kasulo["version"] == 3
    assert central.entity_writes == [("PATCH", "sites")]


def test_an_entity_that_keeps_changing_in_central_stops_with_an_error(central, site):
    run("publish", "--to", "odk", "--form", "kinga_follow_up")
    site.name = "Kasulo II"
    site.save(update_fields=["name"])
    central.before_patch = lambda state: state.update(label="Autre nom", version=state["version"] + 1)
    with pytest.raises(CommandError, match=r"Kasulo II \(codmine00001\).*conflit de version"):
        run("lists", "--to", "odk", "--form", "kinga_follow_up")
    assert entity(central, "sites", "codmine00001")["label"] == "Autre nom"  # nothing overwritten


def test_an_old_central_gets_attached_csvs_with_a_new_version(central, site):
    """ODK Central before 2024.1 has no entity lists API: the lists are attached CSVs, as they used to be."""
    central.entity_lists_api = False
    output = run("publish", "--to", "odk", "--form", "kinga_site_inspection")
    assert "n'a pas de listes d'entités" in output
    form = central.forms["kinga_site_inspection"]
    first = form["versions"][0]
    assert b"codmine00001" in form["published"]["attachments"]["sites.csv"] and central.datasets == {}
    Site.objects.create(code="codmine00002", name="Kapata", place=site.place)
    run("lists", "--to", "odk", "--form", "kinga_site_inspection")
    output = run("lists", "--to", "odk", "--form", "kinga_site_inspection")
    # The draft is the published definition copied by Central (no workbook sent); Central wants a new version
    # string for each publication: the same one followed by the date, never a growing chain of dates.
    assert form["published"]["copied"] and form["published"]["missing"] == []
    assert len(form["versions"]) == 3 and all(v.startswith(first + "-") for v in form["versions"][1:])
    assert len(form["versions"][2]) == len(first) + 15 and form["versions"][2] in output
    assert b"codmine00002" in form["published"]["attachments"]["sites.csv"]

    # Central updated to a version with entity lists: the lists become entity lists, linked by one last version.
    central.entity_lists_api = True
    run("lists", "--to", "odk", "--form", "kinga_site_inspection")
    assert len(form["versions"]) == 4 and form["published"]["attachments"]["sites.csv"] == {
        "dataset": "sites"
    }
    Site.objects.create(code="codmine00003", name="Musonoi", place=site.place)
    run("lists", "--to", "odk", "--form", "kinga_site_inspection")
    assert len(form["versions"]) == 4 and entity(central, "sites", "codmine00003")["version"] == 1
