from django.urls import path

from kinga.monitoring import views, views_cost

app_name = "monitoring"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cout-par-resultat/", views_cost.cost_per_result, name="cost_per_result"),
    path("rapports/", views.reports, name="reports"),
    path("rapports/demander/", views.report_request, name="report_request"),
    path("rapports/nettoyer/", views.report_prune, name="report_prune"),
    path("rapports/<uuid:uuid>/telecharger/", views.report_download, name="report_download"),
]
