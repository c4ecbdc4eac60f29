"""A child case registered as found at a site shows on that site's timeline as a count (never an identity)."""

import pytest

from kinga.cases.tests.conftest import register, team  # noqa: F401  (fixtures)
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation
from kinga.sites import selectors
from kinga.sites.models import SiteEvidence, StatusChange

pytestmark = pytest.mark.django_db


def test_a_child_case_found_at_a_site_is_a_count_on_its_timeline(team, today):  # noqa: F811
    case = register(team, given_name="Tshibangu", family_name="Mwamba")
    evidence = SiteEvidence.objects.get(site=team.site)
    assert evidence.kind == "child_case" and evidence.children == 1 and str(evidence.ref) == str(case.uuid)
    assert evidence.sex == "M" and evidence.age_band == "12-14"
    assert selectors.child_labour_status(team.site).status == "red"
    change = StatusChange.objects.get(site=team.site, new_status="red")
    assert change.evidence == "child_case" and change.site_evidence == evidence
    viewer = client_for(make_member(make_organisation(), Role.VIEWER))
    page = viewer.get(f"/sites/{team.site.uuid}/").content.decode()
    assert "Enfant identifié sur le site" in page and "1 enfant" in page
    assert "Tshibangu" not in page and str(case.uuid) not in page and case.number not in page
    timeline = viewer.get(f"/api/v1/sites/{team.site.uuid}/timeline/").json()
    assert any(e["kind"] == "child_case" and e["children"] == 1 for e in timeline)
    assert str(case.uuid) not in str(timeline)
