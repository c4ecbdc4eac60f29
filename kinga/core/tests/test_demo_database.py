"""The demo database of the journeys and the crawls (conftest.py: demo_database) is built once per test process
and written back before each test (kinga.core.testing: copy_tables, write_back): what a test changed, the audit
trail included, does not reach the next test, and the next record gets an id after the copied ones."""

import datetime
from collections import Counter

import pytest

from kinga.cases.models import Case, CaseStatus
from kinga.core.models import AuditEvent, Organisation, OrganisationType
from kinga.core.services.organisations import create_organisation
from kinga.core.testing import actor_of, copy_tables, write_back


def _rows(copies: list[tuple]) -> dict[str, Counter]:
    """Each table's rows, in any order (PostgreSQL keeps a table's rows where its free space is)."""
    return {
        table: Counter(content[0].split(b"\n")) if len(content) == 1 else Counter(content[1])
        for table, *content in copies
    }


@pytest.mark.django_db(transaction=True)
def test_the_demo_data_comes_back_as_built_whatever_a_test_changed(demo_database):
    copies = copy_tables()
    as_built = _rows(copies)
    assert {"core_membership", "cases_case", "core_auditevent", "core_place"} <= set(as_built)
    admin = demo_database("admin")
    last = Organisation.objects.order_by("-pk").values_list("pk", flat=True).first()
    audited = AuditEvent.objects.count()
    case = Case.objects.exclude(status=CaseStatus.CLOSED).order_by("pk").first()
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED, closure_reason="exit_achieved", closed_on=datetime.date(2026, 3, 2)
    )
    create_organisation(
        actor=actor_of(admin), name="Organisation écrite par un test", type=OrganisationType.NGO
    )
    assert AuditEvent.objects.count() > audited
    assert _rows(copy_tables()) != as_built

    write_back(copies)

    assert _rows(copy_tables()) == as_built
    case.refresh_from_db()
    assert case.status != CaseStatus.CLOSED
    assert AuditEvent.objects.count() == audited
    # A record written after the write-back gets an id after every copied one (the sequences follow the rows).
    again = create_organisation(
        actor=actor_of(admin), name="Organisation écrite par un test", type=OrganisationType.NGO
    )
    assert again.pk > last
