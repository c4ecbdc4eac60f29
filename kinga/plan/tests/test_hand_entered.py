"""Issue 18, acceptance: the plan shows no hand-entered indicator where records exist.

The plan's hand-entered indicators are listed here, each with why no record of Kinga holds it yet; the test fails
when one is computed by a registered source (under its own code, or under a module's code of the same name), when
a code the plan file renamed to a computed one is still entered by hand, and when the plan file gains or loses a
hand-entered indicator without this list saying why."""

from kinga.core.indicators import all_sources, source_for
from kinga.plan.planfile import default_plan_path, read_plan_file
from kinga.plan.renames import RENAMED_INDICATORS

# Code -> what Kinga would have to record for the indicator to be computed (issue 18 names each). None is left:
# the fund's ledger, the households' harvests and nutrition visits and the governance records compute them all.
HAND_ENTERED: dict[str, str] = {}


def _manual_codes() -> set[str]:
    spec, _ = read_plan_file(default_plan_path())
    return {code for code, ind in spec["indicators"].items() if ind["source"] == "manual"}


def _name(code: str) -> str:
    """The indicator's name without its owner: PLAN_MALNUTRITION_RATE and HOUSEHOLDS_MALNUTRITION_RATE → MALNUTRITION_RATE."""
    return code.split("_", 1)[1]


def test_every_hand_entered_indicator_of_the_plan_is_listed_with_its_reason():
    assert _manual_codes() == set(HAND_ENTERED)


def test_no_hand_entered_indicator_is_computed_by_a_registered_source():
    covered = {code for code in _manual_codes() if source_for(code) is not None}
    assert not covered, f"computed by a module, yet entered by hand in the plan: {sorted(covered)}"


def _twins(manual: set[str], computed: set[str]) -> dict[str, str]:
    """Manual codes whose name is a computed code's name, or ends with it (two words at least: PLAN_FUND_BANK_ACCOUNT
    and FUND_BANK_ACCOUNT)."""
    found = {}
    for code in manual:
        for other in computed:
            name, other_name = _name(code), _name(other)
            if name == other_name or (other_name.count("_") >= 1 and name.endswith("_" + other_name)):
                found[code] = other
    return found


def test_no_hand_entered_indicator_has_a_computed_twin():
    twins = _twins(_manual_codes(), set(all_sources()))
    assert not twins, f"entered by hand although a module computes the same figure: {twins}"


def test_a_renamed_code_is_never_entered_by_hand_again():
    assert not _manual_codes() & set(RENAMED_INDICATORS)
    for new in RENAMED_INDICATORS.values():
        assert source_for(new) is not None, f"{new} replaced a hand-entered code but no module computes it"


def test_the_check_finds_the_fund_flags_it_was_written_for():
    # Before the fund's ledger, the plan entered these by hand; the ledger now computes them.
    before = {"PLAN_FUND_BANK_ACCOUNT", "PLAN_RETROCESSION_RATE", "PLAN_PTF_TRANSACTION_ACCOUNT"}
    assert set(_twins(before, set(all_sources()))) == before
    assert "PLAN_MIXED_COMMISSION" in RENAMED_INDICATORS  # the one whose name changed is caught as renamed


def test_the_fund_flags_are_computed_now():
    # Were PLAN_FUND_BANK_ACCOUNT, PLAN_RETROCESSION_RATE, PLAN_MIXED_COMMISSION, PLAN_PTF_TRANSACTION_ACCOUNT.
    for code in (
        "FUND_BANK_ACCOUNT",
        "FUND_RETROCESSION_RATE",
        "FUND_JOINT_COMMISSION",
        "FUND_PTF_TRANSACTION_ACCOUNT",
    ):
        assert source_for(code) is not None, code


def test_the_governance_counts_are_computed_now():
    # Were PLAN_INFRASTRUCTURE_EQUIPMENT and PLAN_SOCIAL_INFRASTRUCTURES (kinga/governance).
    for old, new in (
        ("PLAN_INFRASTRUCTURE_EQUIPMENT", "GOVERNANCE_INFRASTRUCTURE_EQUIPMENT"),
        ("PLAN_SOCIAL_INFRASTRUCTURES", "GOVERNANCE_SOCIAL_INFRASTRUCTURES"),
    ):
        assert RENAMED_INDICATORS[old] == new and source_for(new) is not None, new
