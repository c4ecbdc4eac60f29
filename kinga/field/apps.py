from django.utils.translation import gettext_lazy as _

from kinga.core import app_wiring


class FieldConfig(app_wiring.KingaAppConfig):
    name = "kinga.field"
    label = "field"
    verbose_name = _("Field capture")
    url_prefix = "terrain"  # pages under /terrain/ (French paths)
