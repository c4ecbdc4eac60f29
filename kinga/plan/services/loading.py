"""`kinga plan load`: apply a validated plan file to the database, atomically and idempotently.

- Same content as the loaded baseline: nothing is written.
- Changed content: the baseline (and the current plan) are updated and the changes are listed.
- If users revised the plan since the last load, a changed file is refused unless `force=True`
  (then the file's values replace the revised ones, and the reload is itself a revision).
- Any error (file or organisation names) raises PlanFileError and rolls everything back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_noop

from kinga.core import access, audit, clock
from kinga.core.access import Actor
from kinga.core.actors import system_actor
from kinga.core.services import resolve_organisation
from kinga.plan.models import (
    Action,
    Activity,
    Axis,
    Indicator,
    Party,
    PartyRole,
    Plan,
    PlanRevision,
    RevisionKind,
    Tag,
)
from kinga.plan.planfile import PlanFileError, default_plan_path, read_plan_file, strip_lines
from kinga.plan.renames import carry_renamed_indicators


class PlanRevisedError(Exception):
    """The plan was revised by users since it was loaded: reloading would overwrite their changes."""


@dataclass
class LoadResult:
    plan: Plan
    created: bool = False
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)


def _diff(old: Any, new: Any, path: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        lines = []
        for key in sorted(set(old) | set(new), key=str):
            lines += _diff(old.get(key), new.get(key), f"{path}.{key}" if path else str(key))
        return lines
    if isinstance(old, list) and isinstance(new, list) and all(isinstance(v, dict) for v in old + new):
        lines = []
        for i in range(max(len(old), len(new))):
            o = old[i] if i < len(old) else None
            n = new[i] if i < len(new) else None
            lines += _diff(o, n, f"{path}[{i + 1}]")
        return lines
    if old != new:
        return [f"{path}: {_short(old)} → {_short(new)}"]
    return []


def _short(value: Any) -> str:
    text = "∅" if value is None else str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _cells_values(spec: dict) -> dict:
    """Model field values of the logical-framework cells of an action or activity spec."""
    period, cost = spec["period"], spec["cost"]
    return {
        "objectives": spec["objectives"],
        "expected_results": spec["expected_results"],
        "targets_text": spec["targets_text"],
        "period_as_written": period["as_written"] if period else "",
        "duration_months": period["months"] if period else None,
        "period_ambiguous": period["ambiguous"] if period else False,
        "period_note": period["note"] if period else "",
        "cost_usd": Decimal(cost["usd"]) if cost else None,
        "cost_as_written": cost["as_written"] if cost else "",
        "cost_ambiguous": cost["ambiguous"] if cost else False,
        "cost_note": cost["note"] if cost else "",
        "corrections": spec["corrections"],
    }


def _party_labels(parties: list[dict]) -> list[str]:
    return [p["as_written"] for p in parties]


def _baseline_of(spec: dict, title: str) -> dict:
    values = _cells_values(spec)
    values["cost_usd"] = int(values["cost_usd"]) if values["cost_usd"] is not None else None
    values.pop("corrections")
    return {
        "title": title,
        **values,
        "funding_sources": _party_labels(spec["funding_sources"]),
        "implementers": _party_labels(spec["implementers"]),
    }


def _apply_fields(obj, values: dict) -> list[str]:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def _resolve_parties(spec: dict, file: str) -> None:
    """Resolve every organisation name of the spec before writing anything (errors name the line)."""

    def resolve(parties: list[dict]) -> None:
        for party in parties:
            if "org" in party:
                organisation = resolve_organisation(party["org"])
                if organisation is None:
                    raise PlanFileError(
                        file,
                        party.get("line"),
                        f"unknown organisation « {party['org']} »: add it (or an alias) to the organisations "
                        "reference data, or use a category",
                    )
                party["_organisation"] = organisation

    for line in spec["synthesis"]["lines"]:
        resolve(line["funding_sources"])
    for axis in spec["axes"]:
        for action in axis["actions"]:
            resolve(action["funding_sources"])
            resolve(action["implementers"])
            for activity in action["activities"]:
                resolve(activity["funding_sources"])
                resolve(activity["implementers"])


def _replace_parties(holder: dict, spec_parties: list[dict], role: str) -> None:
    Party.objects.filter(role=role, **holder).delete()
    Party.objects.bulk_create(
        [
            Party(
                role=role,
                organisation=p.get("_organisation"),
                category=p.get("category", ""),
                as_written=p["as_written"],
                position=i,
                **holder,
            )
            for i, p in enumerate(spec_parties)
        ]
    )


def load_plan(*, actor: Actor, path: str | Path | None = None, force: bool = False) -> LoadResult:
    path = Path(path) if path else default_plan_path()
    spec, digest = read_plan_file(path)
    access.require(actor, "plan.edit")
    with transaction.atomic():
        return _load(actor=actor, spec=spec, digest=digest, file=str(path), force=force)


def _load(*, actor: Actor, spec: dict, digest: str, file: str, force: bool) -> LoadResult:
    baseline = strip_lines(spec)
    plan = Plan.objects.select_for_update().filter(code=spec["code"]).first()
    created = plan is None
    if plan is not None and plan.baseline == baseline:
        return LoadResult(plan=plan)
    changes = _diff(plan.baseline, baseline) if plan is not None else []
    revised_since = (
        plan is not None
        and PlanRevision.objects.filter(plan=plan, kind__in=[RevisionKind.CREATE, RevisionKind.UPDATE])
        .filter(at__gt=plan.loaded_at or clock.now())
        .exists()
    )
    if revised_since and not force:
        raise PlanRevisedError(
            "The plan was revised by its users since it was loaded: reloading the file would overwrite their "
            "changes. Use --force to reload anyway (the reload is recorded as a revision)."
        )
    _resolve_parties(spec, file)
    plan_values = {
        "title": spec["title"],
        "author": spec["author"],
        "year": spec["year"],
        "currency": spec["currency"],
        "source": spec["source"],
        "source_file": file[-500:],
        "source_digest": digest,
        "baseline": baseline,
        "loaded_at": clock.now(),
    }
    if plan is None:
        plan = Plan.objects.create(code=spec["code"], **plan_values)
    else:
        _apply_fields(plan, plan_values)
        plan.save()

    tags = {}
    for tag_spec in spec["tags"]:
        tag, _ = Tag.objects.update_or_create(
            code=tag_spec["code"],
            defaults={k: tag_spec[k] for k in ("kind", "label_fr", "label_en")},
        )
        tags[tag.code] = tag

    synthesis = {line["axis"]: line for line in spec["synthesis"]["lines"]}
    kept_actions: set[int] = set()
    kept_activities: set[int] = set()
    for axis_spec in spec["axes"]:
        line = synthesis[axis_spec["number"]]
        axis, _ = Axis.objects.update_or_create(
            plan=plan,
            number=axis_spec["number"],
            defaults={
                "title": axis_spec["title"],
                "title_as_written": axis_spec["title_as_written"],
                "synthesis_number": line["number"],
                "synthesis_designation": line["designation"],
                "synthesis_usd": Decimal(line["cost"]["usd"]),
                "synthesis_as_written": line["cost"]["as_written"],
                "synthesis_note": line["note"],
            },
        )
        axis.tags.set([tags[c] for c in axis_spec["tags"]])
        _replace_parties({"axis": axis}, line["funding_sources"], PartyRole.FUNDING_SOURCE)
        for action_spec in axis_spec["actions"]:
            action_values = {
                "number_label": action_spec["number_label"],
                "title": action_spec["title"],
                **_cells_values(action_spec),
                "baseline": _baseline_of(action_spec, action_spec["title"]),
            }
            action, _ = Action.objects.update_or_create(
                axis=axis, number=action_spec["number"], defaults=action_values
            )
            kept_actions.add(action.pk)
            action.tags.set([tags[c] for c in action_spec["tags"]])
            _replace_parties({"action": action}, action_spec["funding_sources"], PartyRole.FUNDING_SOURCE)
            _replace_parties({"action": action}, action_spec["implementers"], PartyRole.IMPLEMENTER)
            for activity_spec in action_spec["activities"]:
                activity_values = {
                    "title": activity_spec["title"],
                    **_cells_values(activity_spec),
                    "baseline": _baseline_of(activity_spec, activity_spec["title"]),
                }
                activity, _ = Activity.objects.update_or_create(
                    action=action, position=activity_spec["position"], defaults=activity_values
                )
                kept_activities.add(activity.pk)
                _replace_parties(
                    {"activity": activity}, activity_spec["funding_sources"], PartyRole.FUNDING_SOURCE
                )
                _replace_parties({"activity": activity}, activity_spec["implementers"], PartyRole.IMPLEMENTER)

    # Baseline objects the new file no longer has; what users added (baseline None) stays.
    try:
        Activity.objects.filter(action__axis__plan=plan, baseline__isnull=False).exclude(
            pk__in=kept_activities
        ).delete()
        Action.objects.filter(axis__plan=plan, baseline__isnull=False).exclude(pk__in=kept_actions).delete()
        Axis.objects.filter(plan=plan).exclude(number__in=[a["number"] for a in spec["axes"]]).delete()
    except ProtectedError:
        raise PlanFileError(
            file, None, "an action or activity the file removes already has commitments: remove them first"
        ) from None

    actions = {
        (a.axis.number, a.number): a for a in Action.objects.filter(axis__plan=plan).select_related("axis")
    }
    activities = {
        (a.action.axis.number, a.action.number, a.position): a
        for a in Activity.objects.filter(action__axis__plan=plan).select_related("action__axis")
    }
    # Codes the file renamed: their recorded values move to the new code (kinga.plan.renames), not refused.
    changes += carry_renamed_indicators(actor=actor, plan=plan, file_codes=set(spec["indicators"]), file=file)
    kept_indicators = []
    for position, (code, ind) in enumerate(spec["indicators"].items()):
        values = {
            "plan": plan,
            "label_fr": ind["label_fr"],
            "label_en": ind["label_en"],
            "label_as_written": ind["label_as_written"],
            "level": ind["level"],
            "unit": ind["unit"],
            "value_type": ind["value_type"],
            "baseline_value": None if ind["baseline_value"] is None else Decimal(str(ind["baseline_value"])),
            "target": None if ind["target"] is None else Decimal(str(ind["target"])),
            "source": ind["source"],
            "module": ind["module"],
            "breakdowns": ind["breakdowns"],
            "action": actions[(ind["axis"], ind["action"])],
            "note": ind["note"],
            "position": position,
            "baseline": {"target": ind["target"], "label_fr": ind["label_fr"]},
        }
        indicator, _ = Indicator.objects.update_or_create(code=code, defaults=values)
        indicator.activities.set([activities[(ind["axis"], ind["action"], p)] for p in ind["activities"]])
        kept_indicators.append(indicator.pk)
    try:
        Indicator.objects.filter(plan=plan, baseline__isnull=False).exclude(pk__in=kept_indicators).delete()
    except ProtectedError:
        raise PlanFileError(
            file,
            None,
            "an indicator the file removes already has values entered: keep its code, or list the rename in "
            "kinga.plan.renames.RENAMED_INDICATORS",
        ) from None

    if created:
        audit.record_create(actor=actor, obj=plan, note=f"loaded from {file}")
    else:
        audit.record(
            actor=actor,
            action="update",
            target=plan,
            changes={"file": [None, file], "changes": changes[:200]},
            note=(
                gettext_noop("plan file reloaded with --force")
                if revised_since
                else gettext_noop("plan file reloaded")
            ),
        )
        if revised_since:
            PlanRevision.objects.create(
                plan=plan,
                actor=actor.user,
                organisation=actor.organisation,
                kind=RevisionKind.RELOAD,
                reason="Rechargement forcé du fichier du plan (--force)",
                target_type="plan",
                target_uuid=plan.uuid,
                target_label=plan.code,
                changes={"file": file, "changes": changes[:200]},
            )
    return LoadResult(plan=plan, created=created, changes=changes)


def ensure_plan_loaded(*, stdout=None, actor: Actor | None = None) -> None:
    """Reference loader (`kinga load-reference`, `make run`): load the Lualaba plan when none is present."""
    if Plan.objects.exists():
        if stdout:
            stdout.write("plan : déjà chargé, laissé tel quel")
        return

    result = load_plan(actor=actor or system_actor())
    if stdout:
        stdout.write(
            f"plan : chargé ({Axis.objects.count()} axes, {Action.objects.count()} actions, "
            f"{Activity.objects.count()} activités, {Indicator.objects.count()} indicateurs)"
        )
    return result
