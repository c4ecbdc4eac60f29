from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "kinga.registry"
    label = "registry"
    verbose_name = _("Children's registry")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from kinga.cases.models import Child
        from kinga.core import access, plugins

        from . import signals, synth_registry
        from .models import CandidatePair
        from .selectors import scope_pairs

        access.register(CandidatePair, scope=scope_pairs, view_permission="registry.review")
        post_save.connect(signals.child_saved, sender=Child, dispatch_uid="registry.child_saved")
        plugins.register_nav(
            _("Possible duplicates"), "registry:queue", permission="registry.review", order=25
        )
        plugins.register_synth_generator("registry", synth_registry.generate, order=90)
        from kinga.cases.matching import register_suggester

        from .suggestions import cases_suggester

        register_suggester(cases_suggester)
