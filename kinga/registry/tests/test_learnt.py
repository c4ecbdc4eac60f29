"""What the registry learns (issue 17, point 3): `kinga registry learn`, the background task after a large import,
the search using what was learnt, and the administrator's page (403 for every other role)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client

from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation
from kinga.registry.batch import find_duplicates_in_database
from kinga.registry.matching.learn import FIELDS
from kinga.registry.models import LearntParameters

from .conftest import register

CHILDREN = [
    ("Esther", "Kapwasa", "F", datetime.date(2012, 3, 5)),
    ("Ester", "Kapwasa", "F", datetime.date(2012, 3, 5)),
    ("Paul", "Mbuyi", "M", datetime.date(2010, 1, 9)),
    ("Paul", "Mbouyi", "M", datetime.date(2011, 1, 9)),
    ("Jeanne", "Ilunga", "F", datetime.date(2013, 7, 1)),
    ("Marie", "Kabwe", "F", datetime.date(2009, 11, 20)),
    ("Joseph", "Kasongo", "M", None),  # no birth date: what its absence says is learnt too
]


@pytest.fixture
def registry(ngos):
    for i, (given, family, sex, born) in enumerate(CHILDREN):
        register(
            ngos,
            ngos.worker_a if i % 2 else ngos.worker_b,
            given_name=given,
            family_name=family,
            sex=sex,
            date_of_birth=born,
        )
    return ngos


def test_the_learn_command_keeps_what_was_learnt_and_the_search_uses_it(registry):
    out = io.StringIO()
    call_command("registry", "learn", stdout=out)
    assert "erreurs apprises : 7 profils" in out.getvalue()
    row = LearntParameters.objects.get()
    assert row.reason == "command" and row.records == 7
    assert set(row.parameters["m"]) == set(FIELDS) == set(row.parameters["u"])
    assert 0 < row.match_share < 1
    assert AuditEvent.objects.filter(note="registry parameters learnt").count() == 1
    _frame, result, _timings = find_duplicates_in_database()
    assert result.learnt is not None and result.learnt.m == {
        f: {int(k): v for k, v in levels.items()} for f, levels in row.parameters["m"].items()
    }


def test_a_large_import_learns_again_in_the_background(registry):
    call_command("registry", "index", stdout=io.StringIO())
    assert LearntParameters.objects.get().reason == "import"


def test_the_administrator_sees_what_the_registry_learnt_in_french(registry):
    admin = make_member(make_organisation(), Role.ADMIN)
    client = client_for(admin)
    empty = client.get("/registry/learnt/")
    assert empty.status_code == 200
    assert "n'a encore rien appris" in empty.content.decode()
    response = client.post("/registry/learnt/")
    assert response.status_code == 302
    assert LearntParameters.objects.get().reason == "page"
    page = client.get("/registry/learnt/").content.decode()
    for text in (
        "Ce que le registre a appris",
        "Doublons estimés",
        "date de naissance",
        "jour et mois inversés",
        "absent d’un des deux côtés",  # what a field's absence says, learnt too
    ):
        assert text in page
    assert "Kapwasa" not in page and "Esther" not in page  # aggregates only


@pytest.mark.parametrize(
    "role", [Role.SUPERVISOR, Role.ORG_MANAGER, Role.CASEWORKER, Role.COORDINATOR, Role.VIEWER]
)
def test_other_roles_may_not_see_or_run_the_learning(registry, role):
    member = make_member(registry.a if role != Role.COORDINATOR else make_organisation(), role)
    client = client_for(member)
    assert client.get("/registry/learnt/").status_code == 403
    assert client.post("/registry/learnt/").status_code == 403
    assert not LearntParameters.objects.exists()


def test_anonymous_is_sent_to_log_in(registry):
    response = Client().get("/registry/learnt/")
    assert response.status_code == 302
    assert not LearntParameters.objects.exists()


def test_parameters_learnt_before_the_new_name_levels_are_still_read(registry):
    """Parameters stored under the old name levels (3 exact … 0 different) are read under today's numbers:
    the search and the page keep working until the registry learns again."""
    call_command("registry", "learn", stdout=io.StringIO())
    row = LearntParameters.objects.get()
    old = {"3": 0.5, "2": 0.3, "1": 0.15, "0": 0.05}
    for kind in ("m", "u"):
        for name in ("given", "family"):
            row.parameters[kind][name] = dict(old)
    row.save(update_fields=["parameters"])
    _frame, result, _timings = find_duplicates_in_database()
    assert result.learnt.m["given"][6] == 0.5 and result.learnt.m["given"][4] == 0.15
    assert result.learnt.m["given"][0] == 0.05 and 1 in result.learnt.m["given"]
    admin = make_member(make_organisation(), Role.ADMIN)
    page = client_for(admin).get("/registry/learnt/")
    assert page.status_code == 200 and "une lettre de différence" in page.content.decode()
