"""The matcher's pipeline on synthetic registries (blocking path included) and its building blocks."""

import datetime as dt

import numpy as np
import pytest

from kinga.registry.matching import Frame, clusters, find_pairs, learn, make_record, scoring
from kinga.registry.matching.blocking import ALL_PAIRS_UP_TO, candidate_codes, candidate_pairs
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


def _with_background(extra, size=3000, seed=11):
    """A frame large enough for the blocking path: generated records, then the crafted ones."""
    records = [
        make_record(
            r.id,
            given_name=r.given_name,
            family_name=r.family_name,
            sex=r.sex,
            birth_date=r.birth_date,
            place=r.place,
            caregiver=r.caregiver,
        )
        for r in generate(size, seed=seed)
    ]
    frame = Frame.from_records(records + extra)
    ids = list(frame.ids)
    return frame, {rid: ids.index(rid) for rid in ("x1", "x2", "x3", "x4") if rid in ids}


def test_caregiver_blocks_catch_a_far_misspelt_name_without_birth_date():
    # family names two letters apart and no birth date: no name block and no date block holds both;
    # the shared given name and caregiver does
    extra = [
        make_record("x1", given_name="Esther", family_name="Kapwasa", sex="F", caregiver="Odile Ngoie"),
        make_record("x2", given_name="Esther", family_name="Kapuasha", sex="F", caregiver="Odile Ngoie"),
    ]
    frame, at = _with_background(extra)
    pairs = {(min(a, b), max(a, b)) for ca, cb in candidate_pairs(frame) for a, b in zip(ca, cb, strict=True)}
    assert (min(at["x1"], at["x2"]), max(at["x1"], at["x2"])) in pairs
    result = find_pairs(frame)
    found = {frozenset((frame.ids[a], frame.ids[b])) for a, b in zip(result.a, result.b, strict=True)}
    assert frozenset(("x1", "x2")) in found


def test_a_caregiver_carrying_the_childs_family_name_weighs_less():
    common = [r for r in generate(3000, seed=11)]
    family = max({r.family_name for r in common}, key=[r.family_name for r in common].count)
    born = dt.date(2012, 3, 4)

    def child(rid, carer):
        return make_record(
            rid, given_name="Esther", family_name=family, sex="F", birth_date=born, caregiver=carer
        )

    extra = [
        child("x1", f"Odile {family}"),
        child("x2", f"Odile {family}"),
        child("x3", "Odile Nkulu"),
        child("x4", "Odile Nkulu"),
    ]
    frame, at = _with_background(extra)
    model = scoring.fit(frame)
    a = np.array([at["x1"], at["x3"]])
    b = np.array([at["x2"], at["x4"]])
    carer_weight = scoring.carer_weight(frame, model, a, b)
    # the family name already said "Odile <family>" was likely; "Odile Nkulu" is rarer among them
    assert carer_weight[0] < carer_weight[1]
    assert (carer_weight > 0).all()


def test_a_pairs_own_records_do_not_make_its_caregiver_common():
    def pair(carer, copies):
        extra = [
            make_record(f"x{i + 1}", given_name="Esther", family_name="Kapwasa", caregiver=carer)
            for i in range(2)
        ] + [
            make_record(f"y{i}", given_name="Jean", family_name="Mbuyi", caregiver=carer)
            for i in range(copies)
        ]
        frame, at = _with_background(extra)
        model = scoring.fit(frame)
        return scoring.carer_weight(frame, model, np.array([at["x1"]]), np.array([at["x2"]]))[0]

    shared_by_the_pair_only = pair("Odile Ngoie", 0)
    shared_by_ten_more = pair("Odile Ngoie", 10)
    assert shared_by_the_pair_only > shared_by_ten_more
    # two records sharing a caregiver no one else has: the typical rare caregiver's weight
    assert shared_by_the_pair_only == np.float32(
        np.log2(
            scoring.M_CARER[2]
            * (3002 + scoring.TF_PRIOR_RECORDS)
            / (scoring.TF_PRIOR_RECORDS * scoring.CARER_TYPICAL)
        )
    )


