from django.urls import path

from kinga.households import views, views_programmes

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
]
