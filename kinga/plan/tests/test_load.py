import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kinga.core.actors import system_actor
from kinga.core.models import AuditEvent, Organisation
from kinga.core.plugins import reference_loaders
from kinga.plan.models import Action, Activity, Axis, Indicator, Party, Plan, PlanRevision, RevisionKind
from kinga.plan.planfile import PlanFileError, default_plan_path, parse_amount
from kinga.plan.services.loading import PlanRevisedError, load_plan

pytestmark = pytest.mark.django_db

DEFAULT = default_plan_path().read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _dump() -> list:
    """Everything the load writes, for comparing two database states."""
    rows = []
    for model in (Plan, Axis, Action, Activity, Party, Indicator):
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in ("loaded_at",)]
        rows.append(sorted(map(str, model.objects.values_list(*fields))))
    return rows


def test_the_lualaba_plan_loads_with_all_its_axes_actions_and_activities(plan):
    assert list(Axis.objects.values_list("number", flat=True)) == [1, 2, 3]
    assert [Action.objects.filter(axis__number=n).count() for n in (1, 2, 3)] == [8, 2, 5]
    assert Activity.objects.count() == 28
    assert Indicator.objects.count() == 36
    action = Action.objects.get(axis__number=1, number=3)
    assert action.number_label == "03"
    assert action.title == "Appuyer la création des coopératives agropastorales"


def test_aliases_resolve_to_organisations_and_categories_stay_categories(plan):
    saesscam = Organisation.objects.get(acronym="SAESSCAM")
    # Axis 2, action 1 writes "SAESCAM": the alias resolves to the same organisation.
    party = Party.objects.get(
        activity__action__axis__number=2, activity__action__number=1, as_written="SAESCAM"
    )
    assert party.organisation == saesscam
    assert Party.objects.filter(organisation__acronym="Div. Plan").exists()
    categories = set(Party.objects.filter(organisation__isnull=True).values_list("category", flat=True))
    assert {"ONG", "Entreprises", "PTF", "Banques", "Coopératives", "Société civile"} <= categories
    assert not Organisation.objects.filter(name__in=["ONG", "Entreprises", "PTF", "Banques"]).exists()


def test_ambiguous_amounts_are_stored_as_written_with_their_reading_and_a_flag(plan):
    activity = Activity.objects.get(action__axis__number=1, action__number=3, position=1)
    assert activity.cost_as_written == "1.500.00$US"
    assert activity.cost_usd == 1_500_000
    assert activity.cost_ambiguous
    second = Activity.objects.get(action__axis__number=1, action__number=2, position=2)
    assert (second.cost_as_written, second.cost_usd, second.cost_ambiguous) == ("1300.000$", 1_300_000, True)
    # "25.000$ 25.000$" is two activity lines of 25,000.
    costs = Activity.objects.filter(action__axis__number=3, action__number=1).values_list(
        "cost_usd", flat=True
    )
    assert list(costs) == [25_000, 25_000]


def test_indicator_targets_of_the_document(plan):
    targets = dict(Indicator.objects.values_list("code", "target"))
    assert targets["COMMUNITY_STATE_AGENTS_TRAINED"] == 500
    assert targets["COMMUNITY_PROVIDERS_TRAINED"] == 1080
    assert targets["HOUSEHOLDS_LITERACY_MEMBERS"] == 7000
    assert targets["HOUSEHOLDS_FARMING_SUPPORTED"] == 1000
    assert targets["HOUSEHOLDS_HECTARES_ALLOCATED"] == 5000
    assert targets["SITES_ZEA_LOCATED"] == 60
    assert targets["SITES_ZEA_VIABLE"] == 25
    assert targets["SITES_EQUIPPED"] == 60
    assert targets["FUND_RETROCESSION_RATE"] == 40
    social = Indicator.objects.get(code="GOVERNANCE_SOCIAL_INFRASTRUCTURES")
    assert (social.source, social.module) == ("computed", "governance")
    rate = Indicator.objects.get(code="HOUSEHOLDS_MALNUTRITION_RATE")
    assert (rate.source, rate.module) == ("computed", "households")
    withdrawn = Indicator.objects.get(code="CASES_CHILDREN_WITHDRAWN")
    assert (withdrawn.source, withdrawn.module) == ("computed", "cases")
    assert withdrawn.label_fr == "Nombre d'enfants retirés des mines"


