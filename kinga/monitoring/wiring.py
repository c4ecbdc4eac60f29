"""The monitoring app's registrations at start-up: wire() is called once by its AppConfig.ready().

The app sits above every other (pyproject.toml, import-linter layers): it reads their selectors and the
indicator registry; the only records it writes are its own, the plan's reports."""

from django.utils.translation import gettext_lazy as _

from kinga.core import access, plugins
from kinga.core.roles import Role
from kinga.monitoring import api, api_cost, models, views


def wire() -> None:
    # A report is the province's: every role with the permission sees and downloads every one.
    access.register(models.Report, scope=access.unscoped, view_permission="monitoring.build_reports")
    plugins.register_nav(
        _("Province dashboard"), "monitoring:dashboard", permission="monitoring.view_dashboard", order=5
    )
    plugins.register_nav(
        _("Reports of the plan"), "monitoring:reports", permission="monitoring.build_reports", order=6
    )
    plugins.register_api("monitoring/dashboard", api.DashboardViewSet, basename="monitoring-dashboard")
    plugins.register_nav(
        _("Cost per result"), "monitoring:cost_per_result", permission="plan.export", order=12
    )
    plugins.register_api(
        "monitoring/costs-per-result", api_cost.CostPerResultViewSet, basename="monitoring-cost-per-result"
    )
    plugins.register_api("monitoring/reports", api.ReportViewSet, basename="monitoring-report")
    plugins.register_home_panel(
        "province_dashboard", roles=[Role.COORDINATOR, Role.VIEWER], order=10, build=views.home_panel
    )
