from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "kinga.households"
    label = "households"
    verbose_name = _("Households")

    def ready(self) -> None:
        # Access rules, navigation, indicator sources and synthetic-data generators of this app
        # are registered here (see kinga/core/access.py and kinga/core/plugins.py).
        pass
