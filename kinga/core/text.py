"""Free text as people type it, without the invisible characters that make it lie.

Unicode's bidirectional controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, the marks
U+200E, U+200F and U+061C) change the order in which text is displayed without being seen: a child's name or a
note can read differently on screen, in an export or in a search than what was stored ("Trojan Source"). Kinga's
languages (French, Swahili, Lingala, Tshiluba, Kikongo) never need them, so every free text is stripped of them
on input, in one place per way in:
- every form's text field (django.forms.CharField and its subclasses) and every API text field (DRF's CharField
  and its subclasses), through `install()` at start-up;
- every cell of an imported file (kinga.core.tabular.clean).
Fields that ask for their input untouched (strip=False / trim_whitespace=False: passwords, TOTP secrets) keep it.
"""

from __future__ import annotations

from django import forms
from rest_framework import serializers

BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings, overrides, pop
    "\u2066\u2067\u2068\u2069"  # isolates
    "\u200e\u200f\u061c"  # left-to-right, right-to-left and Arabic letter marks
)
_TABLE = {ord(c): None for c in BIDI_CONTROLS}


def strip_bidi(text: str) -> str:
    """`text` without bidirectional control characters."""
    return text.translate(_TABLE) if isinstance(text, str) else text


def install() -> None:
    """Strip bidi controls from every form and API text field (called once, by kinga.core.apps)."""
    if getattr(forms.CharField, "_kinga_bidi", False):
        return
    form_to_python = forms.CharField.to_python
    api_to_internal = serializers.CharField.to_internal_value

    def to_python(self, value):
        value = form_to_python(self, value)
        return strip_bidi(value) if self.strip else value

    def to_internal_value(self, data):
        value = api_to_internal(self, data)
        return strip_bidi(value) if self.trim_whitespace else value

    forms.CharField.to_python = to_python
    serializers.CharField.to_internal_value = to_internal_value
    forms.CharField._kinga_bidi = True
