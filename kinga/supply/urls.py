from django.urls import path

from kinga.supply import views, views_partners, views_report

app_name = "supply"

urlpatterns = [
    path("", views.home, name="home"),
    path("lots/", views.lot_list, name="lots"),
    path("lots/nouveau/", views.lot_add, name="lot_add"),
    path("lots/<uuid:lot_uuid>/", views.lot_detail, name="lot_detail"),
    path("lots/<uuid:lot_uuid>/decider/", views.lot_decide, name="lot_decide"),
    path(
        "autorisations/<uuid:authorisation_uuid>/derogation/", views.override_request, name="override_request"
    ),
    path(
        "autorisations/<uuid:authorisation_uuid>/derogation/decider/",
        views.override_decide,
        name="override_decide",
    ),
    path("cooperatives/", views.cooperative_list, name="cooperatives"),
    path("cooperatives/<uuid:cooperative_uuid>/", views.cooperative_detail, name="cooperative_detail"),
    path("cooperatives/<uuid:cooperative_uuid>/documents/", views.document_add, name="document_add"),
    path("cooperatives/<uuid:cooperative_uuid>/membres/", views.miner_add, name="miner_add"),
    path("cooperatives/<uuid:cooperative_uuid>/membres/liste/", views.miner_list, name="miner_list"),
    path(
        "cooperatives/<uuid:cooperative_uuid>/membres/<uuid:miner_uuid>/depart/",
        views.miner_leave,
        name="miner_leave",
    ),
    path("production/", views.production_list, name="production"),
    path("production/saisir/", views.production_add, name="production_add"),
    path("diligence/", views_report.due_diligence, name="due_diligence"),
    path("accords/", views_partners.agreement_list, name="agreements"),
    path("accords/nouveau/", views_partners.agreement_add, name="agreement_add"),
    path("accords/<uuid:uuid>/", views_partners.agreement_detail, name="agreement"),
    path("accords/<uuid:uuid>/visites/", views_partners.visit_add, name="visit_add"),
    path("accords/<uuid:uuid>/manquements/", views_partners.breach_add, name="breach_add"),
    path("manquements/<uuid:uuid>/resolu/", views_partners.breach_resolve, name="breach_resolve"),
    path("engagements/", views_partners.commitment_list, name="commitments"),
    path("engagements/nouveau/", views_partners.commitment_add, name="commitment_add"),
    path("engagements/<uuid:uuid>/", views_partners.commitment_edit, name="commitment_edit"),
    path("engagements/<uuid:uuid>/preuve/", views_partners.commitment_evidence, name="commitment_evidence"),
    path("documents-requis/", views.document_types, name="document_types"),
    path("documents-requis/ajouter/", views.document_type_edit, name="document_type_add"),
    path("documents-requis/<uuid:type_uuid>/", views.document_type_edit, name="document_type_edit"),
]
