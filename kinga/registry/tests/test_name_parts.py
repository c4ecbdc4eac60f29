"""Name parts in the registry's stored profiles (issue 17): a name written as an initial, or with a part more or
less, is compared at registration and by the registry-wide search as the file matcher compares it."""

import datetime

import pytest

from kinga.cases import services as case_services
from kinga.core.testing import actor_of
from kinga.registry import selectors, services, suggestions
from kinga.registry.matching import Frame, scoring
from kinga.registry.matching.normalise import make_record
from kinga.registry.models import CandidatePair, MatchProfile, PairSource
from kinga.registry.profiles import NAME_PART_COLUMNS, fill_name_parts, profile_values

from .conftest import register

BORN = datetime.date(2012, 9, 14)
FIRST = {
    "given_name": "Jean Pierre",
    "family_name": "Mwamba",
    "sex": "M",
    "date_of_birth": BORN,
    "caregivers": [{"name": "Mama Ngalula Mwamba", "relationship": "mère"}],
}


@pytest.fixture
def registered(ngos):
    case = register(ngos, ngos.worker_a, **FIRST)
    # others in the registry, so that the search has more than the pair to look at
    for given, family, born in (
        ("Grâce", "Mbuyu", datetime.date(2010, 1, 2)),
        ("Patrick", "Mwamba", datetime.date(2009, 6, 3)),
        ("Jeanne", "Kalenga", datetime.date(2012, 9, 14)),
    ):
        register(ngos, ngos.worker_a, given_name=given, family_name=family, sex="M", date_of_birth=born)
    return ngos, case


def _levels_in_file(first: dict, second: dict) -> dict[str, str]:
    """How the file matcher (kinga registry match --csv) compares the same two identities."""

    def record(i, identity):
        return make_record(
            str(i),
            given_name=identity["given_name"],
            family_name=identity["family_name"],
            sex=identity["sex"],
            birth_date=identity.get("date_of_birth"),
            caregiver=identity["caregivers"][0]["name"] if identity.get("caregivers") else "",
        )

    return scoring.explain(Frame.from_records([record(0, first), record(1, second)]), 0, 1)


@pytest.mark.parametrize(
    ("given_name", "level", "date_of_birth"),
    [
        ("J.", "initial", BORN),  # found by the family name and the birth date
        ("Jean", "part_in_common", None),  # no date: found by the name's part alone
        ("Jean Pierre Paul", "part_in_common", None),
        ("Jea", "written_short", BORN),
    ],
)
def test_registration_suggests_and_the_batch_search_finds_a_name_written_otherwise(
    registered, given_name, level, date_of_birth
):
    ngos, case = registered
    second = {**FIRST, "given_name": given_name, "date_of_birth": date_of_birth}
    assert _levels_in_file(FIRST, second)["given_name"] == level

    found = suggestions.suggest(actor=actor_of(ngos.worker_b), **second)
    assert [m.child_id for m in found] == [case.child_id]
    assert found[0].levels["given_name"] == level
    assert found[0].score >= 0.5

    other = register(ngos, ngos.worker_b, **second)
    pair = CandidatePair.objects.get()
    assert {pair.child_a_id, pair.child_b_id} == {case.child_id, other.child_id}
    assert pair.source == PairSource.REGISTRATION

    CandidatePair.objects.all().delete()
    assert services.fill_review_queue(actor=actor_of(ngos.sup_a))["added"] == 1
    pair = CandidatePair.objects.get()
    assert pair.source == PairSource.BATCH and pair.score >= 0.5
    assert selectors.explain_pair(pair)["given_name"] == level


def test_without_the_name_parts_the_same_pair_is_not_suggested(registered):
    """The levels above come from the stored name parts: a profile without them (as before the migration
    filled them) compares the two given names as different."""
    ngos, _case = registered
    MatchProfile.objects.update(**{c: None for c in NAME_PART_COLUMNS if not c.endswith("_len")})
    second = {**FIRST, "given_name": "Jean", "date_of_birth": None}
    assert [m.child_id for m in suggestions.suggest(actor=actor_of(ngos.worker_b), **second)] == []


def test_the_backfill_computes_the_stored_profiles_name_parts(registered):
    """The migration's backfill (kinga.registry.profiles.fill_name_parts) gives every stored profile the parts
    a newly saved profile gets."""
    _ngos, case = registered
    expected = {p.child_id: {c: getattr(p, c) for c in NAME_PART_COLUMNS} for p in MatchProfile.objects.all()}
    MatchProfile.objects.update(**{c: None if not c.endswith("_len") else 0 for c in NAME_PART_COLUMNS})
    assert fill_name_parts(batch_size=2) == len(expected)
    assert {
        p.child_id: {c: getattr(p, c) for c in NAME_PART_COLUMNS} for p in MatchProfile.objects.all()
    } == expected
    mine = expected[case.child_id]
    assert mine["given_part2"] is not None and mine["family_part2"] is None and mine["given_lead_len"] == 4


def test_a_corrected_name_refreshes_its_parts(registered):
    ngos, case = registered
    case_services.update_child(actor=actor_of(ngos.worker_a), case=case, given_name="Dieudonné")
    stored = MatchProfile.objects.get(child_id=case.child_id)
    values, _variants = profile_values(given_name="Dieudonné", family_name="Mwamba")
    assert stored.given_part1 == values["given_part1"] and stored.given_part2 is None
    assert stored.given_lead6 == values["given_lead6"] and stored.given_lead_len == 7
