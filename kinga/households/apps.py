from django.utils.translation import gettext_lazy as _

from kinga.core import app_wiring


class HouseholdsConfig(app_wiring.KingaAppConfig):
    name = "kinga.households"
    label = "households"
    verbose_name = _("Households")