def test_loading_twice_leaves_the_same_database(plan):
    before = _dump()
    events = AuditEvent.objects.count()
    result = load_plan(actor=system_actor())
    assert not result.changed
    assert _dump() == before
    assert AuditEvent.objects.count() == events


def test_a_changed_file_updates_the_baseline_and_says_what_changed(plan, tmp_path):
    text = DEFAULT.replace(
        'cout: {ecrit: "500 000$US", usd: 500000}', 'cout: {ecrit: "600 000$US", usd: 600000}'
    )
    out = io.StringIO()
    call_command("plan", "load", str(_write(tmp_path, text)), stdout=out)
    assert "500000 → 600000" in out.getvalue()
    activity = Activity.objects.get(action__axis__number=1, action__number=6, position=1)
    assert activity.cost_usd == 600_000
    assert activity.baseline["cost_usd"] == 600_000


def test_a_dry_run_says_what_would_change_and_writes_nothing(plan, tmp_path):
    text = DEFAULT.replace(
        'cout: {ecrit: "500 000$US", usd: 500000}', 'cout: {ecrit: "600 000$US", usd: 600000}'
    )
    events = AuditEvent.objects.count()
    out = io.StringIO()
    call_command("plan", "load", str(_write(tmp_path, text)), "--dry-run", stdout=out)
    assert "500000 → 600000" in out.getvalue() and "rien n'a été écrit" in out.getvalue()
    activity = Activity.objects.get(action__axis__number=1, action__number=6, position=1)
    assert activity.cost_usd == 500_000
    assert AuditEvent.objects.count() == events


def test_a_revised_plan_is_not_reloaded_without_force(plan, tmp_path):
    PlanRevision.objects.create(
        plan=plan, kind=RevisionKind.UPDATE, reason="test", target_type="activity", changes={}
    )
    path = _write(
        tmp_path, DEFAULT.replace('"Enquête socio-économique"', '"Enquête socio-économique (révisée)"')
    )
    with pytest.raises(PlanRevisedError):
        load_plan(actor=system_actor(), path=path)
    with pytest.raises(CommandError, match="--force"):
        call_command("plan", "load", str(path), stdout=io.StringIO())
    load_plan(actor=system_actor(), path=path, force=True)
    assert Activity.objects.filter(title="Enquête socio-économique (révisée)").exists()
    assert PlanRevision.objects.filter(kind=RevisionKind.RELOAD).count() == 1


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'cout: {ecrit: "50 000$US", usd: 50000}',
            'cout: {ecrit: "50 000$US", usd: "beaucoup"}',
            "bad amount",
        ),
        ('cout: {ecrit: "50 000$US", usd: 50000}', 'cout: {ecrit: "50 000$US", usd: 60000}', "bad amount"),
        (
            'cout: {ecrit: "4 000 000$ US", usd: 4000000}',
            'cout: {ecrit: "4 000 00$ US", usd: 400000}',
            "irregular",
        ),
        ("      axe: 2\n", "      axe: 7\n", "unknown axis 7"),
        ('      - numero: "04"\n', '      - numero: "03"\n', "duplicate action number"),
        ("{org: IPEMEA}", "{org: Organisation Inconnue}", "unknown organisation"),
        ("{categorie: Banques}", "{categorie: Banque du futur}", "unknown category"),
        ("  - numero: 2\n", "  - numero: 1\n", "duplicate axis number"),
    ],
)
def test_a_broken_file_is_rejected_with_its_line_and_nothing_is_loaded(
    organisations, tmp_path, old, new, message
):
    assert old in DEFAULT
    text = DEFAULT.replace(old, new, 1)
    path = _write(tmp_path, text)
    expected_line = DEFAULT[: DEFAULT.index(old)].count("\n") + 1
    with pytest.raises(PlanFileError) as info:
        load_plan(actor=system_actor(), path=path)
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert info.value.line is not None and abs(info.value.line - expected_line) <= 2, (
        info.value.line,
        expected_line,
    )
    with pytest.raises(CommandError, match=re.escape(f"{path}:{info.value.line}")):
        call_command("plan", "load", str(path), stdout=io.StringIO())
    assert Plan.objects.count() == 0
    assert Action.objects.count() == 0
    assert Indicator.objects.count() == 0


