from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "kinga.households"
    label = "households"
    verbose_name = _("Households")

    def ready(self) -> None:
        from kinga.core import access
        from kinga.core.plugins import register_nav
        from kinga.households import models as m

        own = access.own_organisation
        identity, counts = "households.view_identity", "households.view_counts"
        access.register(m.Household, scope=own(), view_permission=identity)
        access.register(m.HouseholdMember, scope=own("household__organisation"), view_permission=identity)
        access.register(m.Survey, scope=own("household__organisation"), view_permission=identity)
        access.register(m.Enrolment, scope=own("household__organisation"), view_permission=identity)
        access.register(m.Delivery, scope=own("enrolment__household__organisation"), view_permission=identity)
        access.register(m.Deposit, scope=own("enrolment__household__organisation"), view_permission=identity)
        access.register(m.ImportBatch, scope=own(), view_permission="households.import")
        access.register(m.SurveyRound, scope=access.unscoped, view_permission=counts)
        access.register(m.VulnerabilityIndexVersion, scope=access.unscoped, view_permission=counts)
        access.register(m.Programme, scope=access.unscoped, view_permission=counts)
        access.register(m.Cooperative, scope=access.unscoped, view_permission=counts)
        access.register(m.CooperativeNetwork, scope=access.unscoped, view_permission=counts)
        access.register(m.CooperativeMember, scope=_cooperative_members, view_permission=identity)

        from kinga.core.plugins import register_synth_generator
        from kinga.households import api, indicators  # noqa: F401 (registers the indicator sources)
        from kinga.households.synth import generate_households

        api.register()
        register_synth_generator("households", generate_households, order=60)
        register_nav(_("Households"), "households:list", permission=counts, order=40)
        register_nav(_("Cooperatives"), "households:cooperatives", permission=counts, order=41)


def _cooperative_members(actor, queryset):
    """Members are seen by the cooperative itself and by the organisation that supports it."""
    from django.db.models import Q

    if actor.is_system_wide:
        return queryset
    if actor.organisation_id is None:
        return queryset.none()
    return queryset.filter(
        Q(cooperative__organisation_id=actor.organisation_id)
        | Q(cooperative__supported_by_id=actor.organisation_id)
    )