COMMON = dict(given_name="Esther", family_name="Kapwasa", sex="F", place="Kanina")


def _crowd(count=150):
    """Records sharing the child's names and place, born on other days, with other caregivers: blocks on the
    names (or a name and the place) larger than BLOCK_CAP, compared only within ±2 birth years."""
    return [
        make_record(
            f"c{i}",
            **(
                COMMON
                | {"birth_date": dt.date(2008 + i % 14, 1 + i % 12, 1 + i % 28), "caregiver": f"Jean K{i}"}
            ),
        )
        for i in range(count)
    ]


@pytest.mark.parametrize(
    "spoilt",
    [
        {"given_name": "Zawadi"},  # a nickname: no edit relates it to the name
        {"family_name": "Zawadi"},
        {"birth_date": dt.date(2002, 3, 5)},  # ten years off
        {"birth_date": dt.date(2021, 5, 3)},  # year off and day/month swapped
        {"place": "Kisanfu"},
        {"caregiver": "Mama Nzuzi"},
        {"given_name": "Zawadi", "family_name": "Zola"},  # both names: the date alone holds them
    ],
    ids=["given", "family", "year", "date", "place", "caregiver", "both_names"],
)
def test_a_pair_with_one_spoilt_field_is_compared(spoilt):
    """Blocking tolerates any one wrong field (issue 17): each pass leans on different fields."""
    child = COMMON | {"birth_date": dt.date(2012, 3, 5), "caregiver": "Odile Ngoie"}
    extra = [make_record("x1", **child), make_record("x2", **(child | spoilt))]
    frame, at = _with_background(_crowd() + extra)
    assert len(frame) * (len(frame) - 1) // 2 > ALL_PAIRS_UP_TO
    pairs = {(min(a, b), max(a, b)) for ca, cb in candidate_pairs(frame) for a, b in zip(ca, cb, strict=True)}
    assert (min(at["x1"], at["x2"]), max(at["x1"], at["x2"])) in pairs


def test_blocks_are_bounded_by_the_keys_frequency():
    """A block larger than BLOCK_CAP is joined on birth years: with the year ten off AND place and caregiver
    different (two fields wrong), a pair of common names is not compared; its crowd is not compared whole."""
    child = COMMON | {"birth_date": dt.date(2012, 3, 5), "caregiver": ""}
    extra = [
        make_record("x1", **child),
        make_record("x2", **(child | {"place": "Kisanfu", "birth_date": dt.date(2002, 7, 9)})),
    ]
    crowd = _crowd()
    frame, at = _with_background(crowd + extra)
    pairs = {(min(a, b), max(a, b)) for ca, cb in candidate_pairs(frame) for a, b in zip(ca, cb, strict=True)}
    assert (min(at["x1"], at["x2"]), max(at["x1"], at["x2"])) not in pairs
    ids = list(frame.ids)
    crowd_rows = {ids.index(r.id) for r in crowd}
    within = sum(a in crowd_rows and b in crowd_rows for a, b in pairs)
    assert within < len(crowd) * (len(crowd) - 1) // 2 / 2


@pytest.mark.parametrize(
    ("first", "second", "level"),
    [
        ("2012-03-05", "2012-03-05", "exact"),
        ("2012-03-05", "05/03/2012", "exact"),
        ("2012-03-05", "2012-05-03", "day_month_swapped"),
        ("2012-03-05", "2013-03-05", "year_off_by_one"),
        ("2012-03-05", "2021-03-05", "year_typo"),  # digits transposed
        ("2014-03-05", "2004-03-05", "year_typo"),  # one digit off
        ("2010-03-05", "2016-03-05", "year_typo"),
        ("2012-03-12", "2012-03-21", "day_typo"),
        ("2012-03-05", "2012-03-15", "day_typo"),
        ("2012-02-30", "2012-02-28", "same_month"),  # impossible date: compared by its parts
        ("2012-03-32", "2012-03-05", "same_month"),
        ("2012-03-05", "2012-07-20", "same_year"),
        ("2012-03-05", "2012", "estimated_same_year"),  # the year alone: the day is missing
        ("2012-03-05", "2013-07-20", "within_1_year"),
        ("2012-13-05", "2014-03-05", "estimated_within_2_years"),  # month 13: the year still counts
        ("2012-03-05", "2019-08-09", "different"),
        ("2012-03-05", "", "missing"),
    ],
)
def test_birth_date_levels_know_the_typical_errors(first, second, level):
    frame = Frame.from_records([make_record("a", birth_date=first), make_record("b", birth_date=second)])
    assert scoring.explain(frame, 0, 1)["birth_date"] == level


