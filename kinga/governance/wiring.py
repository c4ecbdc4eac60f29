"""The governance app's registrations at start-up: wire() is called once by its AppConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from kinga.core import access, plugins
from kinga.governance import api, indicators, scopes, synth  # noqa: F401  (indicators registers its sources)
from kinga.governance.models import AdvocacyStep, AdvocacyTrack, EquipmentDonation, SocialInfrastructure


def wire() -> None:
    access.register(
        EquipmentDonation, scope=scopes.parties("donor", "recipient"), view_permission="governance.view"
    )
    access.register(
        SocialInfrastructure,
        scope=scopes.parties("organisation", "funded_by"),
        view_permission="governance.view",
    )
    access.register(AdvocacyTrack, scope=scopes.parties("organisation"), view_permission="governance.view")
    access.register(
        AdvocacyStep, scope=scopes.parties("track__organisation"), view_permission="governance.view"
    )
    api.register()
    plugins.register_synth_generator("governance", synth.generate, order=96)
    plugins.register_nav(_("Governance"), "governance:home", permission="governance.view", order=76)
