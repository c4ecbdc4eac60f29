from django.urls import path

from . import views, views_facilities, views_nonreturn, views_steps

app_name = "cases"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("register/", views.register, name="register"),
    path("team/", views.team, name="team"),
    path("stats/", views.stats, name="stats"),
    path("non-retour/", views_nonreturn.non_return, name="non_return"),
    path("export/", views.export, name="export"),
    path("referrals/", views_steps.referrals_out, name="referrals_out"),
    path("referrals/in/", views_steps.referrals_in, name="referrals_in"),
    path("referrals/in/<uuid:uuid>/", views_steps.referral_in, name="referral_in"),
    path("services/", views_steps.directory, name="services"),
    path("services/add/", views_steps.service_add, name="service_add"),
    path("structures/", views_facilities.register, name="facilities"),
    path("structures/inscrire/", views_facilities.facility_add, name="facility_add"),
    path("structures/<uuid:facility_uuid>/", views_facilities.detail, name="facility"),
    path("structures/<uuid:facility_uuid>/statut/", views_facilities.status_add, name="facility_status"),
    path("structures/<uuid:facility_uuid>/travaux/", views_facilities.work_add, name="facility_work"),
    path(
        "structures/travaux/<uuid:work_uuid>/fin/", views_facilities.work_complete, name="facility_work_done"
    ),
    path("rules/", views_steps.rules, name="rules"),
    path("rules/notation/", views_steps.rules_scoring, name="rules_scoring"),
    path("<uuid:uuid>/", views.case_file, name="case"),
    path("<uuid:uuid>/pdf/", views.case_pdf, name="case_pdf"),
    path("<uuid:uuid>/assess/", views_steps.assess, name="assess"),
    path("<uuid:uuid>/plan/", views_steps.plan, name="plan"),
    path("<uuid:uuid>/plan/soumettre/", views_steps.plan_submit, name="plan_submit"),
    path("<uuid:uuid>/plan/<uuid:item_uuid>/", views_steps.plan_item, name="plan_item"),
    path("<uuid:uuid>/plan/decide/", views_steps.plan_decide, name="plan_decide"),
    path("<uuid:uuid>/consent/", views_steps.consent, name="consent"),
    path("<uuid:uuid>/refer/", views_steps.refer, name="refer"),
    path("<uuid:uuid>/follow-up/", views_steps.follow_up, name="follow_up"),
    path("<uuid:uuid>/close/", views_steps.close, name="close"),
    path("<uuid:uuid>/close/decide/", views_steps.close_decide, name="close_decide"),
    path("<uuid:uuid>/retention/<uuid:check_uuid>/", views_steps.retention, name="retention"),
    path("<uuid:uuid>/relapse/", views_steps.relapse, name="relapse"),
    path("<uuid:uuid>/assign/", views_steps.assign, name="assign"),
    path("<uuid:uuid>/photo/", views_steps.photo, name="photo"),
]
