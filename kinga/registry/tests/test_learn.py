"""The matcher learns each registry's errors: m by EM on its blocked pairs, today's constants as the prior
(issue 17, point 3)."""

from dataclasses import replace

import numpy as np

from kinga.registry.matching import Frame, find_pairs, make_record, scoring
from kinga.registry.matching.blocking import candidate_codes
from kinga.registry.matching.learn import Learnt, learn, prior_m
from kinga.registry.synthetic import generate, true_pairs


def frame_of(records, *, blank=()):
    return Frame.from_records(
        make_record(
            r.id,
            given_name=r.given_name,
            family_name=r.family_name,
            sex="" if "sex" in blank else r.sex,
            birth_date=r.birth_date,
            place=r.place,
            caregiver="" if "caregiver" in blank else r.caregiver,
        )
        for r in records
    )


def test_em_learns_the_generators_errors_from_unlabelled_pairs():
    records = generate(20_000, seed=3)
    frame = frame_of(records)
    learnt = learn(frame, candidate_codes(frame))
    assert learnt.converged
    # the generator copies the caregiver and the sex unchanged onto every duplicate: the registry learns it
    assert learnt.m["caregiver"][2] > 0.95 > scoring.M_CARER[2]
    assert learnt.m["sex"][1] > 0.99
    # about 15 % of its duplicates have the birth year one off (and 20 % no date at all)
    assert 0.1 < learnt.m["date"][7] < 0.25
    # the estimated share of duplicates among all pairs is close to the truth
    truth = len(true_pairs(records)) / (len(frame) * (len(frame) - 1) / 2)
    assert 0.7 < learnt.match_share / truth < 1.3


def test_learning_keeps_the_prior_on_a_tiny_file():
    recs = [
        make_record("a", given_name="Esther", family_name="Kapwasa", sex="F", birth_date="2012-03-05"),
        make_record("b", given_name="Esther", family_name="Kapwasa", sex="F", birth_date="2012-03-05"),
        make_record("c", given_name="Paul", family_name="Mbuyi", sex="M", birth_date="2010-01-01"),
    ]
    frame = Frame.from_records(recs)
    learnt = learn(frame, candidate_codes(frame))
    prior = prior_m()
    for field, levels in learnt.m.items():
        for level, value in levels.items():
            # a field's absence starts as saying nothing: its m at the share of random pairs missing it
            expected = learnt.u[field][-1] if level == -1 else prior[field][level]
            assert abs(value - expected) < 0.02, (field, level)


def _missing_date_weight(learnt: Learnt) -> float:
    return float(np.log2(learnt.m["date"][-1] / learnt.u["date"][-1]))


def test_a_missing_birth_date_is_learnt_as_evidence_only_where_copies_lose_it():
    """The field generator's copies lose their birth date (20 %) while first records keep it: a date
    missing on one side is then more common among one child's records than among any two, and EM measures
    it. Where every organisation leaves dates out alike (the same records, a date blanked at random), the
    absence says next to nothing."""
    records = generate(20_000, seed=4)
    frame = frame_of(records)
    informative = learn(frame, candidate_codes(frame))
    assert _missing_date_weight(informative) > 1.0
    # every record of a child given the date its first record holds, then a fifth of all records blanked
    first_date = {}
    for r in records:
        first_date.setdefault(r.child, r.birth_date)
    rng = np.random.default_rng(3)
    at_random = frame_of(
        [replace(r, birth_date=None if rng.random() < 0.2 else first_date[r.child]) for r in records]
    )
    learnt = learn(at_random, candidate_codes(at_random))
    assert abs(_missing_date_weight(learnt)) < 0.5


def test_learnt_parameters_survive_their_json_and_raise_f1_on_data_the_constants_were_not_tuned_for():
    """Sex and caregiver blanked: the constants' weights no longer fit; learnt ones do at least as well."""
    records = generate(20_000, seed=4)
    truth = true_pairs(records)
    frame = frame_of(records, blank=("sex", "caregiver"))

    def f1(result):
        found = {tuple(sorted((frame.ids[a], frame.ids[b]))) for a, b in zip(result.a, result.b, strict=True)}
        tp = len(found & truth)
        return 2 * tp / (len(found) + len(truth))

    fixed = find_pairs(frame)
    learnt = find_pairs(frame, learnt=True)
    assert f1(learnt) >= f1(fixed)
    again = Learnt.from_json(learnt.learnt.as_json())
    assert again.m == learnt.learnt.m
    reused = find_pairs(frame, learnt=again)
    assert np.array_equal(reused.a, learnt.a) and np.array_equal(reused.b, learnt.b)
