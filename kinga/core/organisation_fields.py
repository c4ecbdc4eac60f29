"""Form fields choosing organisations: each shown by its label ("ACRONYM — full name"), grouped by type.

A caseworker recording a family's consent, a referral or a meeting reads the organisations' names, not
acronyms only; with about sixty organisations in the province, grouping them by type keeps a list readable.
"""

from __future__ import annotations

from django import forms
from django.forms.models import ModelChoiceIterator

from kinga.core.models import Organisation, OrganisationType

_TYPE_ORDER = {value: i for i, value in enumerate(OrganisationType.values)}


class OrganisationChoiceIterator(ModelChoiceIterator):
    """The choices grouped by organisation type (optgroups), the types in the order they are declared."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list] = {}
        for organisation in self.queryset:
            groups.setdefault(organisation.type, []).append(self.choice(organisation))
        for choices in groups.values():
            choices.sort(key=lambda choice: str(choice[1]).casefold())
        if len(groups) == 1:
            # One type only (the cooperatives, the buyers): a group heading would say nothing.
            yield from next(iter(groups.values()))
            return
        for kind in sorted(groups, key=lambda kind: _TYPE_ORDER.get(kind, len(_TYPE_ORDER))):
            yield (_type_label(kind), groups[kind])


def _type_label(kind: str) -> str:
    try:
        return str(OrganisationType(kind).label)
    except ValueError:
        return kind


class OrganisationChoiceField(forms.ModelChoiceField):
    iterator = OrganisationChoiceIterator

    def __init__(self, queryset=None, **kwargs):
        super().__init__(queryset=Organisation.objects.none() if queryset is None else queryset, **kwargs)

    def label_from_instance(self, obj: Organisation) -> str:
        return obj.label


class OrganisationMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = OrganisationChoiceIterator

    def __init__(self, queryset=None, **kwargs):
        super().__init__(queryset=Organisation.objects.none() if queryset is None else queryset, **kwargs)

    def label_from_instance(self, obj: Organisation) -> str:
        return obj.label
