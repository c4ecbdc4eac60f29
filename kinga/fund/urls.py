from django.urls import path

from kinga.fund import views

app_name = "fund"

urlpatterns = [
    path("", views.home, name="home"),
    path("nouveau/", views.fund_add, name="fund_add"),
    path("taux/", views.rate_add, name="rate_add"),
    path("<uuid:fund_uuid>/", views.detail, name="detail"),
    path("<uuid:fund_uuid>/comptes/", views.account_add, name="account_add"),
    path("<uuid:fund_uuid>/recettes/", views.receipt_add, name="receipt_add"),
    path("<uuid:fund_uuid>/commission/", views.commission_add, name="commission_add"),
    path("<uuid:fund_uuid>/decaissements/", views.disbursement_add, name="disbursement_add"),
    path("commissions/<uuid:commission_uuid>/membres/", views.member_add, name="member_add"),
    path("commissions/<uuid:commission_uuid>/sessions/", views.session_add, name="session_add"),
    path("sessions/<uuid:session_uuid>/decisions/", views.decision_add, name="decision_add"),
    path("decaissements/<uuid:disbursement_uuid>/", views.disbursement_detail, name="disbursement"),
    path("decaissements/<uuid:disbursement_uuid>/remboursements/", views.repayment_add, name="repayment_add"),
    path("decaissements/<uuid:disbursement_uuid>/documents/", views.document_add, name="document_add"),
    path("documents/<uuid:document_uuid>/", views.document_download, name="document"),
]
