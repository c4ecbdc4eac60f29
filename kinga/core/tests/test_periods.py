import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kinga.core import periods


@pytest.fixture(autouse=True)
def frozen(today):
    today.set(datetime.date(2026, 8, 15))


def test_quarter_is_read_as_dhis2_writes_it_and_capped_at_today():
    q3 = periods.parse("2026Q3")
    assert (q3.start, q3.end, q3.full_end, q3.to_date) == (
        datetime.date(2026, 7, 1),
        datetime.date(2026, 8, 15),
        datetime.date(2026, 9, 30),
        True,
    )
    q2 = periods.parse("2026q2")
    assert (q2.start, q2.end, q2.to_date, q2.iso) == (
        datetime.date(2026, 4, 1),
        datetime.date(2026, 6, 30),
        False,
        "2026Q2",
    )


def test_month_year_plan_and_default():
    assert periods.parse("202602").end == datetime.date(2026, 2, 28)
    assert periods.parse("2025").end == datetime.date(2025, 12, 31)
    assert periods.parse("plan").start == periods.plan_start()
    assert periods.parse("").iso == "2026Q3"
    assert periods.parse(None, default=periods.MONTH).iso == "202608"


@pytest.mark.parametrize("text", ["2026Q5", "2026-03", "202613", "demain", "2027", "2026Q4"])
def test_unknown_or_future_period_is_refused_in_french(text):
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        periods.parse(text)
    message = error.value.messages[0]
    assert "période" in message.lower()


def test_labels_in_french():
    with translation.override("fr"):
        assert periods.parse("2026Q2").label == "Trimestre 2 2026"
        assert periods.parse("2026Q3").label == "Trimestre 3 2026 (à ce jour)"
        assert periods.parse("2025").label == "Année 2025"


def test_series_goes_back_in_the_same_kind_and_stops_at_the_plan_start():
    quarters = [p.iso for p in periods.series(periods.parse("2026Q3"), 4)]
    assert quarters == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    many = periods.series(periods.parse("2026"), 50)
    assert many[0].full_end >= periods.plan_start()


def test_quarters_between():
    found = [p.iso for p in periods.quarters_between(datetime.date(2025, 11, 3), datetime.date(2026, 8, 1))]
    assert found == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
