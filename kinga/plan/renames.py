"""Indicator codes the plan file renamed, and how a reload carries what was recorded under the old code.

A code is the key of an indicator's entered values, targets by date and DHIS2 mapping. When a new plan file gives
a row a new code (a row once entered by hand now computed from the records), reloading would delete the old
indicator, which its values protect: the reload was refused. With the old code listed here, the reload moves
the indicator to its new code instead, in the same transaction as the rest of the load, and audits it.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from kinga.core import audit
from kinga.core.access import Actor
from kinga.plan.models import Indicator, IndicatorValue, Plan
from kinga.plan.planfile import PlanFileError

# Old code -> new code (docs/indicators.md says why each changed).
RENAMED_INDICATORS = {
    "PLAN_CARE_FACILITIES": "CASES_CARE_FACILITIES",  # now counted from the services directory
    "PLAN_FARMED_AREA_HA": "HOUSEHOLDS_HECTARES_ALLOCATED",  # now the hectares allocated to households
    # The support fund's four flags, now computed from its ledger (kinga/fund).
    "PLAN_FUND_BANK_ACCOUNT": "FUND_BANK_ACCOUNT",
    "PLAN_RETROCESSION_RATE": "FUND_RETROCESSION_RATE",
    "PLAN_MIXED_COMMISSION": "FUND_JOINT_COMMISSION",
    "PLAN_PTF_TRANSACTION_ACCOUNT": "FUND_PTF_TRANSACTION_ACCOUNT",
    # Computed from the harvests and the nutrition visits of the households (kinga/households).
    "PLAN_MALNUTRITION_RATE": "HOUSEHOLDS_MALNUTRITION_RATE",
    "PLAN_PRODUCTION_RATE": "HOUSEHOLDS_PRODUCTION_RATE",
    # Axis 2's equipment and social infrastructures, now computed from the governance records (kinga/governance).
    "PLAN_INFRASTRUCTURE_EQUIPMENT": "GOVERNANCE_INFRASTRUCTURE_EQUIPMENT",
    "PLAN_SOCIAL_INFRASTRUCTURES": "GOVERNANCE_SOCIAL_INFRASTRUCTURES",
}


def carry_renamed_indicators(
    *, actor: Actor, plan: Plan, file_codes: set[str], file: str, renamed: dict[str, str] | None = None
) -> list[str]:
    """Before the file's indicators are written: each indicator of `plan` whose code the file renamed takes its
    new code (values, targets by date and DHIS2 mapping follow); when the new code already exists, the old
    one's values and targets move to it. Returns one line per code carried, for the load's list of changes.

    A value of the old code for the same period, area and breakdown as one of the new code is refused
    (PlanFileError): the load never picks one of two recorded values silently."""
    lines = []
    for old, new in (renamed if renamed is not None else RENAMED_INDICATORS).items():
        if old in file_codes or new not in file_codes:
            continue  # the file still has the old code, or does not have the new one: nothing renamed
        indicator = Indicator.objects.select_for_update().filter(plan=plan, code=old).first()
        if indicator is None:
            continue
        existing = Indicator.objects.select_for_update().filter(code=new).first()
        if existing is None:
            values = indicator.values.count()
            indicator.code = new
            indicator.save(update_fields=["code"])
            audit.record(
                actor=actor,
                action="update",
                target=indicator,
                changes={"code": [old, new], "values": values},
                note=gettext_noop(
                    "indicator code renamed by the plan file: its values, targets and DHIS2 mapping follow"
                ),
            )
        else:
            values = _move(actor, indicator, existing, file=file)
        lines.append(f"indicateurs.{old} : renommé {new} ({values} valeur(s) reprise(s))")
    return lines


def _move(actor: Actor, old: Indicator, new: Indicator, *, file: str) -> int:
    keys = set(new.values.values_list("period_start", "period_end", "area_id", "breakdown_key"))
    moving = list(old.values.all())
    clash = [v for v in moving if (v.period_start, v.period_end, v.area_id, v.breakdown_key) in keys]
    if clash:
        raise PlanFileError(
            file,
            None,
            f"{old.code} and {new.code} both have a value for {clash[0].period_start}–{clash[0].period_end}: "
            f"keep one of them, then reload",
        )
    IndicatorValue.objects.filter(pk__in=[v.pk for v in moving]).update(indicator=new)
    taken = set(new.period_targets.values_list("period_end", flat=True))
    old.period_targets.exclude(period_end__in=taken).update(indicator=new)
    audit.record(
        actor=actor,
        action="update",
        target=new,
        changes={"renamed_from": old.code, "values": [str(v.uuid) for v in moving]},
        note=gettext_noop("values of a renamed indicator code moved to its new code"),
    )
    return len(moving)
