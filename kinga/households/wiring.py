"""The households app's registrations at start-up: wire() is called once by its AppConfig.ready()."""

from django.apps import apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from kinga.core import access, memo, pickers
from kinga.core.plugins import register_demo_handover, register_nav, register_synth_generator
from kinga.households import (  # noqa: F401  (indicators modules register their sources when imported)
    api,
    api_production,
    indicators,
    indicators_production,
    outcomes,
    selectors,
    selectors_production,
    synth,
    synth_production,
)
from kinga.households import models as m
from kinga.households.services import figures


def wire() -> None:
    memo.register_figure(outcomes.PROGRAMME_OUTCOMES, apps=("households",))
    memo.register_figure(
        selectors_production.PRODUCTION_BY_PRODUCT, apps=("households.Harvest", "households.Household")
    )
    own = access.own_organisation
    identity, counts = "households.view_identity", "households.view_counts"
    access.register(m.Household, scope=own(), view_permission=identity)
    access.register(m.HouseholdMember, scope=own("household__organisation"), view_permission=identity)
    access.register(m.Survey, scope=own("household__organisation"), view_permission=identity)
    access.register(m.Enrolment, scope=own("household__organisation"), view_permission=identity)
    access.register(m.Delivery, scope=own("enrolment__household__organisation"), view_permission=identity)
    access.register(m.Deposit, scope=own("enrolment__household__organisation"), view_permission=identity)
    access.register(m.Harvest, scope=own("household__organisation"), view_permission=identity)
    access.register(m.NutritionVisit, scope=own("household__organisation"), view_permission=identity)
    access.register(m.MuacMeasurement, scope=own("visit__household__organisation"), view_permission=identity)
    # A group's totals and arrears are counts; its members and loans name households.
    access.register(m.FinanceGroup, scope=own(), view_permission=counts)
    access.register(m.GroupMember, scope=own("group__organisation"), view_permission=identity)
    access.register(m.Loan, scope=own("group__organisation"), view_permission=identity)
    access.register(m.LoanRepayment, scope=own("loan__group__organisation"), view_permission=identity)
    access.register(m.ImportBatch, scope=own(), view_permission="households.import")
    access.register(m.SurveyRound, scope=access.unscoped, view_permission=counts)
    access.register(m.VulnerabilityIndexVersion, scope=access.unscoped, view_permission=counts)
    access.register(m.Programme, scope=access.unscoped, view_permission=counts)
    access.register(m.Cooperative, scope=access.unscoped, view_permission=counts)
    access.register(m.CooperativeNetwork, scope=access.unscoped, view_permission=counts)
    access.register(m.CooperativeMember, scope=selectors.cooperative_member_scope, view_permission=identity)
    api.register()
    api_production.register()
    # The dashboard's figures of a database migrated with households already in it (kept on write afterwards).
    post_migrate.connect(
        figures.build_after_migrate,
        sender=apps.get_app_config("households"),
        dispatch_uid="kinga.households.figures",
    )
    register_synth_generator("households", synth.generate_households, order=60)
    register_synth_generator("households-production", synth_production.generate_production, order=61)
    register_demo_handover("households", synth.demo_handover, order=70)
    register_demo_handover("households-production", synth_production.demo_handover, order=71)
    register_nav(_("Households"), "households:list", permission=counts, order=40)
    register_nav(_("Cooperatives"), "households:cooperatives", permission=counts, order=41)
    register_nav(_("Micro-finance"), "households:groups", permission=counts, order=42)
    pickers.register(
        pickers.Kind(
            name="households",
            choices=lambda actor: access.scoped(actor, m.Household, perm=identity),
            search=lambda qs, word: qs.filter(survey_id__istartswith=word),
            labels=selectors.household_labels,
            home=lambda actor: None,
            order=("survey_id",),
        )
    )
