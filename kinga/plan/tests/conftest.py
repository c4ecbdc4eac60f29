import pytest

from kinga.core.actors import system_actor
from kinga.core.reference import load_organisations
from kinga.plan.services.loading import load_plan


@pytest.fixture
def organisations(reference_places):
    load_organisations()


@pytest.fixture
def plan(organisations):
    return load_plan(actor=system_actor()).plan
