"""The plan's indicators for DHIS2 (dataValueSets JSON, ADX XML) and as an HXL CSV, and the push to a DHIS2
instance — here a fake one on loopback that answers as DHIS2's /api/dataValueSets does."""

from __future__ import annotations

import base64
import datetime
import io
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from lxml import etree
from playwright.sync_api import expect

from kinga.core import periods
from kinga.core.indicators import IndicatorSource, IndicatorValue, indicator_sources
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import (
    actor_of,
    assert_fits_phone,
    assert_not_stored_in_clear,
    client_for,
    make_member,
    make_organisation,
    shared_path,
)
from kinga.plan import dhis2, services
from kinga.plan.models import Dhis2Push, Indicator, IndicatorSourceKind, PushStatus

# Identifiers as DHIS2 gives them (11 characters, a letter first).
DATA_SET = "pBOMPrpg1QX"
ELEMENT = "f7n9E0hX8qk"
UNKNOWN_ELEMENT = "zzzzzzzzzz1"
PROVINCE_UNIT = "DiszpKrYNg8"
KOLWEZI_UNIT = "Kolwezi0001"
COC = {
    ("F", "5-11"): "Prlt0C1RF0s",
    ("M", "5-11"): "V6L425pT3A0",
    ("F", "12-14"): "FgIrls12140",
    ("M", "12-14"): "BoYs1214000",
}


def fake_children(query):
    """Computed per territory × sex × age band, as a module's source would (one row per group)."""
    rows = [
        ({"territory": "CD7201", "sex": "F", "age_band": "5-11"}, 275),
        ({"territory": "CD7201", "sex": "M", "age_band": "5-11"}, 260),
        ({"territory": "CD7201", "sex": "F", "age_band": "12-14"}, 3),
        ({"territory": "CD7201", "sex": "", "age_band": "12-14"}, 2),  # sex not recorded: cannot be sent
        ({"territory": "CD7299", "sex": "M", "age_band": "12-14"}, 4),  # a territory without a DHIS2 unit
    ]
    return [
        IndicatorValue(value=value, breakdown={k: v for k, v in groups.items() if k in query.breakdowns})
        for groups, value in rows
    ]


@pytest.fixture
def frozen(today):
    today.set(datetime.date(2026, 12, 4))


@pytest.fixture
def admin(plan):
    return actor_of(make_member(make_organisation("IDAK"), Role.ADMIN))


@pytest.fixture
def computed(plan):
    indicator = Indicator.objects.filter(plan=plan, source=IndicatorSourceKind.COMPUTED).first()
    source = IndicatorSource(indicator.code, fake_children, ("territory", "sex", "age_band"), "test")
    with indicator_sources({indicator.code: source}):
        yield indicator


@pytest.fixture
def mapped(plan, admin, computed, lualaba, kolwezi):
    services.save_dhis2_settings(
        actor=admin,
        plan=plan,
        data_set=DATA_SET,
        data_set_code="CP_QUARTERLY",
        attribute_option_combo="HllvX50cXC0",
    )
    services.map_data_element(
        actor=admin, indicator=computed, uid=ELEMENT, code="CP_CHILDREN", disaggregation="sex_age"
    )
    services.map_org_unit(actor=admin, place=lualaba, uid=PROVINCE_UNIT, code="CD72_LUALABA")
    services.map_org_unit(actor=admin, place=kolwezi, uid=KOLWEZI_UNIT, code="CD7201_KOLWEZI")
    for (sex, band), uid in COC.items():
        services.map_category_option_combo(
            actor=admin,
            sex=sex,
            age_band=band,
            uid=uid,
            adx_sex_code=sex,
            adx_age_code="Y" + band.replace("-", "_"),
        )
    return computed


