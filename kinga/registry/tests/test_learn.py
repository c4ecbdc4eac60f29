"""The matcher learns each registry's errors: m by EM on its blocked pairs, today's constants as the prior
(issue 17, point 3)."""

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
            assert abs(value - prior[field][level]) < 0.02, (field, level)


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
