from django.utils.translation import gettext_lazy as _

from kinga.core import app_wiring


class FundConfig(app_wiring.KingaAppConfig):
    name = "kinga.fund"
    label = "fund"
    verbose_name = _("Artisanal mining support fund")
    url_prefix = "fonds"
