"""The definitions every app shares: the clock, sex and age bands, coordinates, dates."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kinga.core import clock, geo, people


def test_today_is_the_local_date_of_the_province_not_utc(monkeypatch):
    # 23:30 UTC on 31 December is already 1 January in Lubumbashi (UTC+2).
    late = datetime.datetime(2025, 12, 31, 23, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(clock, "now", lambda: late)
    assert clock.today() == datetime.date(2026, 1, 1)


def test_the_today_fixture_freezes_the_clock(today):
    assert clock.today() == today.value
    today.set(datetime.date(2030, 5, 17))
    assert clock.today() == datetime.date(2030, 5, 17)


def test_now_is_timezone_aware():
    assert clock.now().tzinfo is not None


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2028, 1, 31), 1, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 11, 15), 3, datetime.date(2027, 2, 15)),
        (datetime.date(2026, 3, 15), -3, datetime.date(2025, 12, 15)),
    ],
)
def test_add_months_keeps_to_the_calendar(day, months, expected):
    assert clock.add_months(day, months) == expected


def test_months_between_counts_whole_months():
    assert clock.months_between(datetime.date(2026, 1, 15), datetime.date(2026, 4, 15)) == 3
    assert clock.months_between(datetime.date(2026, 1, 15), datetime.date(2026, 4, 14)) == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-02", datetime.date(2026, 3, 2)),
        ("2026-03-02T10:00:00Z", datetime.date(2026, 3, 2)),
        (" 02/03/2026 ", datetime.date(2026, 3, 2)),
        (datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC), datetime.date(2026, 3, 2)),
        ("", None),
        (None, None),
    ],
)
def test_parse_date_reads_iso_and_french_dates(value, expected):
    assert clock.parse_date(value) == expected


@pytest.mark.parametrize("value", ["2026-02-30", "02/03/26", "demain", "2/3", "1/2/3/2026"])
def test_parse_date_refuses_in_french_on_the_field(value):
    with translation.override("fr"), pytest.raises(ValidationError) as caught:
        clock.parse_date(value, field="visit_date")
    assert caught.value.message_dict == {
        "visit_date": ["Donnez une date au format AAAA-MM-JJ ou JJ/MM/AAAA."]
    }


def test_age_and_age_bands():
    assert people.age_on(datetime.date(2013, 5, 4), datetime.date(2026, 5, 3)) == 12
    assert people.age_on(datetime.date(2013, 5, 4), datetime.date(2026, 5, 4)) == 13
    assert people.age_on(None, datetime.date(2026, 5, 4)) is None
    assert [people.age_band(a) for a in (None, -1, 0, 4, 5, 11, 12, 14, 15, 17, 18)] == [
        "", "", "0-4", "0-4", "5-11", "5-11", "12-14", "12-14", "15-17", "15-17", "18+",
    ]  # fmt: skip
    assert people.AGE_BANDS == ("0-4", "5-11", "12-14", "15-17")


def test_sex_is_stored_as_one_letter_and_shown_in_french():
    assert people.Sex.values == ["F", "M"]
    with translation.override("fr"):
        assert [str(label) for label in people.Sex.labels] == ["Féminin", "Masculin"]
        assert str(people.AgeBand.UNKNOWN.label) == "Âge inconnu"


def test_coordinates_both_or_neither_in_range():
    assert geo.check_coordinates(None, "") == (None, None)
    assert geo.check_coordinates("-10,7167", 25.47) == (Decimal("-10.7167"), Decimal("25.47"))
    with translation.override("fr"):
        with pytest.raises(ValidationError) as caught:
            geo.check_coordinates("-10.7", None)
        assert caught.value.message_dict == {
            "latitude": ["Indiquez la latitude et la longitude, ou aucune des deux."]
        }
        with pytest.raises(ValidationError) as caught:
            geo.check_coordinates(95, "abc")
        assert caught.value.message_dict == {
            "latitude": ["La latitude doit être comprise entre -90 et 90."],
            "longitude": ["Saisissez un nombre."],
        }
        with pytest.raises(ValidationError) as caught:
            geo.check_coordinates("nan", -181)
        assert set(caught.value.message_dict) == {"latitude", "longitude"}
