from django.utils.translation import gettext_lazy as _

from kinga.core import app_wiring


class RegistryConfig(app_wiring.KingaAppConfig):
    name = "kinga.registry"
    label = "registry"
    verbose_name = _("Children's registry")
