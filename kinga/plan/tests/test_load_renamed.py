"""Reloading a plan file that renamed indicator codes (kinga.plan.renames): the values recorded under the old
code move to the new one in the same load, audited, instead of the reload being refused."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from kinga.core.actors import system_actor
from kinga.core.models import AuditEvent
from kinga.plan.models import Indicator, IndicatorTarget, IndicatorValue
from kinga.plan.planfile import PlanFileError, default_plan_path
from kinga.plan.services import enter_indicator_value
from kinga.plan.services.loading import load_plan

pytestmark = pytest.mark.django_db

CURRENT = default_plan_path().read_text(encoding="utf-8")
# The two rows as the file wrote them before the rename (entered by hand).
OLD_ROWS = {
    "HOUSEHOLDS_HECTARES_ALLOCATED": (
        '- {code: PLAN_FARMED_AREA_HA, libelle: "Superficie cultivée par les ménages appuyés", libelle_en: '
        '"Area farmed by the supported households", niveau: output, unite: "ha", type: decimal, cible: 5000, '
        'source: manual, ventilations: [territory], note: "Target from the Cibles column: 1000 ménages × 5 ha '
        '= 5000 ha."}'
    ),
    "CASES_CARE_FACILITIES": (
        '- {code: PLAN_CARE_FACILITIES, libelle: "Nombre des CRS, CAP, Maisons de transit et espaces des jeux", '
        'libelle_en: "Number of catch-up schools, vocational centres, transit houses and play spaces", niveau: '
        'output, unite: "structures", type: integer, source: manual, ventilations: [territory]}'
    ),
}


def _old_file(tmp_path: Path, *, keep_new_too: bool = False) -> Path:
    lines = []
    for line in CURRENT.splitlines():
        code = next((c for c in OLD_ROWS if f"- {{code: {c}," in line), None)
        if code is None:
            lines.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        lines.append(indent + OLD_ROWS[code])
        if keep_new_too:
            lines.append(line)
    path = tmp_path / "plan-2025.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def old_plan(organisations, tmp_path):
    load_plan(actor=system_actor(), path=_old_file(tmp_path))
    assert Indicator.objects.filter(code__in=["PLAN_CARE_FACILITIES", "PLAN_FARMED_AREA_HA"]).count() == 2


def _enter(code, kolwezi, value, *, quarter_start=datetime.date(2026, 4, 1)):
    return enter_indicator_value(
        actor=system_actor(),
        indicator=Indicator.objects.get(code=code),
        period_start=quarter_start,
        period_end=quarter_start + datetime.timedelta(days=90),
        area=kolwezi,
        value=value,
    )


def test_the_reload_carries_the_values_of_a_renamed_code_to_its_new_code(old_plan, kolwezi):
    facilities = _enter("PLAN_CARE_FACILITIES", kolwezi, 12)
    area = _enter("PLAN_FARMED_AREA_HA", kolwezi, "850.5")
    IndicatorTarget.objects.create(
        indicator=Indicator.objects.get(code="PLAN_FARMED_AREA_HA"),
        period_end=datetime.date(2026, 12, 31),
        value=2500,
    )
    out = io.StringIO()
    call_command("plan", "load", str(default_plan_path()), stdout=out)
    assert "indicateurs.PLAN_CARE_FACILITIES : renommé CASES_CARE_FACILITIES (1 valeur(s) reprise(s))" in (
        out.getvalue()
    )
    assert not Indicator.objects.filter(code__in=["PLAN_CARE_FACILITIES", "PLAN_FARMED_AREA_HA"]).exists()
    care = Indicator.objects.get(code="CASES_CARE_FACILITIES")
    hectares = Indicator.objects.get(code="HOUSEHOLDS_HECTARES_ALLOCATED")
    assert (care.source, care.module) == ("computed", "cases")  # the file's definition, on the same row
    assert list(IndicatorValue.objects.values_list("uuid", "indicator__code", "value").order_by("value")) == [
        (facilities.uuid, "CASES_CARE_FACILITIES", Decimal("12")),
        (area.uuid, "HOUSEHOLDS_HECTARES_ALLOCATED", Decimal("850.5")),
    ]
    assert list(hectares.period_targets.values_list("value", flat=True)) == [Decimal("2500")]
    renamed = AuditEvent.objects.filter(target_type="plan.indicator", changes__code__isnull=False)
    assert sorted(tuple(e.changes["code"]) for e in renamed) == [
        ("PLAN_CARE_FACILITIES", "CASES_CARE_FACILITIES"),
        ("PLAN_FARMED_AREA_HA", "HOUSEHOLDS_HECTARES_ALLOCATED"),
    ]
    out = io.StringIO()
    call_command("plan", "load", str(default_plan_path()), stdout=out)
    assert "déjà à jour" in out.getvalue()


def test_values_move_to_a_new_code_that_already_exists_and_a_clash_refuses_the_whole_reload(
    organisations, tmp_path, kolwezi
):
    load_plan(actor=system_actor(), path=_old_file(tmp_path, keep_new_too=True))
    old = _enter("PLAN_CARE_FACILITIES", kolwezi, 7)
    # The same quarter recorded under the new code as well (an import, before it was computed).
    clash = IndicatorValue.objects.create(
        indicator=Indicator.objects.get(code="CASES_CARE_FACILITIES"),
        period_start=old.period_start,
        period_end=old.period_end,
        area=kolwezi,
        value=9,
    )
    with pytest.raises(PlanFileError, match="PLAN_CARE_FACILITIES and CASES_CARE_FACILITIES"):
        load_plan(actor=system_actor())
    assert Indicator.objects.filter(code="PLAN_CARE_FACILITIES").exists()  # nothing of the reload kept
    assert IndicatorValue.objects.get(pk=old.pk).indicator.code == "PLAN_CARE_FACILITIES"
    clash.delete()
    load_plan(actor=system_actor())
    assert IndicatorValue.objects.get(pk=old.pk).indicator.code == "CASES_CARE_FACILITIES"
    assert AuditEvent.objects.filter(changes__renamed_from="PLAN_CARE_FACILITIES").count() == 1
