"""Test data built once per process and written back (kinga.core.testing_snapshots): the rows written back are
those the builder wrote, and the builder runs again wherever the database is not as it found it."""

import uuid

import pytest
from django.db import transaction

from kinga.core.models import Organisation, User
from kinga.core.testing import make_organisation
from kinga.core.testing_snapshots import replayed

pytestmark = pytest.mark.django_db


class Builder:
    def __init__(self):
        self.runs = 0

    def __call__(self):
        self.runs += 1
        made = [make_organisation() for _ in range(3)]
        made[0].name = "Renamed after its insert"
        made[0].save(update_fields=["name"])
        return made[0].pk


def _rows():
    return list(Organisation.objects.order_by("pk").values_list("pk", "name", "acronym", "uuid"))


def _in_a_rolled_back_transaction(function):
    with transaction.atomic():
        result = function()
        transaction.set_rollback(True)
    return result


def test_the_rows_written_back_are_those_the_builder_wrote():
    key, build = f"test-{uuid.uuid4()}", Builder()
    first = _in_a_rolled_back_transaction(lambda: (replayed(key, build), _rows()))
    assert _rows() == []
    again = replayed(key, build)
    assert build.runs == 1 and (again, _rows()) == first
    assert Organisation.objects.get(pk=again).name == "Renamed after its insert"
    made_after = make_organisation()  # the next id follows the rows written back
    assert made_after.pk > max(pk for pk, *_ in first[1])


def test_on_another_database_the_builder_runs_again():
    key, build = f"test-{uuid.uuid4()}", Builder()
    _in_a_rolled_back_transaction(lambda: replayed(key, build))
    make_organisation("Already there")
    replayed(key, build)
    assert build.runs == 2 and Organisation.objects.count() == 4


def test_each_starting_state_gets_its_own_copy_and_a_state_met_again_is_replayed():
    # As in a test process: a transactional test moves the database to another state between two runs of tests.
    key, build = f"test-{uuid.uuid4()}", Builder()
    first = _in_a_rolled_back_transaction(lambda: (replayed(key, build), _rows()))
    other = make_organisation("Another starting state")
    _in_a_rolled_back_transaction(lambda: replayed(key, build))
    assert build.runs == 2
    on_the_other = _in_a_rolled_back_transaction(lambda: (replayed(key, build), _rows()))
    assert build.runs == 2 and other.pk in [pk for pk, *_ in on_the_other[1]]
    Organisation.objects.filter(pk=other.pk).delete()
    assert (replayed(key, build), _rows()) == first and build.runs == 2


def test_rows_of_tables_the_builder_neither_read_wrote_nor_pointed_to_do_not_matter():
    key, build = f"test-{uuid.uuid4()}", Builder()
    first = _in_a_rolled_back_transaction(lambda: (replayed(key, build), _rows()))
    User.objects.create_user(email=f"{uuid.uuid4()}@test.kinga.cd", password="x")  # a test's own account
    assert (replayed(key, build), _rows()) == first and build.runs == 1


def test_a_builder_that_deletes_rows_it_did_not_write_is_not_replayed():
    existing = make_organisation("Deleted by the builder")

    def build():
        Organisation.objects.filter(pk=existing.pk).delete()
        return make_organisation().pk

    key = f"test-{uuid.uuid4()}"
    _in_a_rolled_back_transaction(lambda: replayed(key, build))
    replayed(key, build)
    assert not Organisation.objects.filter(pk=existing.pk).exists()
