from django.urls import path

from kinga.plan import views, views_indicators

app_name = "plan"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("axe/<int:number>/calendrier/", views.gantt, name="gantt"),
    path("budget/", views.budget, name="budget"),
    path("rapprochement/", views.reconciliation, name="reconcile"),
    path("actions/<uuid:uuid>/", views.action_detail, name="action"),
    path("activites/<uuid:uuid>/", views.activity_detail, name="activity"),
    path("engagements/<uuid:uuid>/", views.commitment_detail, name="commitment"),
    path("bailleurs/", views.funders, name="funders"),
    path("bailleurs/<uuid:uuid>/", views.funder_detail, name="funder"),
    path("responsabilites/", views.responsibilities, name="responsibilities"),
    path("indicateurs/", views_indicators.indicator_table, name="indicators"),
    path("indicateurs/<uuid:uuid>/", views_indicators.indicator_detail, name="indicator"),
    path("indicateurs/<uuid:uuid>/saisir/", views_indicators.indicator_enter, name="indicator_enter"),
    path("cibles/<uuid:uuid>/", views_indicators.period_target, name="period_target"),
    path("revisions/", views.revisions, name="revisions"),
    path("taux/", views.exchange_rates, name="rates"),
    path("export/<str:fmt>/", views.export, name="export"),
]
