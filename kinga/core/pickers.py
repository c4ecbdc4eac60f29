"""One searchable picker for the long choice lists (places, mine sites, services, organisations).

A caseworker on a phone cannot scroll through two hundred towns of every province to find a child's village.
The widget (`Picker`, `PickerMultiple`) renders the plain <select> with every choice, so a form works without
JavaScript; kinga/static/kinga/picker.js then adds a search box whose typing asks the server (`core:pick`,
through htmx) for the matching choices, the user's own area first, and sets the <select> to the one tapped.
The server answers only what the actor may see: each kind reads through kinga.core.access, like every page.

The core never imports a domain app: each app registers its kinds (`register(...)`) in its AppConfig.ready(),
as it registers its access rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django import forms
from django.db.models import Case, IntegerField, Model, Q, QuerySet, Value, When
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.urls import reverse

from kinga.core.access import Actor
from kinga.core.models import Place, PlaceLevel

MAX_RESULTS = 30
VALUE_FIELDS = ("pk", "uuid")  # what an <option>'s value may be: the field's to_field_name


@dataclass(frozen=True)
class Kind:
    """What a picker chooses from.

    `choices(actor)` is everything the actor may choose (read through kinga.core.access: it raises
    PermissionDenied for a role without the permission); `search(queryset, word)` narrows it by one typed word;
    `home(actor)` says which choices come first (the actor's own area), or None; `labels(objects)` names them
    all at once (one query for a list, not one per choice); `order` is the order after the home ones.
    """

    name: str
    choices: Callable[[Actor], QuerySet]
    search: Callable[[QuerySet, str], QuerySet]
    labels: Callable[[Sequence[Model]], list[str]]
    home: Callable[[Actor], Q | None] = lambda actor: None
    order: tuple[str, ...] = ("pk",)


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    _KINDS[kind.name] = kind


def unregister(name: str) -> None:
    """Forget a kind (a test's own kind, once the test is over)."""
    _KINDS.pop(name, None)


def kind(name: str) -> Kind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"No picker kind {name!r}: register it in its app's ready()") from None


def home_first(actor: Actor, name: str, queryset: QuerySet) -> QuerySet:
    """`queryset` ordered with the actor's own area first, then in the kind's order."""
    picker = kind(name)
    home = picker.home(actor)
    if home is None:
        return queryset.order_by(*picker.order)
    ranked = queryset.annotate(
        picker_home=Case(When(home, then=Value(0)), default=Value(1), output_field=IntegerField())
    )
    return ranked.order_by("picker_home", *picker.order)


def search(actor: Actor, name: str, text: str, *, limit: int = MAX_RESULTS) -> list[tuple[Model, str]]:
    """The choices of kind `name` the actor may see that match every word typed, home ones first, labelled."""
    picker = kind(name)
    queryset = picker.choices(actor)
    for word in text.split()[:5]:
        queryset = picker.search(queryset, word)
    found = list(home_first(actor, name, queryset)[:limit])
    return list(zip(found, picker.labels(found), strict=True))


# --- the actor's own area ---------------------------------------------------------------------------------


def home_paths(actor: Actor) -> list[str]:
    """The place paths of the actor's organisation's areas of operation: what "near me" means in Kinga (a
    membership has no place of its own; an organisation declares where it works)."""
    if "home_paths" not in actor._extra:
        organisation = actor.organisation
        paths = [] if organisation is None else [p.path for p in organisation.areas.all() if p.path]
        actor._extra["home_paths"] = paths
    return actor._extra["home_paths"]


def under_home(actor: Actor, path_field: str) -> Q | None:
    """Q: the records whose place (its path in `path_field`) lies in one of the actor's areas."""
    paths = home_paths(actor)
    if not paths:
        return None
    q = Q()
    for path in paths:
        q |= Q(**{f"{path_field}__startswith": path})
    return q


# --- places: "Town, Territory, Province" -------------------------------------------------------------------


def place_labels(places: Sequence[Place]) -> list[str]:
    """Each place named with its territory and province ("Kanina, Kolwezi, Lualaba"): two hundred towns share
    names across provinces, and the name alone does not say which one. One query for the whole list."""
    ancestor_ids = {i for place in places for i in place.ancestors_and_self_ids()}
    names = dict(
        Place.objects.filter(
            id__in=ancestor_ids, level__in=(PlaceLevel.PROVINCE, PlaceLevel.TERRITORY)
        ).values_list("id", "name")
    )
    labels = []
    for place in places:
        parts = [place.name]
        for ancestor_id in reversed(place.ancestors_and_self_ids()):
            if ancestor_id != place.pk and ancestor_id in names and names[ancestor_id] not in parts[-1:]:
                parts.append(names[ancestor_id])
        labels.append(", ".join(parts))
    return labels


def search_places(queryset: QuerySet, word: str) -> QuerySet:
    return queryset.filter(Q(name__icontains=word) | Q(pcode__istartswith=word) | Q(short_code__iexact=word))


# --- the widgets and fields --------------------------------------------------------------------------------


class Picker(forms.Select):
    """A <select> that picker.js turns into a search box (the plain <select> without JavaScript)."""

    template_name = "core/widgets/picker.html"

    def __init__(self, kind: str, attrs=None, *, value_field: str = "pk"):
        super().__init__(attrs)
        self.kind = kind
        self.value_field = value_field

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["picker"] = {
            "url": reverse("core:pick", args=[self.kind]),
            "value_field": self.value_field if self.value_field in VALUE_FIELDS else "pk",
            "multiple": self.allow_multiple_selected,
        }
        return context


class PickerMultiple(Picker, forms.SelectMultiple):
    """Several choices (an inspection's team): chosen ones shown as removable chips above the search box."""

    allow_multiple_selected = True


class _LabelledIterator(ModelChoiceIterator):
    """The choices labelled by their kind in one go (a place's label needs its ancestors' names)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        objects = list(self.queryset)
        for obj, label in zip(objects, kind(self.field.kind).labels(objects), strict=True):
            yield (ModelChoiceIteratorValue(self.field.prepare_value(obj), obj), label)


class PickerChoiceField(forms.ModelChoiceField):
    """A model choice through the searchable picker of kind `kind` ("places", "sites", "services")."""

    iterator = _LabelledIterator

    def __init__(self, kind: str, *, queryset=None, **kwargs):
        self.kind = kind
        kwargs.setdefault("widget", Picker(kind, value_field=kwargs.get("to_field_name") or "pk"))
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj) -> str:
        return kind(self.kind).labels([obj])[0]


class PickerMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = _LabelledIterator

    def __init__(self, kind: str, *, queryset=None, **kwargs):
        self.kind = kind
        kwargs.setdefault("widget", PickerMultiple(kind, value_field=kwargs.get("to_field_name") or "pk"))
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj) -> str:
        return kind(self.kind).labels([obj])[0]
