"""The matcher's pipeline on synthetic registries (blocking path included) and its building blocks."""

import datetime as dt

import numpy as np

from kinga.registry.matching import Frame, clusters, find_pairs, make_record
from kinga.registry.matching.blocking import ALL_PAIRS_UP_TO, candidate_pairs
from kinga.registry.matching.normalise import deletion_variants, name_codes
from kinga.registry.synthetic import PARAMETERS, generate, true_pairs


def frame_of(records):
    return Frame.from_records(
        make_record(
            r.id,
            given_name=r.given_name,
            family_name=r.family_name,
            sex=r.sex,
            birth_date=r.birth_date,
            place=r.place,
            caregiver=r.caregiver,
        )
        for r in records
    )


def test_congolese_spelling_variants_share_a_phonetic_code():
    for a, b in [
        ("Tshibangu", "Chibangu"),
        ("Ilunga", "Ilounga"),
        ("Kabwe", "Kabue"),
        ("Kabeya", "Kabeia"),
        ("Mutombo", "Muttombo"),
    ]:
        assert name_codes(a)[1] == name_codes(b)[1]
    assert name_codes("Ilunga Mwamba") == name_codes("mwamba  ILUNGA")


def test_one_edit_apart_codes_share_a_deletion_variant():
    assert deletion_variants("kasongo") & deletion_variants("kasomgo")
    assert deletion_variants("kasongo") & deletion_variants("kasngo")
    assert not deletion_variants("kasongo") & deletion_variants("mutombo")


def test_blocked_pipeline_finds_the_generators_duplicates():
    records = generate(4000, seed=3)
    assert ALL_PAIRS_UP_TO < 4000 * 3999 // 2  # the blocking path, not the exhaustive one
    truth = true_pairs(records)
    frame = frame_of(records)
    result = find_pairs(frame)
    found = {tuple(sorted((frame.ids[a], frame.ids[b]))) for a, b in zip(result.a, result.b, strict=True)}
    tp = len(found & truth)
    assert tp / len(found) > 0.97
    assert tp / len(truth) > 0.95
    assert ((result.score >= 0.5) & (result.score <= 1)).all()
    compared = sum(len(a) for a, _ in candidate_pairs(frame))
    assert compared < 4000 * 3999 // 2 / 50  # blocking bounds the comparisons


def test_generator_is_seeded_and_duplicates_about_a_fifth_of_children():
    a, b = generate(3000, seed=7), generate(3000, seed=7)
    assert [(r.id, r.given_name, r.birth_date) for r in a] == [(r.id, r.given_name, r.birth_date) for r in b]
    children = {r.child for r in a}
    counts = np.bincount([r.child for r in a])
    duplicated = (counts >= 2).sum() / len(children)
    assert abs(duplicated - PARAMETERS["share_registered_more_than_once"]) < 0.04
    assert counts.max() <= 3


def test_clusters_join_chains_of_pairs():
    labels = clusters(5, np.array([0, 1, 3]), np.array([1, 2, 4]))
    assert labels.tolist() == [0, 0, 0, 3, 3]


def test_records_without_names_or_dates_are_harmless():
    recs = [make_record(str(i)) for i in range(5)] + [make_record("x", birth_date=dt.date(2010, 1, 1))]
    result = find_pairs(Frame.from_records(recs), threshold=0.0)
    assert ((result.score >= 0) & (result.score <= 1)).all()
