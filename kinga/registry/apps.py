from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from kinga.cases.matching import register_suggester
from kinga.core import access, events, plugins


class RegistryConfig(AppConfig):
    name = "kinga.registry"
    label = "registry"
    verbose_name = _("Children's registry")

    def ready(self) -> None:
        # These modules import models: the app registry must be ready first.
        from . import subscriptions, synth_registry  # noqa: PLC0415
        from .models import CandidatePair  # noqa: PLC0415
        from .selectors import scope_pairs  # noqa: PLC0415
        from .suggestions import cases_suggester  # noqa: PLC0415

        access.register(CandidatePair, scope=scope_pairs, view_permission="registry.review")
        events.subscribe("cases.child_saved", subscriptions.on_child_saved)
        plugins.register_nav(
            _("Possible duplicates"), "registry:queue", permission="registry.review", order=25
        )
        plugins.register_synth_generator("registry", synth_registry.generate, order=90)
        register_suggester(cases_suggester)
