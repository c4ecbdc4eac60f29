"""The writes of the core, the only names other apps (and the core's views, API and commands) call.

One module per domain: places.py (places below the gazetteer), organisations.py (organisations and the names that
designate them), members.py (roles, supervisors, invitations), accounts.py (a person's API tokens, second factor and language).
The p-code and organisation-name lookups are here because the writes of other apps resolve their input with them.
"""

from .accounts import create_api_token, replace_totp, revoke_api_token, set_preferred_language
from .members import ROLES_ONLY_ADMINS_APPOINT, add_member, send_invitation, update_member
from .organisations import add_alias, create_organisation, resolve_organisation, update_organisation
from .places import create_place, place_by_pcode, places_by_pcodes

__all__ = [
    "ROLES_ONLY_ADMINS_APPOINT",
    "add_alias",
    "add_member",
    "create_api_token",
    "create_organisation",
    "create_place",
    "place_by_pcode",
    "places_by_pcodes",
    "replace_totp",
    "resolve_organisation",
    "revoke_api_token",
    "send_invitation",
    "set_preferred_language",
    "update_member",
    "update_organisation",
]
