from django import forms
from django.utils.translation import gettext_lazy as _


class PreferencesForm(forms.Form):
    by_sms = forms.BooleanField(label=_("By SMS on my phone"), required=False)
    by_email = forms.BooleanField(label=_("By e-mail"), required=False)