def test_invalid_yaml_names_the_line(organisations, tmp_path):
    path = _write(tmp_path, DEFAULT.replace("format: 1", "format: [1", 1))
    with pytest.raises(PlanFileError, match=r"plan\.yaml:\d+: invalid YAML"):
        load_plan(actor=system_actor(), path=path)


def test_a_broken_file_does_not_touch_a_loaded_plan(plan, tmp_path):
    before = _dump()
    path = _write(
        tmp_path, DEFAULT.replace("{org: IPEMEA}", "{org: Inconnue}").replace('"6 mois"', '"7 mois"')
    )
    with pytest.raises(PlanFileError):
        load_plan(actor=system_actor(), path=path)
    assert _dump() == before


def test_reconcile_json_reports_the_document_synthesis_and_the_detailed_sums(plan):
    out = io.StringIO()
    call_command("plan", "reconcile", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert set(report) == {"axes", "synthesis_total_usd", "detail_total_usd", "difference_total_usd"}
    summary = [
        (a["number"], a["synthesis_usd"], a["detail_usd"], a["difference_usd"]) for a in report["axes"]
    ]
    assert summary == [
        (1, 15_750_000, 16_750_000, 1_000_000),
        (2, 50_000, 50_000, 0),
        (3, 16_585_000, 16_585_000, 0),
    ]
    assert report["synthesis_total_usd"] == 32_385_000
    assert report["detail_total_usd"] == 33_385_000
    assert report["difference_total_usd"] == 1_000_000
    for axis in report["axes"]:
        assert set(axis) == {"number", "title", "synthesis_usd", "detail_usd", "difference_usd", "ambiguous"}
        assert all(isinstance(axis[k], int) for k in ("synthesis_usd", "detail_usd", "difference_usd"))
    assert {
        "where": "axe 1, action 03, activité 1",
        "as_written": "1.500.00$US",
        "reading_usd": 1_500_000,
    } in report["axes"][0]["ambiguous"]
    assert {
        "where": "axe 1, action 2, activité 2",
        "as_written": "1300.000$",
        "reading_usd": 1_300_000,
    } in report["axes"][0]["ambiguous"]


def test_reconcile_current_follows_the_revised_costs(plan):
    Activity.objects.filter(action__axis__number=2, action__number=1).update(cost_usd=40_000)
    out = io.StringIO()
    call_command("plan", "reconcile", "--json", "--current", stdout=out)
    report = json.loads(out.getvalue())
    assert report["axes"][1]["detail_usd"] == 60_000
    baseline = io.StringIO()
    call_command("plan", "reconcile", "--json", stdout=baseline)
    assert json.loads(baseline.getvalue())["axes"][1]["detail_usd"] == 50_000


def test_reference_loading_loads_the_plan_when_none_is_present(reference_places):
    # `kinga load-reference` (run by `make run`) runs these loaders in this order.
    loaders = {loader.name: loader for loader in reference_loaders()}
    assert loaders["plan"].order > loaders["organisations"].order
    for name in ("places", "organisations", "plan"):
        loaders[name].run(stdout=io.StringIO())
    assert Plan.objects.get().code == "lualaba-2017"
    loaders["plan"].run(stdout=io.StringIO())
    assert Plan.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "value"),
    [("50 000$US", 50000), ("1.500.000$US", 1500000), ("11 500 000$Us", 11500000), ("25.000$", 25000)],
)
def test_regular_amounts_parse(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["1.500.00$US", "1300.000$", "1400 000 $ US", "25.000$ 25.000$", "abc"])
def test_irregular_amounts_do_not_parse(text):
    assert parse_amount(text) is None
