"""The survey import template speaks French: every header of the downloadable file is French (no English word,
no column code), and a file filled in from it imports."""

import csv
import io
import re
from pathlib import Path

import pytest

from kinga.core.roles import Role
from kinga.core.testing import SOURCE_ROOT, actor_of, client_for, make_member, make_organisation
from kinga.households import services
from kinga.households.models import Survey
from kinga.households.services.imports import COLUMNS
from kinga.households.tests.factories import make_round
from kinga.households.tests.test_imports import GOOD, HEADER

pytestmark = pytest.mark.django_db

ENGLISH = {
    line.strip()
    for line in Path(SOURCE_ROOT, "kinga/core/tests/english_words.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
}


def _template(member) -> list[str]:
    response = client_for(member).get("/households/importer/modele.csv")
    assert response.status_code == 200
    return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_every_header_of_the_template_is_french(kolwezi):
    headers = _template(make_member(make_organisation(), Role.DATA_CLERK))
    assert len(headers) == len(COLUMNS)
    for header in headers:
        words = re.findall(r"[a-zà-ÿ']+", header.casefold())
        assert header not in COLUMNS and "_" not in header, header  # no column code
        assert not [w for w in words if w in ENGLISH], header
        assert header[0].isupper(), header
    assert "Identifiant du ménage" in headers and "Âge du chef de ménage" in headers


def test_a_file_filled_in_from_the_template_imports(kolwezi):
    member = make_member(make_organisation(), Role.DATA_CLERK)
    headers = _template(member)
    by_code = dict(zip(COLUMNS, headers, strict=True))
    codes = HEADER.split(";")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(headers)  # the template's header, every column, in its order
    for line in GOOD:
        values = dict(zip(codes, line.split(";"), strict=True))
        writer.writerow([values.get(code, "") for code in by_code])
    batch = services.import_round(
        actor=actor_of(member), round=make_round(1), content=out.getvalue().encode("utf-8"), filename="r1.csv"
    )
    assert (batch.created, batch.quarantined) == (2, 0)
    assert Survey.objects.get(household__survey_id="KZI-001").household.head_name == "Mwamba Kalenga"
    # The headers are read whatever their accents, case and spacing (as a spreadsheet may leave them).
    loose = out.getvalue().replace("Identifiant du ménage", "IDENTIFIANT DU MENAGE ").replace("Âge", "age")
    again = services.import_round(
        actor=actor_of(member), round=make_round(2), content=loose.encode("cp1252"), filename="r2.csv"
    )
    assert again.quarantined == 0 and again.created + again.updated == 2
