"""Issue 18, acceptance: every activity of the logframe has at least one record type that serves it, and its
indicators are computed from records (none entered by hand)."""

from django.apps import apps

from kinga.core.indicators import source_for
from kinga.plan.coverage import ACTIVITY_RECORDS
from kinga.plan.planfile import default_plan_path, read_plan_file


def _activities() -> dict[str, dict]:
    spec, _ = read_plan_file(default_plan_path())
    return {
        f"{axis['number']}.{action['number']}.{activity['position']}": activity
        for axis in spec["axes"]
        for action in axis["actions"]
        for activity in action["activities"]
    }


def _code(indicator) -> str:
    return indicator if isinstance(indicator, str) else indicator["code"]


def test_every_activity_of_the_plan_file_has_its_record_types():
    activities = _activities()
    assert len(activities) == 28
    assert set(ACTIVITY_RECORDS) == set(activities)
    for key, labels in ACTIVITY_RECORDS.items():
        assert labels, key
        for label in labels:
            assert apps.get_model(label) is not None, (key, label)  # raises LookupError on a stale name


def test_every_indicator_of_an_activity_is_computed_from_records():
    hand_entered = {
        key: [_code(i) for i in activity.get("indicators", []) if source_for(_code(i)) is None]
        for key, activity in _activities().items()
    }
    assert not {key: codes for key, codes in hand_entered.items() if codes}
