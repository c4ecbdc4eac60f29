"""`kinga synth`: matching profiles of the synthetic children (bulk-inserted without signals)."""

from __future__ import annotations

from kinga.cases.models import Child
from kinga.core.synth_clone import register_clone

from .models import MatchProfile
from .profiles import save_profiles


def generate(ctx) -> None:
    children = (
        Child.objects.select_related("residence", "place_of_origin").order_by("pk").iterator(chunk_size=2000)
    )
    count = save_profiles(children)
    ctx.inserted("registry_matchprofile", count)


def _register_clones() -> None:
    # National scale: a copy of a child gets a copy of its profile (kinga.core.synth_clone).
    register_clone(MatchProfile, order=15)


_register_clones()
