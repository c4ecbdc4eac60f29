"""The form definitions name what the services take: a renamed service argument or choice value breaks here."""

import inspect

import pytest
from django.utils.module_loading import import_string

from kinga.field.xlsforms import choices
from kinga.field.xlsforms.catalogue import FORMS
from kinga.households.services.surveys import SURVEY_COUNTS, SURVEY_FLAGS
from kinga.sites.models import INSPECTION_FIELDS

# The names in a form that are not a keyword of its service, and why (README.md says how each is read).
NOT_ARGUMENTS = {
    "kinga_identification": {
        "territory",
        "caregiver_name",
        "caregiver_relationship",
        "caregiver_phone",
        "caregiver_address",
        "photo_consent",
    },
    "kinga_follow_up": {"territory", "case_number"},
    "kinga_retention_check": {"territory", "case_number"},
    "kinga_site_inspection": {"territory", "action_description", "action_deadline"},
    "kinga_household_survey": {"territory", "place", "survey_id"},
    "kinga_awareness_session": {"territory"},
}
EXPECTED_IDS = {
    "kinga_identification",
    "kinga_follow_up",
    "kinga_retention_check",
    "kinga_site_inspection",
    "kinga_household_survey",
    "kinga_alert",
    "kinga_awareness_session",
}


def test_the_seven_forms_have_their_stable_ids():
    assert set(FORMS) == EXPECTED_IDS


@pytest.mark.parametrize("form_id", sorted(EXPECTED_IDS))
def test_each_leaf_name_is_unique_in_its_form(form_id):
    names = [f.name for f in FORMS[form_id].walk()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("form_id", sorted(EXPECTED_IDS - {"kinga_alert"}))
def test_field_names_are_the_service_arguments(form_id):
    form = FORMS[form_id]
    service = import_string(form.service)
    parameters = inspect.signature(service).parameters
    accepted = set(parameters)
    if form_id == "kinga_site_inspection":
        accepted |= set(INSPECTION_FIELDS)
    if form_id == "kinga_household_survey":
        # record_survey(**answers): the keys validate_survey reads.
        accepted |= {*SURVEY_COUNTS, *SURVEY_FLAGS, "surveyed_on", "household_size", "head_sex", "head_age"}
        accepted |= {"hunger_scale", "housing", "income_sources", "assets", "business_opportunities"}
        accepted |= {f"income_{value}" for value in choices.values("income_source")}
    if form_id == "kinga_awareness_session":
        accepted |= {
            "site",
            "radio_station",
            "broadcasts",
            "parents_committed_f",
            "parents_committed_m",
            "report_written",
            "notes",
        }
        accepted |= {f"participants_{a}_{s}" for a in choices.values("audience") for s in "fm"}
    names = {f.name for f in form.walk()} - NOT_ARGUMENTS.get(form_id, set())
    assert names <= accepted, names - accepted
