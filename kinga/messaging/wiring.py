"""The messaging app's registrations at start-up: wire() is called once by its AppConfig.ready().

The app sits at the top of the layers (pyproject.toml, import-linter) beside monitoring and field: it subscribes to
the other apps' events to notify people (SMS, e-mail) and receives coded SMS/USSD alerts through the community
app's services."""

from django.utils.translation import gettext_lazy as _

from kinga.core import access, events
from kinga.core.plugins import register_nav

from . import models, services


def _own_messages(actor, queryset):
    if actor.is_system_wide:
        return queryset
    if actor.user is None:
        return queryset.none()
    return queryset.filter(recipient_user=actor.user)


def wire() -> None:
    access.register(models.Message, scope=_own_messages, view_permission="core.view_home")
    # Messages received by SMS come from no organisation, like the alerts of the unassigned pool: every person
    # who triages alerts reads them (the text may carry what a reporter wrote).
    access.register(models.InboundMessage, scope=access.unscoped, view_permission="community.triage")
    events.subscribe("community.alert_received", services.on_alert_received)
    events.subscribe("community.alert_outcome", services.on_alert_outcome)
    events.subscribe("cases.case_assigned", services.on_case_assigned)
    register_nav(_("My notifications"), "messaging:preferences", permission="core.view_home", order=90)
    register_nav(_("SMS received"), "messaging:inbound", permission="community.triage", order=32)
    register_nav(_("Messages sent"), "messaging:log", permission="core.view_audit", order=985)
