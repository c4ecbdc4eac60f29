"""One searchable picker for the long choice lists (places, mine sites, services, organisations).

A caseworker on a phone cannot scroll through two hundred towns of every province to find a child's village,
and a slow link cannot carry thousands of <option>s (the national database made forms of 600 KB). The widget
(`Picker`, `PickerMultiple`) therefore renders a plain <select> holding only the chosen value(s) and the first
MAX_RESULTS choices (the actor's own area first), with a search text box and a « Chercher » button: without
JavaScript, the button sends the form back, which is not saved but shown again with everything typed kept and
the matches of the search in the <select>. kinga/static/kinga/picker.js replaces these by a search box whose
typing asks the server (`core:pick`, through htmx) for the matching choices and adds the one tapped to the
<select>. Whatever was rendered, the field accepts any value of its queryset (all the actor may choose) and
refuses the others. The server answers only what the actor may see: each kind reads through kinga.core.access.

The core never imports a domain app: each app registers its kinds (`register(...)`) in its AppConfig.ready(),
as it registers its access rules.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Model,
    Q,
    QuerySet,
    Value,
    When,
)
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinga.core.access import Actor
from kinga.core.models import Place, PlaceLevel

MAX_RESULTS = 30
VALUE_FIELDS = ("pk", "uuid")  # what an <option>'s value may be: the field's to_field_name
SEARCH_BUTTON = "picker-search"  # the « Chercher » button's name; its value names the field searched
SEARCH_SUFFIX = "__chercher"  # the search text box of field NAME is NAME__chercher

# The actor of the request being served (set by kinga.core.middleware.ActorMiddleware): a picker rendered
# inside a form has no request, yet its first choices are the actor's own area.
_serving: ContextVar[Actor | None] = ContextVar("kinga_picker_actor", default=None)


@contextmanager
def serving(actor: Actor | None) -> Iterator[None]:
    token = _serving.set(actor)
    try:
        yield
    finally:
        _serving.reset(token)


@dataclass(frozen=True)
class Kind:
    """What a picker chooses from.

    `choices(actor)` is everything the actor may choose (read through kinga.core.access: it raises
    PermissionDenied for a role without the permission); `search(queryset, word)` narrows it by one typed word;
    `home(actor)` says which choices come first (the actor's own area), or None; `labels(objects)` names them
    all at once (one query for a list, not one per choice); `order` is the order after the home ones;
    `nearest(queryset, latitude, longitude)`, for kinds with a position (sites), orders them nearest first
    when the form knows where the user is.
    """

    name: str
    choices: Callable[[Actor], QuerySet]
    search: Callable[[QuerySet, str], QuerySet]
    labels: Callable[[Sequence[Model]], list[str]]
    home: Callable[[Actor], Q | None] = lambda actor: None
    order: tuple[str, ...] = ("pk",)
    nearest: Callable[[QuerySet, float, float], QuerySet] | None = None


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


def matching(name: str, queryset: QuerySet, text: str) -> QuerySet:
    """`queryset` narrowed to the choices matching every word of `text` (five words at most)."""
    picker = kind(name)
    for word in text.split()[:5]:
        queryset = picker.search(queryset, word)
    return queryset


def search(
    actor: Actor, name: str, text: str, *, limit: int = MAX_RESULTS, near: tuple[float, float] | None = None
) -> list[tuple[Model, str]]:
    """The choices of kind `name` the actor may see that match every word typed, labelled: the nearest first
    when a position is given and the kind has one, else the actor's own area first."""
    picker = kind(name)
    found = matching(name, picker.choices(actor), text)
    if near is not None and picker.nearest is not None:
        found = picker.nearest(found, *near)
    else:
        found = home_first(actor, name, found)
    found = list(found[:limit])
    return list(zip(found, picker.labels(found), strict=True))


def by_distance(queryset: QuerySet, latitude: float, longitude: float) -> QuerySet:
    """Records with `latitude`/`longitude` fields, nearest to the point first (those without a position last).
    A flat approximation (longitude degrees shrunk by the cosine of the latitude) is exact enough to rank
    places within a province."""
    shrink = math.cos(math.radians(latitude))
    north = ExpressionWrapper(F("latitude") - Value(latitude), output_field=FloatField())
    east = ExpressionWrapper((F("longitude") - Value(longitude)) * Value(shrink), output_field=FloatField())
    distance = ExpressionWrapper(north * north + east * east, output_field=FloatField())
    return queryset.annotate(picker_distance=distance).order_by(
        F("picker_distance").asc(nulls_last=True), "pk"
    )


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
    """A <select> holding the chosen value(s) and the first choices, with a search box and a « Chercher »
    button for the others (picker.js turns them into a search as one types)."""

    template_name = "core/widgets/picker.html"

    def __init__(self, kind: str, attrs=None, *, value_field: str = "pk"):
        super().__init__(attrs)
        self.kind = kind
        self.value_field = value_field
        self.search_text = ""  # what was searched without JavaScript (the form sent back by « Chercher »)
        self.complete = True  # whether the <select> holds every choice of the field (set on rendering)

    def value_from_datadict(self, data, files, name):
        if data.get(SEARCH_BUTTON) == name:
            self.search_text = (data.get(name + SEARCH_SUFFIX) or "").strip()[:100]
        return super().value_from_datadict(data, files, name)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["picker"] = {
            "url": reverse("core:pick", args=[self.kind]),
            "value_field": self.value_field if self.value_field in VALUE_FIELDS else "pk",
            "multiple": self.allow_multiple_selected,
            "complete": self.complete,
            "search_name": name + SEARCH_SUFFIX,
            "search_id": f"{context['widget']['attrs'].get('id') or name}{SEARCH_SUFFIX}",
            "search_text": self.search_text,
            "button_name": SEARCH_BUTTON,
        }
        return context

    def optgroups(self, name, value, attrs=None):
        every = self.choices
        self.choices = self.rendered_choices(value)
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = every

    def rendered_choices(self, values):
        """The choices put in the <select>: the chosen ones, then the search's matches or the first choices
        (the actor's own area first), MAX_RESULTS at most - never the thousands a national database holds."""
        iterator = self.choices
        if not isinstance(iterator, ModelChoiceIterator):
            return iterator  # a short fixed list
        field = iterator.field
        queryset = field.queryset
        key = field.to_field_name or "pk"
        wanted = [str(v) for v in values if v not in (None, "")]
        chosen = []
        if wanted:
            try:
                chosen = list(queryset.filter(**{f"{key}__in": wanted}))
            except (ValueError, ValidationError):  # a value of the wrong shape: refused by the field
                chosen = []
        candidates = queryset
        if self.search_text:
            candidates = matching(self.kind, queryset, self.search_text)
        actor = _serving.get()
        if actor is not None:
            candidates = home_first(actor, self.kind, candidates)
        first = list(candidates[: MAX_RESULTS + 1])
        self.complete = not self.search_text and len(first) <= MAX_RESULTS
        seen = {obj.pk for obj in chosen}
        objects = chosen + [obj for obj in first[:MAX_RESULTS] if obj.pk not in seen]
        rendered = iterator.__class__(field)
        rendered.queryset = objects
        return list(rendered)


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


class SearchedField:
    """What every picker field does: a form sent back by a picker's « Chercher » button (no JavaScript) is
    not saved: it is shown again, everything typed kept, with the search's matches in the <select>."""

    def clean(self, value):
        text = getattr(self.widget, "search_text", "")
        if text:
            found = matching(self.widget.kind, self.queryset, text).count()
            if not found:
                raise ValidationError(
                    _("Nothing found for « %(text)s »: try other letters.") % {"text": text}
                )
            raise ValidationError(
                ngettext(
                    "Search « %(text)s »: %(count)d result in the list; choose it, then save.",
                    "Search « %(text)s »: %(count)d results in the list; choose one, then save.",
                    found,
                )
                % {"text": text, "count": found}
            )
        return super().clean(value)


class PickerChoiceField(SearchedField, forms.ModelChoiceField):
    """A model choice through the searchable picker of kind `kind` ("places", "sites", "services")."""

    iterator = _LabelledIterator

    def __init__(self, kind: str, *, queryset=None, **kwargs):
        self.kind = kind
        kwargs.setdefault("widget", Picker(kind, value_field=kwargs.get("to_field_name") or "pk"))
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj) -> str:
        return kind(self.kind).labels([obj])[0]


class PickerMultipleChoiceField(SearchedField, forms.ModelMultipleChoiceField):
    iterator = _LabelledIterator

    def __init__(self, kind: str, *, queryset=None, **kwargs):
        self.kind = kind
        kwargs.setdefault("widget", PickerMultiple(kind, value_field=kwargs.get("to_field_name") or "pk"))
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj) -> str:
        return kind(self.kind).labels([obj])[0]