def test_data_value_set_has_dhis2s_shape_and_iso_period(plan, mapped, frozen):
    export = dhis2.collect(plan, periods.parse("2026Q3"))
    document = dhis2.data_value_set(export, plan)
    reference = json.loads(shared_path("reference", "dhis2", "dhis2_datavalueset.json").read_text())
    # Every key is one DHIS2 reads: those of the reference payload, plus period and orgUnit per value, which
    # DHIS2 takes on each value when the values of one message belong to several organisation units.
    assert set(document) <= set(reference)
    value_keys = set().union(*(v.keys() for v in reference["dataValues"])) | {"period", "orgUnit"}
    assert all(set(v) <= value_keys for v in document["dataValues"])
    assert document["dataSet"] == DATA_SET and document["period"] == "2026Q3"
    sent = {(v["orgUnit"], v["categoryOptionCombo"]): v["value"] for v in document["dataValues"]}
    assert sent == {
        (KOLWEZI_UNIT, COC[("F", "5-11")]): "275",
        (KOLWEZI_UNIT, COC[("M", "5-11")]): "260",
        (KOLWEZI_UNIT, COC[("F", "12-14")]): "3",
    }
    reasons = sorted(str(s.reason) for s in export.skipped)
    # Nothing is dropped in silence: the unknown sex and the territory without a DHIS2 unit are said.
    assert len(reasons) == 2 and any("sexe" in r or "sex" in r for r in reasons)


def test_adx_validates_against_the_schema_with_dhis2_periods(plan, mapped, frozen):
    schema = etree.XMLSchema(etree.parse(str(shared_path("reference", "dhis2", "adx_loose.xsd"))))
    reference = etree.parse(str(shared_path("reference", "dhis2", "dhis2_adx.xml")))
    assert schema.validate(reference), schema.error_log  # the schema itself reads DHIS2's own example
    for period, expected in (
        ("2026Q3", "2026-07-01/P3M"),
        ("2025", "2025-01-01/P1Y"),
        ("202609", "2026-09-01/P1M"),
    ):
        document = etree.fromstring(dhis2.adx_document(dhis2.collect(plan, periods.parse(period)), plan))
        assert schema.validate(document), schema.error_log
        groups = document.findall(f"{{{dhis2.ADX_NAMESPACE}}}group")
        assert [g.get("period") for g in groups] == [expected]
        assert groups[0].get("orgUnit") == "CD7201_KOLWEZI" and groups[0].get("dataSet") == "CP_QUARTERLY"
        values = {
            (v.get("SEX"), v.get("AGE_GROUP")): v.get("value")
            for v in groups[0].findall(f"{{{dhis2.ADX_NAMESPACE}}}dataValue")
        }
        assert values == {("F", "Y5_11"): "275", ("M", "Y5_11"): "260", ("F", "Y12_14"): "3"}


def test_the_whole_plan_is_not_a_dhis2_period(plan, mapped, frozen):
    with pytest.raises(ValidationError) as error:
        dhis2.collect(plan, periods.parse("plan"))
    assert "period" in error.value.message_dict


def test_export_without_a_data_set_says_what_to_configure(plan, computed, frozen):
    with pytest.raises(ValidationError):
        dhis2.data_value_set(dhis2.collect(plan, periods.parse("2026Q3")), plan)


def test_hxl_csv_has_french_header_then_hashtags(plan, computed, frozen):
    text = dhis2.hxl_csv(dhis2.collect(plan, periods.parse("2026Q3"), indicators=[computed]))
    header, tags, *rows = text.splitlines()
    assert header.startswith("Indicateur,Code,Période")
    assert tags.split(",")[0] == "#indicator+name" and all(t.startswith("#") for t in tags.split(","))
    assert any(",Kolwezi,CD7201,Filles,5-11,275," in row for row in rows), rows


def test_mapping_refuses_what_dhis2_would(plan, admin, computed, kolwezi):
    with pytest.raises(ValidationError) as error:
        services.map_data_element(
            actor=admin, indicator=computed, uid="not-a-uid", code="X", disaggregation="none"
        )
    assert "uid" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.map_org_unit(
            actor=admin, place=kolwezi.children.first() or kolwezi.parent.parent, uid="Abcdefghij1", code="X"
        )


def test_a_coordinator_cannot_edit_the_mapping(plan, computed):
    coordinator = actor_of(make_member(make_organisation("IDAK coordination"), Role.COORDINATOR))
    with pytest.raises(PermissionDenied):
        services.map_data_element(
            actor=coordinator, indicator=computed, uid=ELEMENT, code="X", disaggregation="none"
        )


# --- The push, against a fake DHIS2 on loopback --------------------------------------------------------------


