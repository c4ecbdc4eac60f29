"""The role → permission map of the whole system, in one module.

A permission is a string "<app>.<verb>". Apps check them through kinga.core.access; they never invent
permissions elsewhere. docs/access.md is the human-readable form of this map; keep both in step.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    ORG_MANAGER = "org_manager", _("Organisation manager")
    SUPERVISOR = "supervisor", _("Supervisor")
    CASEWORKER = "caseworker", _("Caseworker")
    FOCAL_POINT = "focal_point", _("Community focal point")
    SITE_INSPECTOR = "site_inspector", _("Site inspector")
    DATA_CLERK = "data_clerk", _("Data clerk")
    VIEWER = "viewer", _("Viewer / funder")
    COMPANY_OFFICER = "company_officer", _("Company due-diligence officer")


# Roles whose members see children's and household members' identities: they must use MFA.
IDENTITY_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.ORG_MANAGER})
# Roles that see aggregates only, never an identity.
AGGREGATE_ONLY_ROLES = frozenset({Role.COORDINATOR, Role.VIEWER, Role.COMPANY_OFFICER})
# Roles that must enrol a second factor before using the app.
MFA_REQUIRED_ROLES = IDENTITY_ROLES | {Role.ADMIN}

_EVERYONE = frozenset(Role.values)

_CORE = {
    "core.view_home": _EVERYONE,
    "core.use_api": _EVERYONE,
    "core.view_places": _EVERYONE,
    "core.add_place": {
        Role.ADMIN,
        Role.COORDINATOR,
        Role.ORG_MANAGER,
        Role.SUPERVISOR,
        Role.CASEWORKER,
        Role.DATA_CLERK,
        Role.FOCAL_POINT,
        Role.SITE_INSPECTOR,
    },
    "core.view_organisations": _EVERYONE,
    "core.manage_organisations": {Role.ADMIN},
    "core.manage_members": {Role.ADMIN, Role.ORG_MANAGER},
    "core.view_audit": {Role.ADMIN, Role.COORDINATOR},
}

_PLAN = {
    "plan.view": _EVERYONE,
    "plan.edit": {Role.ADMIN, Role.COORDINATOR},
    "plan.report_progress": {Role.ADMIN, Role.COORDINATOR, Role.ORG_MANAGER},
    # An activity's deliverables (the communication plan...): validated or sent back by the coordination.
    "plan.validate_deliverables": {Role.COORDINATOR},
    "plan.record_funding": {Role.ADMIN, Role.COORDINATOR, Role.ORG_MANAGER},
    "plan.enter_indicator": {Role.ADMIN, Role.COORDINATOR, Role.ORG_MANAGER, Role.DATA_CLERK},
    "plan.export": _EVERYONE - {Role.FOCAL_POINT},
    "plan.configure_dhis2": {Role.ADMIN},
    "plan.push_dhis2": {Role.ADMIN, Role.COORDINATOR},
}

_CASES = {
    "cases.view_counts": _EVERYONE - {Role.FOCAL_POINT},
    "cases.view_identity": IDENTITY_ROLES,
    "cases.register": {Role.CASEWORKER, Role.SUPERVISOR, Role.DATA_CLERK},
    "cases.work": {Role.CASEWORKER, Role.SUPERVISOR},
    "cases.approve": {Role.SUPERVISOR},
    "cases.assign": {Role.SUPERVISOR, Role.ORG_MANAGER},
    "cases.override_consent": {Role.SUPERVISOR, Role.ORG_MANAGER},
    "cases.provide_service": {Role.CASEWORKER, Role.SUPERVISOR, Role.ORG_MANAGER},
    "cases.manage_services": {Role.ADMIN, Role.COORDINATOR, Role.ORG_MANAGER},
    "cases.export": {Role.SUPERVISOR, Role.ORG_MANAGER, Role.COORDINATOR, Role.VIEWER},
    "cases.configure": {Role.ADMIN},
}

_REGISTRY = {
    "registry.match": {Role.CASEWORKER, Role.SUPERVISOR, Role.DATA_CLERK},
    "registry.review": {Role.SUPERVISOR, Role.ORG_MANAGER},
    # what the matcher learnt from the registry (aggregates only): see it and have it learn again
    "registry.learn": {Role.ADMIN},
}

_COMMUNITY = {
    "community.view": _EVERYONE,
    "community.report_alert": {Role.FOCAL_POINT, Role.CASEWORKER, Role.SUPERVISOR, Role.DATA_CLERK},
    "community.triage": {Role.CASEWORKER, Role.SUPERVISOR},
    "community.manage_networks": {Role.ADMIN, Role.COORDINATOR, Role.ORG_MANAGER, Role.SUPERVISOR},
    "community.record_awareness": {
        Role.FOCAL_POINT,
        Role.CASEWORKER,
        Role.SUPERVISOR,
        Role.ORG_MANAGER,
        Role.DATA_CLERK,
    },
    # Advocacy with the authorities (a meeting with the governor, a letter to the assembly) is also the
    # coordination's work: the IDAK coordinator records it, and the steps of the governance's advocacy tracks.
    "community.record_advocacy": {
        Role.FOCAL_POINT,
        Role.CASEWORKER,
        Role.SUPERVISOR,
        Role.ORG_MANAGER,
        Role.DATA_CLERK,
        Role.COORDINATOR,
    },
    "community.record_4w": {Role.ORG_MANAGER, Role.DATA_CLERK, Role.COORDINATOR},
    "community.manage_meetings": {Role.COORDINATOR, Role.ORG_MANAGER},
    "community.export": _EVERYONE - {Role.FOCAL_POINT},
}

_SITES = {
    "sites.view": _EVERYONE,
    "sites.inspect": {Role.SITE_INSPECTOR},
    "sites.edit": {Role.ADMIN, Role.COORDINATOR, Role.SITE_INSPECTOR},
    "sites.configure_rules": {Role.ADMIN},
    "sites.import": {Role.ADMIN, Role.COORDINATOR},
    "sites.view_photos": {Role.ADMIN, Role.COORDINATOR, Role.SITE_INSPECTOR},
    # Movements of people around sites (arrivals, departures, relocations): counts only, never a person. Read by
    # whoever plans around sites; a buyer's officer has no use for them.
    "sites.view_movements": _EVERYONE - {Role.COMPANY_OFFICER},
    # What inspections and community networks observe, and the relocations the authorities carry out.
    "sites.record_movements": {
        Role.COORDINATOR,
        Role.SITE_INSPECTOR,
        Role.FOCAL_POINT,
        Role.CASEWORKER,
        Role.SUPERVISOR,
        Role.ORG_MANAGER,
        Role.DATA_CLERK,
    },
}

_HOUSEHOLDS = {
    "households.view_counts": _EVERYONE - {Role.FOCAL_POINT},
    "households.view_identity": IDENTITY_ROLES,
    "households.edit": {Role.CASEWORKER, Role.SUPERVISOR, Role.DATA_CLERK},
    "households.import": {Role.ORG_MANAGER, Role.SUPERVISOR, Role.DATA_CLERK},
    "households.enrol": {Role.CASEWORKER, Role.SUPERVISOR, Role.ORG_MANAGER},
    "households.configure": {Role.ADMIN, Role.COORDINATOR},
    "households.manage_programmes": {Role.ADMIN, Role.COORDINATOR, Role.ORG_MANAGER},
    "households.manage_cooperatives": {Role.ADMIN, Role.COORDINATOR, Role.ORG_MANAGER},
}

_SUPPLY = {
    # Lots and cooperatives carry no child's identity, but a buyer's supply is commercially sensitive: company
    # officers see their own purchases only, cooperatives their own records (scopes in kinga/supply/apps.py).
    "supply.view": {
        Role.ADMIN,
        Role.COORDINATOR,
        Role.SITE_INSPECTOR,
        Role.COMPANY_OFFICER,
        Role.ORG_MANAGER,
        Role.DATA_CLERK,
    },
    "supply.record": {Role.SITE_INSPECTOR, Role.ORG_MANAGER, Role.DATA_CLERK},
    "supply.authorise": {Role.SITE_INSPECTOR},
    # A refusal is overridden by two people of different roles: one asks, the other decides.
    "supply.request_override": {Role.SITE_INSPECTOR, Role.COORDINATOR},
    "supply.override": {Role.COORDINATOR, Role.ADMIN},
    "supply.report": {Role.COMPANY_OFFICER, Role.COORDINATOR, Role.ADMIN},
    "supply.configure": {Role.ADMIN, Role.COORDINATOR},
    # Agreements with child-labour clauses, their verification visits and breaches, and the companies'
    # sustainable-development commitments: a company's officer for their own company, the province for any.
    "supply.record_agreements": {Role.COMPANY_OFFICER, Role.COORDINATOR, Role.SITE_INSPECTOR},
}

# The artisanal mining support fund (plan, axis 3, action 4): its ledger is public money, no child's identity. The
# managing organisation records, the coordination and funders read it all, commission members their fund, a
# cooperative its own disbursements (scopes in kinga/fund/scopes.py).
_FUND = {
    "fund.view": {
        Role.ADMIN,
        Role.COORDINATOR,
        Role.VIEWER,
        Role.ORG_MANAGER,
        Role.DATA_CLERK,
        Role.SITE_INSPECTOR,
        Role.COMPANY_OFFICER,
    },
    # Receipts, disbursements, documents and repayments: the managing organisation's staff.
    "fund.record": {Role.COORDINATOR, Role.ORG_MANAGER, Role.DATA_CLERK},
    # The fund itself, its accounts, the retrocession rate, the commission, its sessions and decisions.
    "fund.manage": {Role.COORDINATOR, Role.ORG_MANAGER},
}

# Governance around the mining sites (plan, axis 2): equipment given to state services, social infrastructures,
# advocacy tracks (public records, no child's identity); the involvement of state agents is read from inspections.
# Province-wide roles read all, an organisation its own records (scopes in kinga/governance/scopes.py). A track's
# steps are advocacy actions: recording one also takes community.record_advocacy (every recording role has it).
_GOVERNANCE = {
    "governance.view": _EVERYONE - {Role.FOCAL_POINT},
    "governance.record": {Role.COORDINATOR, Role.ORG_MANAGER, Role.DATA_CLERK},
}

# Monitoring and evaluation: the province dashboard (counts only; an organisation manager sees its own records).
_MONITORING = {
    "monitoring.view_dashboard": {Role.ADMIN, Role.COORDINATOR, Role.VIEWER, Role.ORG_MANAGER},
    # The plan's quarterly and annual reports: province-wide counts, built and downloaded by the same roles.
    "monitoring.build_reports": {Role.ADMIN, Role.COORDINATOR, Role.VIEWER},
    # Deleting old reports (the newest of each period is always kept): the administrator's housekeeping.
    "monitoring.prune_reports": {Role.ADMIN},
}

# Field capture (KoboToolbox, ODK): the quarantine of submissions that could not be applied, the keys with which
# a server pushes a form's submissions, and the XLSForms built from Kinga (downloaded for the teams' phones,
# published to the field servers).
_FIELD = {
    "field.review": {Role.ADMIN, Role.ORG_MANAGER, Role.SUPERVISOR, Role.DATA_CLERK},
    "field.manage_keys": {Role.ADMIN, Role.ORG_MANAGER},
    "field.download_forms": {Role.ADMIN, Role.COORDINATOR, Role.ORG_MANAGER, Role.DATA_CLERK},
    "field.publish_forms": {Role.ADMIN, Role.COORDINATOR},
}

PERMISSIONS: dict[str, frozenset[str]] = {
    perm: frozenset(roles)
    for section in (
        _CORE,
        _PLAN,
        _CASES,
        _REGISTRY,
        _COMMUNITY,
        _SITES,
        _HOUSEHOLDS,
        _SUPPLY,
        _FUND,
        _GOVERNANCE,
        _MONITORING,
        _FIELD,
    )
    for perm, roles in section.items()
}


def permissions_of(role: str) -> frozenset[str]:
    return frozenset(perm for perm, roles in PERMISSIONS.items() if role in roles)


def role_has(role: str, perm: str) -> bool:
    if perm not in PERMISSIONS:
        raise KeyError(f"Unknown permission {perm!r}: declare it in kinga/core/roles.py")
    return role in PERMISSIONS[perm]
