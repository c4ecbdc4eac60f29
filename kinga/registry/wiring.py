"""The registry app's registrations at start-up: wire() is called once by its AppConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from kinga.cases.matching import register_suggester
from kinga.core import access, events, plugins

from . import subscriptions, synth_registry
from .models import CandidatePair
from .selectors import scope_pairs
from .suggestions import cases_suggester


def wire() -> None:
    access.register(CandidatePair, scope=scope_pairs, view_permission="registry.review")
    events.subscribe("cases.child_saved", subscriptions.on_child_saved)
    events.subscribe("cases.same_child_claimed", subscriptions.on_same_child_claimed)
    plugins.register_nav(_("Possible duplicates"), "registry:queue", permission="registry.review", order=25)
    plugins.register_nav(
        _("What the registry learnt"), "registry:learnt", permission="registry.learn", order=26
    )
    plugins.register_synth_generator("registry", synth_registry.generate, order=90)
    register_suggester(cases_suggester)
