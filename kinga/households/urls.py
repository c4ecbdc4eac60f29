from django.urls import path

from kinga.households import views, views_production, views_programmes

app_name = "households"

urlpatterns = [
    path("", views.index_page, name="list"),
    path("tableau/", views.dashboard, name="dashboard"),
    path("nouveau/", views.household_add, name="add"),
    path("<uuid:household_uuid>/", views.household_detail, name="detail"),
    path("<uuid:household_uuid>/modifier/", views.household_edit, name="edit"),
    path("<uuid:household_uuid>/membres/ajouter/", views.member_add, name="member_add"),
    path("membres/<uuid:member_uuid>/dossier/", views.member_case, name="member_case"),
    path("<uuid:household_uuid>/enquete/", views.survey_record, name="survey"),
    path("<uuid:household_uuid>/inscrire/", views.enrol, name="enrol"),
    path("inscriptions/<uuid:enrolment_uuid>/", views.enrolment_detail, name="enrolment"),
    path("inscriptions/<uuid:enrolment_uuid>/progres/", views.enrolment_update, name="enrolment_update"),
    path("inscriptions/<uuid:enrolment_uuid>/livraisons/", views.delivery_add, name="delivery_add"),
    path("inscriptions/<uuid:enrolment_uuid>/depots/", views.deposit_add, name="deposit_add"),
    path("importer/", views.import_round, name="import"),
    path("importer/modele.csv", views.import_template, name="import_template"),
    path("importer/<uuid:batch_uuid>/", views.import_detail, name="import_detail"),
    path("passages/", views.rounds, name="rounds"),
    path("passages/<uuid:round_uuid>/modifier/", views.round_edit, name="round_edit"),
    path("indice/", views.index_versions, name="index"),
    path("programmes/", views_programmes.programmes, name="programmes"),
    path("programmes/nouveau/", views_programmes.programme_add, name="programme_add"),
    path("programmes/<uuid:programme_uuid>/", views_programmes.programme_detail, name="programme"),
    path("cooperatives/", views_programmes.cooperatives, name="cooperatives"),
    path("cooperatives/nouvelle/", views_programmes.cooperative_add, name="cooperative_add"),
    path("cooperatives/reseaux/nouveau/", views_programmes.network_add, name="network_add"),
    path("cooperatives/<uuid:cooperative_uuid>/", views_programmes.cooperative_detail, name="cooperative"),
    path(
        "cooperatives/<uuid:cooperative_uuid>/membres/ajouter/",
        views_programmes.cooperative_member_add,
        name="cooperative_member_add",
    ),
    path("<uuid:household_uuid>/recolte/", views_production.harvest_add, name="harvest_add"),
    path("<uuid:household_uuid>/nutrition/", views_production.nutrition_add, name="nutrition_add"),
    path("production/", views_production.production_page, name="production"),
    path("micro-finance/", views_production.groups, name="groups"),
    path("micro-finance/nouveau/", views_production.group_add, name="group_add"),
    path("micro-finance/<uuid:group_uuid>/", views_production.group_detail, name="group"),
    path(
        "micro-finance/<uuid:group_uuid>/membres/", views_production.group_member_add, name="group_member_add"
    ),
    path("micro-finance/<uuid:group_uuid>/prets/", views_production.loan_add, name="loan_add"),
    path("micro-finance/<uuid:group_uuid>/capital/", views_production.capital_add, name="capital_add"),
    path("micro-finance/prets/<uuid:loan_uuid>/", views_production.loan_detail, name="loan"),
]
