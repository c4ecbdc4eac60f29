from pathlib import Path

import pytest

import kinga
from kinga.plan.docs import BEGIN, END, render_plan_section
from kinga.plan.planfile import default_plan_path, read_plan_file

DOC = Path(kinga.__file__).parent.parent / "docs" / "indicators.md"

REQUIRED_CODES = {
    "CASES_CHILDREN_WITHDRAWN": None,
    "CASES_CHILDREN_TRAINED": None,
    "HOUSEHOLDS_SURVEYS_DONE": None,
    "HOUSEHOLDS_EMA_WOMEN_RETRAINED": None,
    "HOUSEHOLDS_SME_CREATED": None,
    "HOUSEHOLDS_COOPERATIVES": None,
    "HOUSEHOLDS_IN_COOPERATIVES": None,
    "HOUSEHOLDS_COOPERATIVE_NETWORKS": None,
    "HOUSEHOLDS_BANK_ACCOUNTS": None,
    "HOUSEHOLDS_LITERACY_MEMBERS": 7000,
    "HOUSEHOLDS_INCOME": None,
    "COMMUNITY_PARENTS_ENGAGED": None,
    "COMMUNITY_LEADERS_TRAINED": None,
    "COMMUNITY_STATE_AGENTS_TRAINED": 500,
    "COMMUNITY_PROVIDERS_TRAINED": 1080,
    "COMMUNITY_ADVOCACY_ACTIONS": None,
    "COMMUNITY_AWARENESS_REPORTS": None,
    "COMMUNITY_MEETINGS_MINUTES": None,
    "SITES_ZEA_LOCATED": 60,
    "SITES_ZEA_VIABLE": 25,
    "SITES_EQUIPPED": 60,
    "SITES_STUDIES_PUBLISHED": None,
    "SUPPLY_PRODUCTION_STATISTICS": None,
    "SUPPLY_COOPERATIVES_WITH_DOCUMENTS": None,
}


def test_the_stable_codes_exist_with_their_targets():
    spec, _ = read_plan_file(default_plan_path())
    for code, target in REQUIRED_CODES.items():
        assert code in spec["indicators"], code
        assert spec["indicators"][code]["target"] == target, code
        assert spec["indicators"][code]["source"] == "computed"


def test_indicators_nobody_records_are_manual_plan_codes():
    spec, _ = read_plan_file(default_plan_path())
    manual = {c for c, i in spec["indicators"].items() if i["source"] == "manual"}
    assert manual == {c for c in spec["indicators"] if c.startswith("PLAN_")}
    assert not {"PLAN_MALNUTRITION_RATE", "PLAN_PRODUCTION_RATE"} & manual  # computed from the records now


def test_docs_indicators_md_lists_every_code_as_generated():
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert section == render_plan_section(), "regenerate the plan section of docs/indicators.md"


@pytest.mark.parametrize("code", sorted(REQUIRED_CODES))
def test_every_required_code_is_documented(code):
    assert f"`{code}`" in DOC.read_text(encoding="utf-8")
