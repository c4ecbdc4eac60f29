"""Form fields choosing organisations: each shown by its label ("ACRONYM — full name"), grouped by type.

A caseworker recording a family's consent, a referral or a meeting reads the organisations' names, not
acronyms only; with about sixty organisations in the province, grouping them by type keeps a list readable.
"""

from __future__ import annotations

from django import forms
from django.forms.models import ModelChoiceIterator

from kinga.core.models import Organisation, OrganisationType
from kinga.core.pickers import Picker, PickerMultiple, SearchedField

_TYPE_ORDER = {value: i for i, value in enumerate(OrganisationType.values)}


def group_by_type(organisations) -> list[tuple[str, list[Organisation]]]:
    """The organisations grouped by type (types in their declared order, French names), each group sorted by
    label: for the lists a template writes itself (a filter's <select> with <optgroup>)."""
    groups: dict[str, list[Organisation]] = {}
    for organisation in organisations:
        groups.setdefault(organisation.type, []).append(organisation)
    return [
        (_type_label(kind), sorted(groups[kind], key=lambda o: o.label.casefold()))
        for kind in sorted(groups, key=lambda kind: _TYPE_ORDER.get(kind, len(_TYPE_ORDER)))
    ]


class OrganisationChoiceIterator(ModelChoiceIterator):
    """The choices grouped by organisation type (optgroups), the types in the order they are declared."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups = group_by_type(self.queryset)
        if len(groups) == 1:
            # One type only (the cooperatives, the buyers): a group heading would say nothing.
            yield from (self.choice(o) for o in groups[0][1])
            return
        for label, organisations in groups:
            yield (label, [self.choice(o) for o in organisations])


def _type_label(kind: str) -> str:
    try:
        return str(OrganisationType(kind).label)
    except ValueError:
        return kind


class OrganisationChoiceField(SearchedField, forms.ModelChoiceField):
    """One organisation, through the searchable picker (a plain grouped <select> without JavaScript)."""

    iterator = OrganisationChoiceIterator

    def __init__(self, queryset=None, **kwargs):
        kwargs.setdefault("widget", Picker("organisations"))
        super().__init__(queryset=Organisation.objects.none() if queryset is None else queryset, **kwargs)

    def label_from_instance(self, obj: Organisation) -> str:
        return obj.label


class OrganisationMultipleChoiceField(SearchedField, forms.ModelMultipleChoiceField):
    """Several organisations (an inspection's team, a meeting's participants), through the searchable picker."""

    iterator = OrganisationChoiceIterator

    def __init__(self, queryset=None, **kwargs):
        kwargs.setdefault("widget", PickerMultiple("organisations"))
        super().__init__(queryset=Organisation.objects.none() if queryset is None else queryset, **kwargs)

    def label_from_instance(self, obj: Organisation) -> str:
        return obj.label
