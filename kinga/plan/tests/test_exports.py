import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

import kinga.plan
from kinga.core.actors import system_actor
from kinga.core.models import Organisation
from kinga.core.testing import shared_path
from kinga.plan import exports, services
from kinga.plan.exports import LOGFRAME_COLUMNS
from kinga.plan.models import Action, TransactionKind

pytestmark = pytest.mark.django_db
XSD = Path(kinga.plan.__file__).parent / "data" / "iati-2.03" / "iati-activities-schema.xsd"
SHARED_XSD = shared_path("reference", "iati-2.03", "iati-activities-schema.xsd")


def _export(plan, fmt):
    stream = io.BytesIO()
    exports.export(actor=system_actor(), plan=plan, fmt=fmt, stream=stream)
    return stream.getvalue()


def test_logframe_xlsx_has_the_document_columns_one_sheet_per_axis_and_merged_actions(plan):
    book = openpyxl.load_workbook(io.BytesIO(_export(plan, "xlsx")))
    assert book.sheetnames == ["Axe 1", "Axe 2", "Axe 3", "Synthèse budgétaire"]
    sheet = book["Axe 1"]
    assert [c.value for c in sheet[3]] == LOGFRAME_COLUMNS
    merged = {str(r) for r in sheet.merged_cells.ranges}
    # Action 2 of axis 1 has two activities: its number and title are merged over their two rows.
    row = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 1).value == "2")
    assert f"A{row}:A{row + 1}" in merged and f"B{row}:B{row + 1}" in merged
    assert sheet.cell(row, 3).value == "Renforcement des capacités"
    assert sheet.cell(row + 1, 9).value == "1300.000$"
    synthesis = book["Synthèse budgétaire"]
    values = [synthesis.cell(r, 3).value for r in range(4, 8)]
    assert values == [15_750_000, 50_000, 16_585_000, 32_385_000]


def test_budget_xlsx_has_budget_reconciliation_and_commitments(plan):
    book = openpyxl.load_workbook(io.BytesIO(_export(plan, "budget-xlsx")))
    assert book.sheetnames == ["Budget", "Rapprochement", "Engagements"]
    assert book["Rapprochement"]["D2"].value == 1_000_000


def _with_money(plan):
    actor = system_actor()
    funder = Organisation.objects.get(acronym="UNICEF")
    action = Action.objects.get(axis__number=2, number=2)
    c = services.record_commitment(
        actor=actor,
        funder=funder,
        action=action,
        date=datetime.date(2018, 1, 10),
        amount=20000,
        document_ref="CONV-1",
    )
    services.record_transaction(
        actor=actor,
        commitment=c,
        kind=TransactionKind.DISBURSEMENT,
        date=datetime.date(2018, 2, 1),
        amount=8000,
    )
    services.record_transaction(
        actor=actor,
        commitment=c,
        kind=TransactionKind.EXPENDITURE,
        date=datetime.date(2018, 3, 1),
        amount=3000,
    )


@pytest.mark.parametrize("xsd", [XSD, SHARED_XSD])
def test_iati_xml_validates_against_the_2_03_schema(plan, xsd):
    _with_money(plan)
    xml = _export(plan, "iati")
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    doc = etree.fromstring(xml)
    assert schema.validate(doc), schema.error_log
    activities = doc.findall("iati-activity")
    assert len(activities) == 15
    assert doc.find("iati-activity/reporting-org").get("ref") == "XM-DAC-KINGA-IDAK"
    codes = [t.get("code") for t in doc.iter("transaction-type")]
    assert sorted(codes) == ["2", "3", "4"]
    titles = [n.text for n in doc.iter("narrative")]
    assert any("COMMUNITY_STATE_AGENTS_TRAINED" in (t or "") for t in titles)
    target = next(
        i for i in doc.iter("indicator") if "COMMUNITY_STATE_AGENTS_TRAINED" in i.find("title/narrative").text
    )
    assert target.find("period/target").get("value") == "500"


def test_iati_reporting_org_is_a_setting(plan, settings):
    settings.KINGA_IATI_REPORTING_ORG = "CD-TEST-123"
    doc = etree.fromstring(_export(plan, "iati"))
    assert doc.find("iati-activity/iati-identifier").text.startswith("CD-TEST-123-")
