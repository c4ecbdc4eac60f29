from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "kinga.cases"
    label = "cases"
    verbose_name = _("Case management")

    def ready(self) -> None:
        from .rules import register_rules

        register_rules()
