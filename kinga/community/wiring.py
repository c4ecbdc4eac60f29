"""The community app's registrations at start-up: wire() is called once by its AppConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from kinga.core import access
from kinga.core.plugins import (
    register_api,
    register_demo_handover,
    register_nav,
    register_reference_loader,
    register_synth_generator,
)

from . import api, home, indicators, models, selectors, services, synth  # noqa: F401  (indicators registers its sources when imported)


def wire() -> None:
    own = access.own_organisation
    access.register(models.Network, scope=own("organisation"), view_permission="community.view")
    access.register(models.NetworkMember, scope=selectors.member_scope, view_permission="community.view")
    access.register(models.Alert, scope=selectors.alert_scope, view_permission="community.triage")
    access.register(models.Campaign, scope=own("organisation"), view_permission="community.view")
    access.register(models.AwarenessSession, scope=own("organisation"), view_permission="community.view")
    access.register(models.Training, scope=own("organisation"), view_permission="community.view")
    access.register(models.AdvocacyAction, scope=own("organisation"), view_permission="community.view")
    # The actors' map and the consultation framework are shared by every actor; changes are limited
    # to the owning organisation by the views (selectors.editable_*).
    access.register(models.FourW, scope=access.unscoped, view_permission="community.view")
    # An import of a 4W file is the importing organisation's (its file, its rejected rows).
    access.register(models.FourWImport, scope=own("organisation"), view_permission="community.record_4w")
    access.register(models.Meeting, scope=access.unscoped, view_permission="community.view")
    access.register(models.ActionItem, scope=access.unscoped, view_permission="community.view")
    access.register(models.AlertCase, scope=selectors.alert_case_scope, view_permission="community.triage")
    register_api("community/networks", api.NetworkViewSet, basename="community-network")
    register_api("community/alerts", api.AlertViewSet, basename="community-alert")
    register_api("community/sessions", api.SessionViewSet, basename="community-session")
    register_api("community/trainings", api.TrainingViewSet, basename="community-training")
    register_api("community/fourw", api.FourWViewSet, basename="community-fourw")
    register_api("community/meetings", api.MeetingViewSet, basename="community-meeting")
    register_api("community/action-items", api.ActionItemViewSet, basename="community-action-item")
    register_reference_loader("community-4w", services.seed_fourw_from_plan, order=70)
    register_synth_generator("community", synth.generate_community, order=60)
    register_demo_handover("community", synth.demo_handover, order=60)
    home.register_panels()
    register_nav(_("Alerts"), "community:triage", permission="community.triage", order=30)
    register_nav(_("Community"), "community:home", permission="community.view", order=31)
    register_nav(_("Who does what where (4W)"), "community:fourw", permission="community.view", order=33)
    register_nav(_("Coordination (IDAK)"), "community:meetings", permission="community.view", order=34)
