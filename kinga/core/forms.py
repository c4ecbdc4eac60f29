from django import forms
from django.utils.translation import gettext_lazy as _

from kinga.core.models import Place, PlaceLevel


class PlaceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ModelChoiceField(label=_("Parent place"), queryset=Place.objects.none())
    level = forms.TypedChoiceField(
        label=_("Level"), choices=[c for c in PlaceLevel.choices if c[0] >= PlaceLevel.COMMUNE], coerce=int
    )
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9, decimal_places=6)

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    expires_at = forms.DateTimeField(label=_("Expires on (optional)"), required=False)
