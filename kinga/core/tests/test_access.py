import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kinga.core import access
from kinga.core.models import ApiToken, Membership
from kinga.core.roles import PERMISSIONS, Role, permissions_of
from kinga.core.services import create_api_token
from kinga.core.testing import actor_of, make_member, make_organisation

pytestmark = pytest.mark.django_db


def test_other_organisations_membership_is_404_and_missing_permission_is_403():
    org_a, org_b = make_organisation(), make_organisation()
    manager_a = actor_of(make_member(org_a, Role.ORG_MANAGER))
    member_b = make_member(org_b, Role.CASEWORKER)
    with pytest.raises(Http404):
        access.get_object_or_404(manager_a, Membership, uuid=member_b.uuid)
    caseworker_a = actor_of(make_member(org_a, Role.CASEWORKER))
    with pytest.raises(PermissionDenied):
        access.get_object_or_404(caseworker_a, Membership, uuid=member_b.uuid)


def test_malformed_uuid_is_404():
    manager = actor_of(make_member(make_organisation(), Role.ORG_MANAGER))
    with pytest.raises(Http404):
        access.get_object_or_404(manager, Membership, uuid="not-a-uuid")


def test_supervisor_team_is_the_caseworkers_they_supervise_in_their_organisation():
    org = make_organisation()
    supervisor = make_member(org, Role.SUPERVISOR)
    mine = make_member(org, Role.CASEWORKER, supervisor=supervisor)
    other = make_member(org, Role.CASEWORKER)
    team = actor_of(supervisor).team_user_ids
    assert mine.user_id in team and other.user_id not in team


def test_tokens_are_scoped_to_their_user():
    org = make_organisation()
    a, b = actor_of(make_member(org, Role.CASEWORKER)), actor_of(make_member(org, Role.CASEWORKER))
    token, _key = create_api_token(actor=a, name="kobo")
    assert list(access.scoped(a, ApiToken)) == [token]
    with pytest.raises(Http404):
        access.get_object_or_404(b, ApiToken, uuid=token.uuid)


def test_aggregate_roles_never_see_identities():
    for role in (Role.COORDINATOR, Role.VIEWER, Role.COMPANY_OFFICER):
        perms = permissions_of(role)
        assert "cases.view_identity" not in perms
        assert "households.view_identity" not in perms


def test_unknown_permission_is_a_programming_error():
    actor = actor_of(make_member(make_organisation(), Role.CASEWORKER))
    with pytest.raises(KeyError):
        actor.has("cases.view_identiy")


def test_inactive_membership_has_no_permission():
    membership = make_member(make_organisation(), Role.CASEWORKER)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    assert access.actor_for(membership.user).permissions == frozenset()


def test_every_permission_belongs_to_some_role():
    assert all(PERMISSIONS[perm] for perm in PERMISSIONS)
