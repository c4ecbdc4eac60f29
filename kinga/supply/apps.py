from django.utils.translation import gettext_lazy as _

from kinga.core import app_wiring


class SupplyConfig(app_wiring.KingaAppConfig):
    name = "kinga.supply"
    label = "supply"
    verbose_name = _("Supply chain")