class FakeDhis2(BaseHTTPRequestHandler):
    """Answers POST /api/dataValueSets as DHIS2 2.38+ does: 200 + SUCCESS, or 409 + WARNING with conflicts for
    values whose data element it does not know; 401 for a wrong account."""

    received: list[dict] = []
    known_elements = {ELEMENT}

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):
        expected = "Basic " + base64.b64encode(b"kinga:secret-pw").decode()
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path.split("?")[0] != "/api/dataValueSets":
            return self._answer(404, {"httpStatus": "Not Found", "httpStatusCode": 404})
        if self.headers.get("Authorization") != expected:
            return self._answer(401, {"httpStatus": "Unauthorized", "httpStatusCode": 401, "status": "ERROR"})
        type(self).received.append(body)
        conflicts = [
            {
                "object": v["dataElement"],
                "value": "Data element not found or not accessible",
                "errorCode": "E7610",
                "indexes": [i],
            }
            for i, v in enumerate(body["dataValues"])
            if v["dataElement"] not in self.known_elements
        ]
        imported = len(body["dataValues"]) - len(conflicts)
        summary = {
            "responseType": "ImportSummary",
            "status": "WARNING" if conflicts else "SUCCESS",
            "description": "Import process completed successfully",
            "importCount": {"imported": imported, "updated": 0, "ignored": len(conflicts), "deleted": 0},
            "conflicts": conflicts,
        }
        status = 409 if conflicts else 200
        self._answer(
            status,
            {
                "httpStatus": "Conflict" if conflicts else "OK",
                "httpStatusCode": status,
                "status": "WARNING" if conflicts else "OK",
                "message": "One more conflicts encountered, please check import summary."
                if conflicts
                else "Import was successful.",
                "response": summary,
            },
        )

    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def fake_dhis2():
    FakeDhis2.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeDhis2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def configure_server(plan, admin, url, password="secret-pw"):
    services.save_dhis2_settings(
        actor=admin,
        plan=plan,
        data_set=DATA_SET,
        data_set_code="CP_QUARTERLY",
        server_url=url,
        username="kinga",
        password=password,
    )


def test_push_is_accepted_and_its_summary_kept(plan, admin, mapped, fake_dhis2, frozen):
    configure_server(plan, admin, fake_dhis2)
    push = services.push_period(actor=admin, plan=plan, period=periods.parse("2026Q3"))
    assert (push.status, push.values_sent, push.imported, push.ignored) == (PushStatus.SUCCESS, 3, 3, 0)
    assert FakeDhis2.received[0]["period"] == "2026Q3" and len(FakeDhis2.received[0]["dataValues"]) == 3
    assert push.response["response"]["status"] == "SUCCESS"
    event = AuditEvent.objects.get(target_type="plan.dhis2push")
    assert event.actor == admin.user and "2026Q3" in event.note


def test_a_rejected_value_is_reported(plan, admin, mapped, fake_dhis2, frozen, monkeypatch):
    monkeypatch.setattr(FakeDhis2, "known_elements", set())
    configure_server(plan, admin, fake_dhis2)
    push = services.push_period(actor=admin, plan=plan, period=periods.parse("2026Q3"))
    assert push.status == PushStatus.WARNING
    assert push.ignored == 3 and push.conflicts[0]["value"] == "Data element not found or not accessible"
    assert push.conflicts[0]["object"] == ELEMENT


def test_a_wrong_password_is_stored_and_raised(plan, admin, mapped, fake_dhis2, frozen):
    configure_server(plan, admin, fake_dhis2, password="wrong")
    with pytest.raises(services.Dhis2PushFailed) as error:
        services.push_period(actor=admin, plan=plan, period=periods.parse("2026Q3"))
    assert error.value.push.status == PushStatus.FAILED
    assert Dhis2Push.objects.get().status == PushStatus.FAILED


def test_an_unreachable_server_is_stored_and_raised(plan, admin, mapped, frozen):
    configure_server(plan, admin, "http://127.0.0.1:9")  # discard port: nothing listens
    with pytest.raises(services.Dhis2PushFailed):
        services.push_period(actor=admin, plan=plan, period=periods.parse("2026Q3"))
    assert Dhis2Push.objects.get().values_sent == 3


