from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("recus/", views.inbound, name="inbound"),
    path("journal/", views.log, name="log"),
    # The SMS/USSD gateway's webhook (token, no session): coded alerts in, the reply out.
    path("sms/", views.sms_webhook, name="sms_webhook"),
]
