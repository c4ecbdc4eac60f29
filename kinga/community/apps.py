from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "kinga.community"
    label = "community"
    verbose_name = _("Community networks and coordination")

    def ready(self) -> None:
        # Access rules, navigation, indicator sources and synthetic-data generators of this app
        # are registered here (see kinga/core/access.py and kinga/core/plugins.py).
        pass