def test_the_password_is_not_stored_in_clear(plan, admin, mapped):
    configure_server(plan, admin, "http://dhis2.example.org", password="a-very-secret-pw")
    assert_not_stored_in_clear("a-very-secret-pw")


# --- Pages ----------------------------------------------------------------------------------------------------


def test_pages_refuse_roles_without_the_permission(plan, computed):
    caseworker = client_for(make_member(make_organisation("ONG"), Role.CASEWORKER))
    coordinator = client_for(make_member(make_organisation("IDAK c"), Role.COORDINATOR))
    for url in ("/plan/dhis2/", f"/plan/dhis2/elements/{computed.uuid}/", "/plan/dhis2/unites/"):
        assert caseworker.get(url).status_code == 403, url
    assert caseworker.post("/plan/dhis2/envoyer/", {"period": "2026Q3"}).status_code == 403
    # The coordinator sends and reads the mapping but does not edit it.
    assert coordinator.get("/plan/dhis2/").status_code == 200
    assert coordinator.get(f"/plan/dhis2/elements/{computed.uuid}/").status_code == 403
    assert coordinator.get("/plan/dhis2/parametres/").status_code == 403


def test_an_unknown_push_or_indicator_is_a_404(plan, admin):
    client = client_for(admin.membership)
    assert client.get(f"/plan/dhis2/envois/{uuid.uuid4()}/").status_code == 404
    assert client.get(f"/plan/dhis2/elements/{uuid.uuid4()}/").status_code == 404


def test_admin_maps_an_indicator_on_the_page_and_a_bad_uid_is_refused_in_french(plan, admin, computed):
    client = client_for(admin.membership)
    url = f"/plan/dhis2/elements/{computed.uuid}/"
    refused = client.post(url, {"uid": "12345", "code": "CP_X", "disaggregation": "sex"})
    assert refused.status_code == 400
    assert "11 lettres ou chiffres" in refused.content.decode()
    saved = client.post(url, {"uid": ELEMENT, "code": "CP_X", "disaggregation": "sex"})
    assert saved.status_code == 302
    assert client.get("/plan/dhis2/").content.decode().count(ELEMENT) == 1


def test_coordinator_sends_a_quarter_and_sees_what_dhis2_refused(
    plan, admin, mapped, fake_dhis2, frozen, monkeypatch
):
    monkeypatch.setattr(FakeDhis2, "known_elements", set())
    configure_server(plan, admin, fake_dhis2)
    coordinator = client_for(make_member(make_organisation("IDAK c"), Role.COORDINATOR))
    bad = coordinator.post("/plan/dhis2/envoyer/", {"period": "2026Q9"})
    assert bad.status_code == 400 and "Période inconnue" in bad.content.decode()
    sent = coordinator.post("/plan/dhis2/envoyer/", {"period": "2026Q3"}, follow=True)
    page = sent.content.decode()
    assert "Acceptée en partie" in page or "Accepté en partie" in page
    assert "Data element not found or not accessible" in page


def test_download_of_each_format(plan, admin, mapped, frozen):
    viewer = client_for(make_member(make_organisation("Bailleur"), Role.VIEWER))
    for fmt, kind in (("dhis2", "application/json"), ("adx", "application/adx+xml"), ("hxl", "text/csv")):
        response = viewer.get("/plan/indicateurs/export/", {"format": fmt, "period": "2026Q3"})
        assert response.status_code == 200, fmt
        assert response["Content-Type"].startswith(kind)
        assert "2026Q3" in response["Content-Disposition"]
    refused = viewer.get("/plan/indicateurs/export/", {"format": "dhis2", "period": "plan"})
    assert refused.status_code == 400 and "DHIS2" in refused.content.decode()
    focal = client_for(make_member(make_organisation("Réseau"), Role.FOCAL_POINT))
    assert focal.get("/plan/indicateurs/export/", {"format": "hxl", "period": "2026Q3"}).status_code == 403


# --- API ------------------------------------------------------------------------------------------------------


