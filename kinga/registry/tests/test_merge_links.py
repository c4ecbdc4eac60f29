"""Merging two records of one child moves everything that follows the child, and unmerging puts back
exactly what the merge moved: the cases, and through them the alert that led to a case and the household
member linked to it."""

import datetime

from django.apps import apps

from kinga.cases.models import Case, Child
from kinga.community.models import Alert, AlertCase
from kinga.core import plugins
from kinga.core.testing import actor_of
from kinga.households.models import HouseholdMember
from kinga.households.tests.factories import make_household
from kinga.registry import services
from kinga.registry.models import CandidatePair, Merge

from .conftest import register
from .test_registry import CHILD_A, CHILD_B

# Records about the child record itself, not about the child: they stay with the record they describe.
CHILD_RECORDS = {
    "cases.ChildNameIndex.child",  # blind index of this record's names, rebuilt from its fields
    "registry.MatchProfile.child",  # matching codes of this record (deactivated while absorbed)
    "registry.CandidatePair.child_a",
    "registry.CandidatePair.child_b",
    "registry.Merge.survivor",
    "registry.Merge.absorbed",
}


def _links_to_child() -> set[str]:
    return {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is Child
    }


def test_every_foreign_key_to_a_child_is_declared_as_following_it_or_as_the_records_own():
    """A new model pointing at cases.Child must say whether a merge moves it (plugins.register_child_link)
    or add itself here with the reason it stays with its record."""
    registered = {f"{link.model}.{link.field}" for link in plugins.child_links()}
    assert "cases.Case.child" in registered
    assert _links_to_child() - CHILD_RECORDS == registered


def _merged(ngos):
    case_a = register(ngos, ngos.worker_a, **CHILD_A)
    case_b = register(ngos, ngos.worker_b, **CHILD_B)
    household = make_household(actor_of(ngos.worker_b), ngos.kolwezi)
    member = HouseholdMember.objects.create(
        household=household,
        full_name="Kasomgo Trésor",
        relationship="child",
        sex="M",
        birth_date=datetime.date(2014, 5, 4),
        child_case=case_b,
    )
    alert_link = AlertCase.objects.create(alert=Alert.objects.create(channel="phone"), case=case_b)
    pair = CandidatePair.objects.get()
    services.confirm_pair(actor=actor_of(ngos.sup_b), pair=pair)
    merge = services.confirm_pair(actor=actor_of(ngos.sup_a), pair=pair)
    return merge, case_a, case_b, member, alert_link


def test_merge_moves_the_cases_and_what_hangs_on_them_and_unmerge_restores_them_exactly(ngos):
    merge, case_a, case_b, member, alert_link = _merged(ngos)
    survivor, absorbed = merge.survivor_id, merge.absorbed_id
    assert {survivor, absorbed} == {case_a.child_id, case_b.child_id}
    moved = case_b if case_b.child_id == absorbed else case_a

    assert set(Case.objects.filter(pk__in=[case_a.pk, case_b.pk]).values_list("child_id", flat=True)) == {
        survivor
    }
    assert merge.moved_case_ids == [moved.pk]
    assert merge.survivor_before[services.LINKS_KEY] == {"cases.Case.child": [moved.pk]}
    assert not Case.objects.filter(child_id=absorbed).exists()
    member.refresh_from_db()
    alert_link.refresh_from_db()
    assert member.child_case.child_id == survivor and alert_link.case.child_id == survivor

    services.unmerge(actor=actor_of(ngos.sup_a), merge=merge)
    assert Case.objects.get(pk=case_a.pk).child_id == case_a.child_id
    assert Case.objects.get(pk=case_b.pk).child_id == case_b.child_id
    assert list(Case.objects.filter(child_id=absorbed).values_list("pk", flat=True)) == [moved.pk]
    member.refresh_from_db()
    alert_link.refresh_from_db()
    assert member.child_case_id == case_b.pk and member.child_case.child_id == case_b.child_id
    assert alert_link.case_id == case_b.pk and alert_link.case.child_id == case_b.child_id


def test_unmerge_moves_back_only_what_the_merge_moved(ngos):
    merge, case_a, case_b, *_ = _merged(ngos)
    survivor_case = case_a if case_a.child_id == merge.survivor_id else case_b
    moved_case = case_b if survivor_case is case_a else case_a
    # a case of another child, attached to the survivor after the merge (e.g. a later correction),
    # is not the merge's to take back
    other = register(ngos, ngos.worker_a, given_name="Grâce", family_name="Mbuyu", sex="F", estimated_age=12)
    Case.objects.filter(pk=other.pk).update(child_id=merge.survivor_id)

    services.unmerge(actor=actor_of(ngos.sup_a), merge=merge)
    assert set(Case.objects.filter(child_id=merge.survivor_id).values_list("pk", flat=True)) == {
        survivor_case.pk,
        other.pk,
    }
    assert set(Case.objects.filter(child_id=merge.absorbed_id).values_list("pk", flat=True)) == {
        moved_case.pk
    }


def test_a_merge_recorded_before_child_links_existed_is_undone_from_its_case_list(ngos):
    merge, case_a, case_b, *_ = _merged(ngos)
    legacy = {k: v for k, v in merge.survivor_before.items() if k != services.LINKS_KEY}
    Merge.objects.filter(pk=merge.pk).update(survivor_before=legacy)

    services.unmerge(actor=actor_of(ngos.sup_a), merge=Merge.objects.get(pk=merge.pk))
    assert Case.objects.get(pk=case_a.pk).child_id == case_a.child_id
    assert Case.objects.get(pk=case_b.pk).child_id == case_b.child_id
