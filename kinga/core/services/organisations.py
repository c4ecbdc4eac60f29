"""Organisations and the names that designate them (name, acronym, aliases: imports resolve them)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kinga.core import access, audit
from kinga.core.access import Actor
from kinga.core.crypto import normalise
from kinga.core.models import Organisation, OrganisationAlias, OrganisationType, Place, PlaceLevel


def _alias_key(text: str) -> str:
    return normalise(text).replace(" ", "")


def resolve_organisation(text: str) -> Organisation | None:
    """The organisation a name, acronym or alias designates (accents, case, spaces and dots folded)."""
    key = _alias_key(text)
    if not key:
        return None
    alias = OrganisationAlias.objects.select_related("organisation").filter(normalised=key).first()
    return alias.organisation if alias else None


def add_alias(organisation: Organisation, alias: str) -> None:
    """One more name that designates the organisation (the reference loader adds the known spellings)."""
    key = _alias_key(alias)
    if not key:
        return
    existing = OrganisationAlias.objects.filter(normalised=key).first()
    if existing is None:
        OrganisationAlias.objects.create(organisation=organisation, alias=alias, normalised=key)
    elif existing.organisation_id != organisation.pk:
        raise ValidationError(
            {
                "aliases": [
                    _("“%(alias)s” already designates %(org)s.")
                    % {"alias": alias, "org": existing.organisation}
                ]
            }
        )


def _clean_aliases(aliases: list[str] | None) -> list[str]:
    seen, result = set(), []
    for alias in aliases or []:
        alias = (alias or "").strip()
        if alias and _alias_key(alias) not in seen:
            seen.add(_alias_key(alias))
            result.append(alias)
    return result


def _check_areas(areas: list[Place] | None) -> None:
    if areas and any(area.level > PlaceLevel.GROUPEMENT for area in areas):
        raise ValidationError({"areas": [_("Areas of operation are provinces, territories or communes.")]})


@transaction.atomic
def create_organisation(
    *,
    actor: Actor,
    name: str,
    type: str,
    acronym: str = "",
    aliases: list[str] | None = None,
    areas: list[Place] | None = None,
    is_reference: bool = False,
) -> Organisation:
    """A new organisation; its name, acronym and aliases all designate it (imports resolve them)."""
    access.require(actor, "core.manage_organisations")
    name = (name or "").strip()
    acronym = (acronym or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("The name is required.")]
    if type not in OrganisationType.values:
        errors["type"] = [_("Unknown organisation type.")]
    if name and Organisation.objects.filter(name__iexact=name).exists():
        errors["name"] = [_("An organisation of this name already exists.")]
    if errors:
        raise ValidationError(errors)
    _check_areas(areas)
    organisation = Organisation.objects.create(
        name=name, acronym=acronym, type=type, is_reference=is_reference
    )
    for alias in _clean_aliases([name, acronym, *(aliases or [])]):
        add_alias(organisation, alias)
    if areas:
        organisation.areas.set(areas)
    audit.record_create(
        actor=actor,
        obj=organisation,
        extra_changes={
            "aliases": [None, _clean_aliases(aliases)],
            "areas": [None, sorted(a.pcode or a.name for a in areas or [])],
        },
    )
    return organisation


@transaction.atomic
def update_organisation(*, actor: Actor, organisation: Organisation, **changes) -> Organisation:
    """Change an organisation. `aliases` replaces its other names (name and acronym always stay aliases);
    `areas` replaces its areas of operation."""
    access.require(actor, "core.manage_organisations")
    allowed = {"name", "acronym", "type", "is_active"}
    unknown = set(changes) - allowed - {"aliases", "areas"}
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed.")] for field in unknown})
    errors: dict[str, list[str]] = {}
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            errors["name"] = [_("The name is required.")]
        elif Organisation.objects.filter(name__iexact=changes["name"]).exclude(pk=organisation.pk).exists():
            errors["name"] = [_("An organisation of this name already exists.")]
    if "acronym" in changes:
        changes["acronym"] = (changes["acronym"] or "").strip()
    if "type" in changes and changes["type"] not in OrganisationType.values:
        errors["type"] = [_("Unknown organisation type.")]
    if errors:
        raise ValidationError(errors)
    _check_areas(changes.get("areas"))
    before = audit.snapshot(organisation)
    old_aliases = sorted(a.alias for a in organisation.aliases.all())
    old_areas = sorted(a.pcode or a.name for a in organisation.areas.all())
    fields = [f for f in allowed if f in changes]
    for field in fields:
        setattr(organisation, field, changes[field])
    if fields:
        organisation.save(update_fields=fields)
    if "aliases" in changes or "name" in changes or "acronym" in changes:
        kept = _clean_aliases(
            [organisation.name, organisation.acronym]
            + (changes["aliases"] if "aliases" in changes else [a for a in old_aliases])
        )
        keys = {_alias_key(a) for a in kept}
        organisation.aliases.exclude(normalised__in=keys).delete()
        for alias in kept:
            add_alias(organisation, alias)
    if "areas" in changes:
        organisation.areas.set(changes["areas"] or [])
    extra = {}
    new_aliases = sorted(a.alias for a in organisation.aliases.all())
    if new_aliases != old_aliases:
        extra["aliases"] = [old_aliases, new_aliases]
    new_areas = sorted(a.pcode or a.name for a in organisation.areas.all())
    if new_areas != old_areas:
        extra["areas"] = [old_areas, new_areas]
    audit.record_update(actor=actor, obj=organisation, before=before, extra_changes=extra)
    return organisation