def test_api_sends_a_period_and_lists_the_sendings(plan, admin, mapped, fake_dhis2, frozen):
    configure_server(plan, admin, fake_dhis2)
    coordinator = client_for(make_member(make_organisation("IDAK c"), Role.COORDINATOR))
    bad = coordinator.post(
        "/api/v1/plan/dhis2-pushes/", {"period": "2026Q7"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "period" in bad.json()
    sent = coordinator.post(
        "/api/v1/plan/dhis2-pushes/", {"period": "2026Q3"}, content_type="application/json"
    )
    assert sent.status_code == 201 and sent.json()["imported"] == 3
    listed = coordinator.get("/api/v1/plan/dhis2-pushes/").json()
    assert [p["period"] for p in listed["results"]] == ["2026Q3"]
    caseworker = client_for(make_member(make_organisation("ONG"), Role.CASEWORKER))
    assert caseworker.get("/api/v1/plan/dhis2-pushes/").status_code == 403


def test_api_export_gives_the_file_or_field_errors(plan, admin, mapped, frozen):
    viewer = client_for(make_member(make_organisation("Bailleur"), Role.VIEWER))
    document = viewer.get("/api/v1/plan/indicator-exports/", {"type": "dhis2", "period": "2026Q3"})
    assert document.status_code == 200 and json.loads(document.content)["period"] == "2026Q3"
    refused = viewer.get("/api/v1/plan/indicator-exports/", {"type": "pdf", "period": "2026Q3"})
    assert refused.status_code == 400 and "type" in refused.json()


@pytest.mark.browser
def test_coordinator_sends_a_quarter_in_the_browser(
    page, login_as, plan, admin, mapped, fake_dhis2, frozen, monkeypatch
):
    monkeypatch.setattr(FakeDhis2, "known_elements", set())  # DHIS2 will refuse the values: the page says why
    configure_server(plan, admin, fake_dhis2)
    coordinator = make_member(make_organisation("IDAK navigateur"), Role.COORDINATOR)
    login_as(coordinator)
    page.goto("/plan/dhis2/")
    expect(page.locator("h1")).to_contain_text("Envoi des indicateurs à DHIS2")
    assert_fits_phone(page)
    page.fill("#push-form #id_period", "2026Q9")
    page.click("#push-form button[type=submit]")
    expect(page.locator("#push-form")).to_contain_text("Période inconnue")
    page.fill("#push-form #id_period", "2026Q3")
    page.click("#push-form button[type=submit]")
    expect(page.locator("#push-status")).to_contain_text("Acceptée en partie")
    expect(page.locator("#push-conflicts")).to_contain_text("Data element not found")
    assert_fits_phone(page)
    page.goto("/plan/indicateurs/export/")
    assert_fits_phone(page)
    with page.expect_download() as download:
        page.select_option("#id_format", "hxl")
        page.fill("#id_period", "2026Q3")
        page.click("main form button[type=submit]")
    assert download.value.suggested_filename == "kinga-indicateurs-2026Q3-hxl.csv"


# --- Command line ---------------------------------------------------------------------------------------------


def test_command_writes_each_format_and_pushes(plan, admin, mapped, fake_dhis2, frozen, tmp_path):
    configure_server(plan, admin, fake_dhis2)
    target = tmp_path / "valeurs.json"
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "indicators",
        "export",
        "--format",
        "dhis2",
        "--period",
        "2026Q3",
        "-o",
        str(target),
        "--push",
        "--actor",
        admin.user.email,
        stdout=out,
        stderr=err,
    )
    assert json.loads(target.read_text())["period"] == "2026Q3"
    assert "laissée de côté" in err.getvalue()  # the value whose sex was not recorded, said
    assert "Envoyé à DHIS2 : 3 valeur(s), 3 importée(s)" in out.getvalue()
    call_command(
        "indicators",
        "export",
        "--format",
        "adx",
        "--period",
        "2026Q3",
        "-o",
        str(tmp_path / "a.xml"),
        stderr=err,
    )
    assert (tmp_path / "a.xml").read_bytes().startswith(b"<?xml")


def test_command_refuses_a_bad_period_in_french(plan, mapped, frozen, tmp_path):
    with pytest.raises(CommandError, match="Période inconnue"):
        call_command(
            "indicators", "export", "--format", "hxl", "--period", "2026T3", "-o", str(tmp_path / "x.csv")
        )
