from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "kinga.registry"
    label = "registry"
    verbose_name = _("Children's registry")

    def ready(self) -> None:
        # Access rules, navigation, indicator sources and synthetic-data generators of this app
        # are registered here (see kinga/core/access.py and kinga/core/plugins.py).
        pass
