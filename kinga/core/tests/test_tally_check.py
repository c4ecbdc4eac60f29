"""The suite's after-test tally check (kinga.core.testing_tallies) recomputes only the tallies a test could have
changed — and still finds a write that went past the model signals."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from kinga.cases.models import Case
from kinga.core import tallies, testing_tallies
from kinga.core.models import Tally


@pytest.fixture
def demo(reference_places):
    call_command("synth", scale="demo", seed=7, stdout=io.StringIO())


@pytest.mark.no_tally_check
def test_a_write_past_the_signals_is_found_among_the_tallies_checked(demo):
    testing_tallies.differences(None)  # every tally once: the tables each computation reads are known
    case = Case.objects.order_by("pk").first()
    with testing_tallies.recording_writes() as writes:
        Case.objects.filter(pk=case.pk).update(
            identification_date=case.identification_date.replace(year=2019)
        )
    assert Case._meta.db_table in writes.tables and not writes.unknown
    checked = testing_tallies.to_check(writes)
    assert "CASES_CHILDREN_IDENTIFIED" in checked
    assert len(checked) < len(tallies.flows())  # the tallies of other records are not recomputed
    assert "CASES_CHILDREN_IDENTIFIED" in testing_tallies.differences(writes)


@pytest.mark.no_tally_check
def test_raw_sql_and_writes_to_the_tallies_themselves_are_seen(demo):
    testing_tallies.differences(None)
    table = Case._meta.db_table
    with testing_tallies.recording_writes() as writes, connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET identification_date = %s WHERE id = %s', ["2019-01-01", 1])
    assert table in writes.tables
    with testing_tallies.recording_writes() as writes:
        Tally.objects.filter(pk=Tally.objects.first().pk).update(value=10**6)
    assert testing_tallies.to_check(writes) == list(tallies.flows())
    assert testing_tallies.differences(writes)


def test_a_statement_not_recognised_checks_every_tally():
    writes = testing_tallies.Writes()
    writes.note("SELECT 1")
    writes.note('WITH x AS (SELECT 1) UPDATE "cases_case" SET status = 1')
    assert writes.tables == {"cases_case"} and not writes.unknown
    writes.note("TRUNCATE cases_case")
    assert writes.unknown and testing_tallies.to_check(writes) == list(tallies.flows())


@pytest.mark.no_tally_check
def test_rows_given_as_an_iterator_reach_the_database(db):
    """The recorder reads the parameters of a write to the tallies (their codes): rows given as an iterator are
    read once, and still written."""
    tally = Tally._meta.db_table
    insert = (
        f'INSERT INTO "{tally}" (code, territory, sex, age_band, value, day) VALUES (%s, %s, %s, %s, %s, %s)'
    )
    with testing_tallies.recording_writes() as writes, connection.cursor() as cursor:
        cursor.executemany(
            insert, (row for row in [("CASES_CHILDREN_IDENTIFIED", "", "", "", 1, "2026-01-05")])
        )
    assert writes.codes == {"CASES_CHILDREN_IDENTIFIED"}
    assert Tally.objects.filter(code="CASES_CHILDREN_IDENTIFIED").count() == 1
