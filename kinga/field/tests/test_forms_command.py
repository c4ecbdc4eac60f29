"""`kinga forms build` and `kinga forms publish --to kobo|odk` against KoboToolbox and ODK Central on loopback."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from pyxform import xls2xform

from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import make_member, make_organisation
from kinga.field.xlsforms import publish
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


def test_publish_to_central_creates_the_draft_uploads_the_lists_and_publishes(central, site):
    run("publish", "--to", "odk")
    assert set(central.forms) == set(FORMS)
    inspection = central.forms["kinga_site_inspection"]["published"]
    assert inspection["missing"] == []
    assert set(inspection["attachments"]) == {"places.csv", "sites.csv", "organisations.csv"}
    assert b"codmine00001" in inspection["attachments"]["sites.csv"]

    # Same questions, new lists: Central wants a new version, which the publication gives.
    output = run("publish", "--to", "odk", "--form", "kinga_site_inspection")
    versions = central.forms["kinga_site_inspection"]["versions"]
    assert len(versions) == 2 and versions[1].startswith(versions[0] + "-") and versions[1] in output


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


def test_lists_reach_central_with_the_published_definition(central, site):
    run("publish", "--to", "odk", "--form", "kinga_site_inspection")
    form = central.forms["kinga_site_inspection"]
    first = form["versions"][0]
    Site.objects.create(code="codmine00002", name="Kapata", place=site.place)
    run("lists", "--to", "odk", "--form", "kinga_site_inspection")
    output = run("lists", "--to", "odk", "--form", "kinga_site_inspection")
    # The draft is the published definition copied by Central (no workbook sent); Central wants a new version
    # string for each publication: the same one followed by the date, never a growing chain of dates.
    assert form["published"]["copied"] and form["published"]["missing"] == []
    assert len(form["versions"]) == 3 and all(v.startswith(first + "-") for v in form["versions"][1:])
    assert len(form["versions"][2]) == len(first) + 15 and form["versions"][2] in output
    assert b"codmine00002" in form["published"]["attachments"]["sites.csv"]
