"""The plan app's registrations at start-up: wire() is called once by its AppConfig.ready()."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinga.core import access, pickers
from kinga.core.plugins import register_nav, register_reference_loader, register_synth_generator
from kinga.plan import api, api_deliverables, api_dhis2, models, selectors_deliverables, synth_deliverables
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
    # A deliverable is the plan's once validated; until then, its organisation's and the coordination's.
    access.register(models.Deliverable, scope=selectors_deliverables.scope, view_permission="plan.view")
    # The DHIS2 link (its account, the mapping, what DHIS2 answered) is for those who send to DHIS2.
    for model in (
        models.Dhis2Settings,
        models.Dhis2DataElement,
        models.Dhis2OrgUnit,
        models.Dhis2CategoryOptionCombo,
        models.Dhis2Push,
    ):
        access.register(model, scope=access.unscoped, view_permission="plan.push_dhis2")
    # Funders' commitments number in thousands at national scale: the attribution fields search them.
    pickers.register(
        pickers.Kind(
            name="commitments",
            choices=lambda actor: access.scoped(actor, models.Commitment).select_related(
                "funder", "action__axis"
            ),
            search=_search_commitments,
            labels=lambda commitments: [str(c) for c in commitments],
            home=lambda actor: Q(funder_id=actor.organisation_id) if actor.organisation_id else None,
            order=("action__axis__number", "action__number", "-date", "-pk"),
        )
    )

    # After places (0) and organisations (10): the plan's implementers and funders are organisations.
    register_reference_loader("plan", ensure_plan_loaded, order=20)
    register_nav(_("Operational plan"), "plan:tree", permission="plan.view", order=10)
    register_nav(_("Plan budget"), "plan:budget", permission="plan.view", order=11)
    register_nav(_("DHIS2"), "plan:dhis2", permission="plan.push_dhis2", order=13)
    register_synth_generator("plan", generate_plan, order=90)
    register_synth_generator("plan-deliverables", synth_deliverables.generate, order=91)
    api.register()
    api_deliverables.register()
    api_dhis2.register()


def _search_commitments(queryset, word):
    """A funder's name or acronym, or an action's code (« 1.4 »)."""
    matching = Q(funder__name__icontains=word) | Q(funder__acronym__icontains=word)
    axis, _dot, action = word.partition(".")
    if axis.isdigit() and action.isdigit():
        matching |= Q(action__axis__number=int(axis), action__number=int(action))
    return queryset.filter(matching)