@pytest.mark.parametrize(
    ("age", "born", "level"),
    [
        (10, "2015-05-04", "estimated_within_1_year"),
        (10, "2016-05-04", "estimated_same_year"),
        (12, "", "missing"),
    ],
)
def test_a_date_estimated_from_an_age_has_levels_of_its_own(age, born, level):
    """An age gives the birth year within one: two records a year apart are what one child's estimate and date
    look like, unlike two full dates a year apart on different days (their own m and u, learnt apart)."""
    frame = Frame.from_records(
        [make_record("a", age=age, reference_year=2026), make_record("b", birth_date=born)]
    )
    assert scoring.explain(frame, 0, 1)["birth_date"] == level


def test_parameters_learnt_before_the_estimated_date_levels_are_read_at_their_prior():
    old = learn.Learnt(
        m=learn.prior_m(), u=learn.PRIOR_U, match_share=0.01, pairs=1, records=2, iterations=1, converged=True
    ).as_json()
    for kind in ("m", "u"):
        for level in ("10", "11", "12"):
            del old[kind]["date"][level]
    read = learn.Learnt.from_json(old)
    assert read.m["date"][11] == scoring.M_DATE[11] and read.u["date"][12] == scoring.U_DATE[12]


def test_a_year_typo_costs_weight_but_leaves_the_pair_alike():
    """Two records of one child with the year mistyped weigh less than with the same date, and more than two
    records born years apart (issue 17, point 2)."""
    child = dict(given_name="Esther", family_name="Kapwasa", sex="F", place="Kanina", caregiver="Odile Ngoie")
    dates = ["2012-03-05", "2012-03-05", "2021-03-05", "2017-08-09"]
    frame, at = _with_background(
        [make_record(f"x{i + 1}", **child, birth_date=d) for i, d in enumerate(dates)]
    )
    model = scoring.fit(frame)
    w = scoring.weights(frame, model, np.array([at["x1"]] * 3), np.array([at["x2"], at["x3"], at["x4"]]))
    exact, typo, apart = w.tolist()
    assert exact > typo > apart
    assert scoring.probability(np.array([typo]), model.match_share)[0] > 0.9


@pytest.mark.parametrize(
    ("first", "second", "level"),
    [
        ("Kanina", "Village Kanina", "same"),
        ("Kanina", "Kanima", "partly"),  # a typed place one letter off
        ("Kanina", "Lkanina", "partly"),
        ("Kanina", "Musompo", "different"),
    ],
)
def test_typed_places_one_letter_apart_are_partly_the_same(first, second, level):
    frame = Frame.from_records([make_record("a", place=first), make_record("b", place=second)])
    assert scoring.explain(frame, 0, 1)["place"] == level


@pytest.mark.parametrize(
    ("first", "second", "level"),
    [
        ("Joseph", "J.", "initial"),
        ("Kabamba", "Kab", "written_short"),  # truncated
        ("Emmanuel", "Emma", "written_short"),  # a shortened form
        ("Jean Pierre", "Jean", "part_in_common"),  # a second given name dropped
        ("Jean", "Marie Jean", "part_in_common"),
        ("Joseph", "Jean", "different"),  # the same initial, both written whole
        ("J.", "Marie", "different"),
    ],
)
def test_names_written_short_or_with_a_part_more_have_their_own_levels(first, second, level):
    """Issue 17: initials, truncations and added or dropped name parts are not "another name"."""
    frame = Frame.from_records([make_record("a", given_name=first), make_record("b", given_name=second)])
    assert scoring.explain(frame, 0, 1)["given_name"] == level


