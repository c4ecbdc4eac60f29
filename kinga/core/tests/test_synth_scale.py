"""The synth's bulk paths: COPY inserts (every backend) and the national-scale SQL multiplication (PostgreSQL)."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum

from kinga.cases import selectors as case_selectors
from kinga.cases.models import Case, CaseNumberCounter, Child, ChildNameIndex, FollowUp
from kinga.core import crypto, tallies
from kinga.core.synth_clone import CloneSpec, check_unique, clone_all
from kinga.core.synth_insert import insert
from kinga.core.testing import assert_not_stored_in_clear
from kinga.households.models import Household, HouseholdMember, RoundTotals, Survey

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only: national scale is built on PostgreSQL"
)


def test_insert_gives_ids_and_encrypts_identities():
    children = [
        Child(given_name="Mwamini", family_name="Kyabutwa", sex="F", date_of_birth=datetime.date(2012, 3, 1)),
        Child(given_name="Kalenga", family_name="Kyabutwa", sex="M", date_of_birth=datetime.date(2011, 5, 2)),
    ]
    insert(Child, children)
    assert all(child.pk for child in children)
    stored = {c.pk: c.given_name for c in Child.objects.all()}
    assert stored == {children[0].pk: "Mwamini", children[1].pk: "Kalenga"}
    assert Child.objects.get(pk=children[0].pk).created_at is not None
    assert_not_stored_in_clear("Kyabutwa")


def test_insert_ignore_conflicts_skips_duplicates():
    child = insert(Child, [Child(given_name="A", family_name="B", sex="F")])[0]
    digest = crypto.name_digests("Banza")[0]
    rows = [ChildNameIndex(child_id=child.pk, kind=digest[0], digest=digest[1]) for _ in range(3)]
    insert(ChildNameIndex, rows, ignore_conflicts=True)
    assert ChildNameIndex.objects.filter(child=child).count() == 1


def test_a_unique_column_without_a_copy_expression_is_refused():
    with pytest.raises(ValueError, match="number"):
        check_unique(CloneSpec(model=Case), {"cases_case", "cases_child"})


@postgres_only
def test_clones_are_whole_consistent_copies(reference_places):
    call_command("synth", "--scale", "demo", "--seed", "3")
    children, cases, follow_ups = Child.objects.count(), Case.objects.count(), FollowUp.objects.count()
    households, surveys = Household.objects.count(), Survey.objects.count()
    stride = Child.objects.order_by("-pk").values_list("pk", flat=True).first()
    base_number = max(int(n.rsplit("-", 1)[1]) for n in Case.objects.values_list("number", flat=True))

    clone_all(12, lambda _message: None)  # past 10 copies: case numbers reach seven digits
    tallies.rebuild()  # copies in bulk, past the model signals: the caller rebuilds, as `kinga synth` does

    assert Child.objects.count() == 12 * children
    assert Case.objects.count() == 12 * cases
    assert FollowUp.objects.count() == 12 * follow_ups
    assert Household.objects.count() == 12 * households
    # The copies' surveys count in the round totals the outcome pages read.
    assert RoundTotals.objects.aggregate(n=Sum("households"))["n"] == 12 * surveys == Survey.objects.count()
    # Copy k of a case points at copy k of its child: every child still has exactly its own cases.
    assert Case.objects.values("child_id").distinct().count() == Child.objects.count()
    assert Case.objects.values("uuid").distinct().count() == Case.objects.count()
    # Members linked to a child's case point into their own copy.
    linked = HouseholdMember.objects.filter(child_case__isnull=False).select_related(
        "child_case", "household"
    )
    for member in linked[:50]:
        assert member.child_case.child_id is not None
    # Copies decrypt and are found through the blind index like the originals.
    original = Child.objects.order_by("pk").first()
    copies = Child.objects.filter(pk__in=[original.pk + k * stride for k in range(12)])
    assert {(c.given_name, c.family_name) for c in copies} == {(original.given_name, original.family_name)}
    found = case_selectors.search(Case.objects.all(), f"{original.given_name} {original.family_name}")
    assert found.filter(child__in=copies).count() == 12
    # The next registration's number cannot collide with a copy's.
    assert min(CaseNumberCounter.objects.values_list("last_value", flat=True)) > 11 * 100000 + base_number - 1
