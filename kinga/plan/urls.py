from django.urls import path

from kinga.plan import views, views_deliverables, views_dhis2, views_indicators

app_name = "plan"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("axe/<int:number>/calendrier/", views.gantt, name="gantt"),
    path("budget/", views.budget, name="budget"),
    path("rapprochement/", views.reconciliation, name="reconcile"),
    path("actions/<uuid:uuid>/", views.action_detail, name="action"),
    path("actions/<uuid:uuid>/cout/", views.action_cost, name="action_cost"),
    path("actions/<uuid:uuid>/executants/", views.action_implementers, name="action_implementers"),
    path("actions/<uuid:uuid>/activite/", views.action_add_activity, name="action_add_activity"),
    path("actions/<uuid:uuid>/engagement/", views.action_commitment, name="action_commitment"),
    path("activites/<uuid:uuid>/", views.activity_detail, name="activity"),
    path("activites/<uuid:uuid>/avancement/", views.activity_progress, name="activity_progress"),
    path("activites/<uuid:uuid>/revision/", views.activity_revise, name="activity_revise"),
    path("activites/<uuid:uuid>/livrables/", views_deliverables.deliverable_add, name="deliverable_add"),
    path("livrables/", views_deliverables.deliverable_list, name="deliverables"),
    path("livrables/<uuid:uuid>/", views_deliverables.deliverable_detail, name="deliverable"),
    path("livrables/<uuid:uuid>/decision/", views_deliverables.deliverable_review, name="deliverable_review"),
    path("livrables/<uuid:uuid>/fichier/", views_deliverables.deliverable_file, name="deliverable_file"),
    path("engagements/<uuid:uuid>/", views.commitment_detail, name="commitment"),
    path("bailleurs/", views.funders, name="funders"),
    path("bailleurs/<uuid:uuid>/", views.funder_detail, name="funder"),
    path("responsabilites/", views.responsibilities, name="responsibilities"),
    path("indicateurs/", views_indicators.indicator_table, name="indicators"),
    path("niveaux/", views_indicators.levels, name="levels"),
    path("indicateurs/<uuid:uuid>/", views_indicators.indicator_detail, name="indicator"),
    path(
        "indicateurs/<uuid:uuid>/cible/", views_indicators.indicator_add_target, name="indicator_add_target"
    ),
    path(
        "indicateurs/<uuid:uuid>/cible-finale/",
        views_indicators.indicator_final_target,
        name="indicator_final_target",
    ),
    path("indicateurs/<uuid:uuid>/saisir/", views_indicators.indicator_enter, name="indicator_enter"),
    path("cibles/<uuid:uuid>/", views_indicators.period_target, name="period_target"),
    path("cibles/<uuid:uuid>/revision/", views_indicators.period_target_revise, name="period_target_revise"),
    path(
        "cibles/<uuid:uuid>/suppression/", views_indicators.period_target_remove, name="period_target_remove"
    ),
    path("indicateurs/export/", views_dhis2.indicators_export, name="indicators_export"),
    path("dhis2/", views_dhis2.dhis2_overview, name="dhis2"),
    path("dhis2/parametres/", views_dhis2.dhis2_settings, name="dhis2_settings"),
    path("dhis2/elements/<uuid:uuid>/", views_dhis2.dhis2_element, name="dhis2_element"),
    path("dhis2/unites/", views_dhis2.dhis2_org_unit, name="dhis2_org_unit"),
    path("dhis2/combinaisons/", views_dhis2.dhis2_combo, name="dhis2_combo"),
    path("dhis2/envoyer/", views_dhis2.dhis2_push, name="dhis2_push"),
    path("dhis2/envois/<uuid:uuid>/", views_dhis2.dhis2_push_detail, name="dhis2_push_detail"),
    path("revisions/", views.revisions, name="revisions"),
    path("taux/", views.exchange_rates, name="rates"),
    path("export/<str:fmt>/", views.export, name="export"),
]
