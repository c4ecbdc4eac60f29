"""No computed indicator is orphaned: every code a module registers is in a plan row (the plan file maps rows to
codes) or in the documented list of the other indicators followed (kinga.plan.indicators.OTHER_INDICATORS, shown
on the indicator page and, for some, on the dashboard and the non-return page)."""

from kinga.core.indicators import all_sources
from kinga.plan.indicators import DASHBOARD, NON_RETURN, OTHER_INDICATORS
from kinga.plan.planfile import default_plan_path, read_plan_file


def _plan_codes() -> set[str]:
    spec, _ = read_plan_file(default_plan_path())
    return {code for code, ind in spec["indicators"].items() if ind["source"] == "computed"}


def test_every_registered_code_is_in_a_plan_row_or_followed_on_a_monitoring_page():
    registered = set(all_sources())
    not_in_the_plan = registered - _plan_codes()
    assert sorted(not_in_the_plan) == sorted(OTHER_INDICATORS)


def test_no_code_is_both_in_the_plan_and_in_the_other_list():
    assert not _plan_codes() & set(OTHER_INDICATORS)


def test_the_plan_rows_the_seed_names_are_computed_where_records_hold_them():
    plan = _plan_codes()
    # « Nombre des CRS, CAP, Maisons de transit et espaces des jeux » from the services directory; the farmed
    # area (1000 ménages × 5 ha) from the hectares allocated: both were entered by hand before.
    assert {"CASES_CARE_FACILITIES", "HOUSEHOLDS_HECTARES_ALLOCATED"} <= plan


def test_retention_exits_relapses_and_alerts_are_on_the_monitoring_pages():
    for code in (
        "CASES_CHILDREN_RETAINED_3M",
        "CASES_CHILDREN_RETAINED_6M",
        "CASES_CHILDREN_RETAINED_12M",
        "CASES_CHILDREN_RELAPSED",
        "CASES_CHILDREN_EXITED",
    ):
        assert NON_RETURN in OTHER_INDICATORS[code][2], code
    for code in ("COMMUNITY_ALERTS_RECEIVED", "COMMUNITY_ALERTS_VERIFIED_IN_TIME"):
        assert DASHBOARD in OTHER_INDICATORS[code][2], code
