"""Registry decisions: agree that two records are one child, merge them, undo a merge, dismiss a pair.

Every decision is audited. A merge moves the absorbed child's cases — and every other record an app
declared as following the child (kinga.core.plugins.register_child_link) — to the survivor (so both
organisations keep their cases, history and access, and every count of distinct children counts one),
applies the reviewer's field choices to the survivor and keeps, encrypted, what unmerging needs to
restore both children exactly.
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kinga.cases.models import Case, CaseStatus, Child, RelapseSource
from kinga.cases.services import index_child_names, record_relapse
from kinga.core import access, audit, clock, events, plugins, tallies
from kinga.core.access import Actor
from kinga.core.models import AuditAction

from ..models import CandidatePair, MatchProfile, Merge, PairStatus
from ..profiles import save_profiles

# The child's fields a reviewer chooses between when merging (foreign keys by their id).
MERGE_FIELDS = (
    "given_name",
    "middle_name",
    "family_name",
    "other_names",
    "sex",
    "date_of_birth",
    "date_of_birth_estimated",
    "place_of_origin_id",
    "residence_id",
    "caregivers",
    "languages",
    "disability",
    "school_status",
    "last_grade",
)
_DATE_FIELDS = {"date_of_birth"}
# Key of Merge.survivor_before holding the rows moved per child link ({"app.Model.field": [pk, …]}); no
# field of the child can be named so.
LINKS_KEY = "__moved_links__"
CASES_LINK = "cases.Case.child"


def _move_links(*, source, target) -> dict[str, list[int]]:
    """Every registered link from `source` to `target`: the ids of the rows moved, per link."""
    moved = {}
    for link in plugins.child_links():
        model = apps.get_model(link.model)
        rows = model._default_manager.filter(**{link.field: source})
        ids = sorted(rows.values_list("pk", flat=True))
        model._default_manager.filter(pk__in=ids).update(**{link.field: target})
        tallies.changed(model, ids)  # a moved case now counts with its new child's sex
        moved[f"{link.model}.{link.field}"] = ids
    return moved


def _links_of(merge) -> dict[str, list[int]]:
    """The rows a merge moved; merges recorded before links were registered moved cases only."""
    stored = merge.survivor_before.get(LINKS_KEY)
    if stored is None:
        return {CASES_LINK: list(merge.moved_case_ids)}
    return stored


def _restore_links(merge, target) -> None:
    registered = {f"{link.model}.{link.field}" for link in plugins.child_links()}
    for key, ids in _links_of(merge).items():
        if not ids:
            continue
        if key not in registered:
            raise ValidationError(
                {"merge": [_("This merge moved records that no installed module links to a child.")]}
            )
        label, field = key.rsplit(".", 1)
        model = apps.get_model(label)
        model._default_manager.filter(pk__in=ids).update(**{field: target})
        tallies.changed(model, ids)


def owners(child) -> set[int]:
    """Organisations that hold a case of this child (or registered it)."""
    found = set(Case.objects.filter(child=child).values_list("organisation_id", flat=True))
    if child.registered_by_organisation_id:
        found.add(child.registered_by_organisation_id)
    return found


def _check_reviewer(actor: Actor, pair: CandidatePair) -> None:
    access.require(actor, "registry.review")
    if actor.is_system:
        return
    if actor.organisation_id not in owners(pair.child_a) | owners(pair.child_b):
        raise PermissionDenied(_("Neither child belongs to your organisation."))


def _value(child, name: str):
    value = getattr(child, name)
    if name in _DATE_FIELDS and value is not None:
        return value.isoformat()
    if isinstance(value, str):
        return str(value)  # ProtectedValue → plain str for the encrypted snapshot
    return value


def _restore(child, name: str, value):
    if name in _DATE_FIELDS and value:
        value = datetime.date.fromisoformat(value)
    setattr(child, name, value)


def _last_verified(child) -> datetime.datetime:
    last = Case.objects.filter(child=child).aggregate(at=Max("updated_at"))["at"]
    return last or child.created_at


def default_choices(survivor, absorbed) -> dict[str, str]:
    """Per field, the most recently verified value: the child whose cases were updated last wins,
    unless its value is empty."""
    newer = "absorbed" if _last_verified(absorbed) > _last_verified(survivor) else "survivor"
    choices = {}
    for name in MERGE_FIELDS:
        values = {"survivor": _value(survivor, name), "absorbed": _value(absorbed, name)}
        choice = newer
        if values[choice] in (None, "", [], {}) and values[
            "survivor" if choice == "absorbed" else "absorbed"
        ] not in (None, "", [], {}):
            choice = "survivor" if choice == "absorbed" else "absorbed"
        choices[name] = choice
    return choices


@transaction.atomic
def dismiss_pair(*, actor: Actor, pair: CandidatePair) -> CandidatePair:
    _check_reviewer(actor, pair)
    if pair.status not in (PairStatus.OPEN, PairStatus.AWAITING_OTHER):
        raise ValidationError({"status": [_("This pair has already been decided.")]})
    before = audit.snapshot(pair)
    pair.status = PairStatus.DISMISSED
    pair.decided_by = actor.user if not actor.is_system else None
    pair.decided_at = clock.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record_update(actor=actor, obj=pair, before=before, note=gettext_noop("not the same child"))
    return pair


@transaction.atomic
def confirm_pair(*, actor: Actor, pair: CandidatePair, choices: dict[str, str] | None = None) -> Merge | None:
    """The actor's organisation agrees the two records are one child. When every organisation holding
    either child has agreed, the children are merged (returns the Merge); otherwise the pair waits."""
    pair = CandidatePair.objects.select_for_update().get(pk=pair.pk)
    _check_reviewer(actor, pair)
    if pair.status not in (PairStatus.OPEN, PairStatus.AWAITING_OTHER):
        raise ValidationError({"status": [_("This pair has already been decided.")]})
    needed = owners(pair.child_a) | owners(pair.child_b)
    if actor.organisation_id:
        pair.agreed_by.add(actor.organisation_id)
    agreed = set(pair.agreed_by.values_list("pk", flat=True))
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=pair,
        changes={"agreed_by": sorted(agreed)},
        note=gettext_noop("same child: agreed"),
    )
    if not actor.is_system and not needed <= agreed:
        if pair.status != PairStatus.AWAITING_OTHER:
            pair.status = PairStatus.AWAITING_OTHER
            pair.save(update_fields=["status"])
        return None
    return _merge(actor=actor, pair=pair, choices=choices)


def _merge(*, actor: Actor, pair: CandidatePair, choices: dict[str, str] | None) -> Merge:
    survivor, absorbed = pair.child_a, pair.child_b  # the older record survives
    chosen = default_choices(survivor, absorbed)
    for name, side in (choices or {}).items():
        if name not in MERGE_FIELDS or side not in ("survivor", "absorbed"):
            raise ValidationError({name: [_("Choose one of the two records.")]})
        chosen[name] = side
    survivor_before = {name: _value(survivor, name) for name in MERGE_FIELDS}
    before = audit.snapshot(survivor)
    for name, side in chosen.items():
        if side == "absorbed":
            _restore(survivor, name, _value(absorbed, name))
    survivor.save()
    index_child_names(survivor)
    links = _move_links(source=absorbed, target=survivor)
    moved = links.get(CASES_LINK, [])
    merge = Merge.objects.create(
        pair=pair,
        survivor=survivor,
        absorbed=absorbed,
        moved_case_ids=moved,
        survivor_before={**survivor_before, LINKS_KEY: links},
        choices=chosen,
        merged_by=actor.user,
    )
    save_profiles([survivor])
    MatchProfile.objects.filter(child=absorbed).update(active=False)
    pair.status = PairStatus.MERGED
    pair.decided_by = actor.user if not actor.is_system else None
    pair.decided_at = clock.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record_update(actor=actor, obj=survivor, before=before, note=f"merged with {absorbed.audit_label}")
    audit.record_create(
        actor=actor, obj=merge, note=f"{absorbed.audit_label} merged into {survivor.audit_label}"
    )
    if pair.possible_relapse:
        _relapse(actor, survivor)
    events.publish(
        "registry.children_merged",
        survivor_id=survivor.pk,
        absorbed_id=absorbed.pk,
        merge_id=merge.pk,
        case_ids=moved,
    )
    return merge


def _relapse(actor: Actor, child) -> None:
    """A registration matched a child whose case was closed: the cases app records the relapse."""
    closed = Case.objects.filter(child=child, status=CaseStatus.CLOSED).order_by("-closed_on", "-pk").first()
    if closed is None:
        return
    record_relapse(
        actor=actor,
        case=closed,
        source=RelapseSource.REGISTRATION,
        date=clock.today(),
        _skip_team_check=True,
    )


@transaction.atomic
def unmerge(*, actor: Actor, merge: Merge) -> Merge:
    """Undo a merge exactly: the survivor's fields as they were, the cases and every other linked record
    the merge moved back to the absorbed child (and only those)."""
    merge = Merge.objects.select_for_update().select_related("pair", "survivor", "absorbed").get(pk=merge.pk)
    _check_reviewer(actor, merge.pair)
    if merge.unmerged_at is not None:
        raise ValidationError({"merge": [_("This merge has already been undone.")]})
    survivor, absorbed = merge.survivor, merge.absorbed
    before = audit.snapshot(survivor)
    for name, value in merge.survivor_before.items():
        if name != LINKS_KEY:
            _restore(survivor, name, value)
    survivor.save()
    index_child_names(survivor)
    _restore_links(merge, absorbed)
    save_profiles([survivor, absorbed])
    MatchProfile.objects.filter(child=absorbed).update(active=True)
    merge.unmerged_by = actor.user
    merge.unmerged_at = clock.now()
    merge.save(update_fields=["unmerged_by", "unmerged_at"])
    pair = merge.pair
    pair_before = audit.snapshot(pair)
    pair.status = PairStatus.DISMISSED  # undone because they are two children: never proposed again
    pair.save(update_fields=["status"])
    audit.record_update(
        actor=actor, obj=survivor, before=before, note=f"unmerged from {absorbed.audit_label}"
    )
    audit.record_update(actor=actor, obj=pair, before=pair_before, note=gettext_noop("merge undone"))
    audit.record(actor=actor, action=AuditAction.UPDATE, target=merge, note=gettext_noop("merge undone"))
    events.publish(
        "registry.children_unmerged",
        survivor_id=survivor.pk,
        absorbed_id=absorbed.pk,
        merge_id=merge.pk,
        case_ids=list(merge.moved_case_ids),
    )
    return merge


def field_label(name: str) -> str:
    return str(Child._meta.get_field(name.removesuffix("_id")).verbose_name)


def field_display(child, name: str) -> str:
    """A field's value as a reviewer reads it (only ever shown to someone who sees both identities)."""
    field = child._meta.get_field(name.removesuffix("_id"))
    if field.is_relation:
        related = getattr(child, field.name)
        return str(related.name) if related else ""
    value = getattr(child, name)
    if name == "caregivers":
        return ", ".join(str(c.get("name", "")) for c in value or [] if isinstance(c, dict))
    if name == "languages":
        return ", ".join(value or [])
    if field.choices:
        return str(getattr(child, f"get_{name}_display")())
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None:
        return ""
    return str(value)
