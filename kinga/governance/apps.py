from django.utils.translation import gettext_lazy as _

from kinga.core import app_wiring


class GovernanceConfig(app_wiring.KingaAppConfig):
    name = "kinga.governance"
    label = "governance"
    verbose_name = _("Governance around the mining sites")
    url_prefix = "gouvernance"
