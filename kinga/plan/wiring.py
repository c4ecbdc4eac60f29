"""The plan app's registrations at start-up: wire() is called once by its AppConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from kinga.core import access
from kinga.core.plugins import register_nav, register_reference_loader, register_synth_generator
from kinga.plan import api, api_dhis2, models
from kinga.plan.services.loading import ensure_plan_loaded
from kinga.plan.synth import generate_plan


def wire() -> None:
    # The plan, its money and its progress are open to every member (plan.view): what each actor signed
    # up to is public within Kinga. Writes are checked per organisation in services.
    for model in (
        models.Plan,
        models.Tag,
        models.Axis,
        models.Action,
        models.Activity,
        models.Party,
        models.Indicator,
        models.IndicatorTarget,
        models.IndicatorValue,
        models.PlanRevision,
        models.ExchangeRate,
        models.Commitment,
        models.FundingTransaction,
        models.ProgressReport,
    ):
        access.register(model, scope=access.unscoped, view_permission="plan.view")
    # The DHIS2 link (its account, the mapping, what DHIS2 answered) is for those who send to DHIS2.
    for model in (
        models.Dhis2Settings,
        models.Dhis2DataElement,
        models.Dhis2OrgUnit,
        models.Dhis2CategoryOptionCombo,
        models.Dhis2Push,
    ):
        access.register(model, scope=access.unscoped, view_permission="plan.push_dhis2")
    # After places (0) and organisations (10): the plan's implementers and funders are organisations.
    register_reference_loader("plan", ensure_plan_loaded, order=20)
    register_nav(_("Operational plan"), "plan:tree", permission="plan.view", order=10)
    register_nav(_("Plan budget"), "plan:budget", permission="plan.view", order=11)
    register_nav(_("DHIS2"), "plan:dhis2", permission="plan.push_dhis2", order=13)
    register_synth_generator("plan", generate_plan, order=90)
    api.register()
    api_dhis2.register()