def test_an_initial_weighs_less_than_the_name_and_more_than_another_name():
    child = COMMON | {"birth_date": dt.date(2012, 3, 5), "caregiver": "Odile Ngoie"}
    givens = ["Esther", "Esther", "E.", "Zawadi"]
    frame, at = _with_background(
        [make_record(f"x{i + 1}", **(child | {"given_name": g})) for i, g in enumerate(givens)]
    )
    model = scoring.fit(frame)
    w = scoring.weights(frame, model, np.array([at["x1"]] * 3), np.array([at["x2"], at["x3"], at["x4"]]))
    same, initial, other = w.tolist()
    assert same > initial > other


@pytest.mark.parametrize(
    "spoilt",
    [
        {"given_name": "E.", "family_name": "Kap"},  # both written short: the caregiver and place hold them
        {"given_name": "", "family_name": "Kapw"},
        {"given_name": "Zawadi", "family_name": "Kapwasa Mwamba"},  # a part more: its parts are names too
    ],
    ids=["initial_and_truncation", "blank_and_truncation", "part_more"],
)
def test_a_pair_with_both_names_spoilt_and_no_birth_date_is_compared(spoilt):
    child = COMMON | {"caregiver": "Odile Ngoie"}
    extra = [make_record("x1", **child), make_record("x2", **(child | spoilt))]
    frame, at = _with_background(_crowd() + extra)
    pairs = {(min(a, b), max(a, b)) for ca, cb in candidate_pairs(frame) for a, b in zip(ca, cb, strict=True)}
    assert (min(at["x1"], at["x2"]), max(at["x1"], at["x2"])) in pairs


def test_candidates_are_each_pair_once_whatever_the_passes_that_found_it():
    frame, _ = _with_background([], size=4000, seed=3)
    codes = candidate_codes(frame)
    assert len(codes) > len(frame)
    assert np.all(np.diff(codes) > 0)  # sorted, each pair once
    a, b = codes // len(frame), codes % len(frame)
    assert np.all(a < b)


def test_a_rare_misspelling_of_a_common_name_is_read_from_the_common_names_side():
    """« Kabanba » (once) against « Kabamba » (300 children), « Chibangu » (once) against « Tshibangu » (200):
    unrelated records seldom show that misspelling, so it weighs more than two records of the common name
    agreeing — read from the misspelt side, the whole common name looked like its neighbourhood and the pair
    weighed less than plain agreement."""
    givens = ["Esther", "Paul", "Marie", "Jean", "Grace", "Joseph", "Ruth", "David"]

    def child(record_id, i, family):
        return make_record(record_id, given_name=givens[i % 8], family_name=family, place="Kolwezi")

    records = [child(f"k{i}", i, "Kabamba") for i in range(300)]
    records += [child(f"s{i}", i, "Tshibangu") for i in range(200)]
    records += [child(f"o{i}", i, f"Nom{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}ba") for i in range(700)]
    records += [child("typo", 0, "Kabanba"), child("sound", 0, "Chibangu")]
    frame = Frame.from_records(records)
    model = scoring.fit(frame)
    index = {record_id: i for i, record_id in enumerate(frame.ids)}
    a = np.array([index[x] for x in ("k0", "typo", "s0", "sound")])
    b = np.array([index[x] for x in ("k8", "k0", "s8", "s0")])
    assert scoring.comparison_levels(frame, a, b)["family"].tolist() == [
        scoring.NAME_EXACT,
        scoring.NAME_ONE_EDIT,
        scoring.NAME_EXACT,
        scoring.NAME_PHONETIC,
    ]
    exact_k, typo, exact_s, sound = scoring.weights(frame, model, a, b)
    assert typo > exact_k
    assert sound > exact_s
    # the same pair weighs the same whichever record comes first
    assert scoring.weights(frame, model, b[1:2], a[1:2])[0] == typo
    assert scoring.weights(frame, model, b[3:4], a[3:4])[0] == sound
