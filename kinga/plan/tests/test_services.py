import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from kinga.core import clock
from kinga.core import indicators as registry
from kinga.core.actors import system_actor
from kinga.core.models import AuditEvent, Organisation, Place
from kinga.core.roles import Role
from kinga.core.testing import actor_of, make_member, make_organisation
from kinga.plan import selectors, services
from kinga.plan.indicators import NOT_COMPUTED, actuals
from kinga.plan.models import (
    Action,
    Activity,
    ActivityStatus,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Party,
    PlanRevision,
    TransactionKind,
)
from kinga.plan.reconcile import reconcile
from kinga.plan.tests.conftest import hand_entered

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def coordinator(plan):
    return actor_of(make_member(make_organisation("Coordination test"), Role.COORDINATOR))


@pytest.fixture
def unicef_manager(plan):
    return actor_of(make_member(Organisation.objects.get(acronym="UNICEF"), Role.ORG_MANAGER))


def test_revising_a_cost_is_a_revision_the_baseline_keeps_the_document_value(plan, coordinator):
    activity = Activity.objects.get(action__axis__number=1, action__number=3, position=1)
    services.revise_activity(
        actor=coordinator, activity=activity, reason="Devis actualisé", cost_usd="1200000"
    )
    activity.refresh_from_db()
    assert activity.cost_usd == 1_200_000 and not activity.cost_ambiguous
    assert activity.baseline["cost_usd"] == 1_500_000
    revision = PlanRevision.objects.get()
    assert revision.actor == coordinator.user and revision.reason == "Devis actualisé"
    assert revision.changes["cost_usd"] == ["1500000.00", "1200000.00"]
    assert AuditEvent.objects.filter(target_id=str(activity.uuid), action="update").exists()
    assert reconcile(plan)["axes"][0]["detail_usd"] == 16_750_000
    assert reconcile(plan, current=True)["axes"][0]["detail_usd"] == 16_450_000
    diff = selectors.baseline_comparison(coordinator, plan)
    assert any(
        d["field"] == "cost_usd" and d["baseline"] == 1_500_000 and d["current"] == 1_200_000 for d in diff
    )


def test_a_revision_needs_a_reason_and_a_coordinator(plan, coordinator, unicef_manager):
    activity = Activity.objects.first()
    with pytest.raises(ValidationError):
        services.revise_activity(actor=coordinator, activity=activity, reason=" ", title="x")
    with pytest.raises(PermissionDenied):
        services.revise_activity(actor=unicef_manager, activity=activity, reason="r", title="x")


def test_the_cost_of_an_action_with_one_amount_cannot_be_doubled_on_an_activity(plan, coordinator):
    activity = Activity.objects.get(action__axis__number=1, action__number=4, position=1)
    with pytest.raises(ValidationError):
        services.revise_activity(actor=coordinator, activity=activity, reason="r", cost_usd=1000)


def test_adding_an_activity_and_changing_implementers(plan, coordinator):
    action = Action.objects.get(axis__number=2, number=2)
    activity = services.add_activity(
        actor=coordinator,
        action=action,
        reason="Décision du comité",
        title="Installer le tribunal",
        cost_usd=10000,
    )
    assert activity.position == 4 and activity.baseline is None
    services.set_implementers(
        actor=coordinator,
        activity=activity,
        reason="Répartition",
        organisations=[Organisation.objects.get(acronym="DIVAS")],
        categories=["ONG"],
    )
    assert [p.label for p in Party.objects.filter(activity=activity)] == ["DIVAS", "ONG"]
    assert PlanRevision.objects.count() == 2
    with pytest.raises(ValidationError):
        services.set_implementers(
            actor=coordinator, activity=activity, reason="r", organisations=[], categories=["Martiens"]
        )
    assert reconcile(plan, current=True)["axes"][1]["detail_usd"] == 60_000


def test_commitments_disbursements_and_the_override(plan, unicef_manager):
    action = Action.objects.get(axis__number=1, number=2)
    commitment = services.record_commitment(
        actor=unicef_manager,
        funder=unicef_manager.organisation,
        action=action,
        date=D(2018, 1, 1),
        amount=100_000,
    )
    services.record_transaction(
        actor=unicef_manager,
        commitment=commitment,
        kind=TransactionKind.DISBURSEMENT,
        date=D(2018, 2, 1),
        amount=60_000,
    )
    with pytest.raises(ValidationError) as info:
        services.record_transaction(
            actor=unicef_manager,
            commitment=commitment,
            kind=TransactionKind.DISBURSEMENT,
            date=D(2018, 3, 1),
            amount=50_000,
        )
    assert "override_reason" in info.value.message_dict
    over = services.record_transaction(
        actor=unicef_manager,
        commitment=commitment,
        kind=TransactionKind.DISBURSEMENT,
        date=D(2018, 3, 1),
        amount=50_000,
        override_reason="Avenant n°1",
    )
    assert over.exceeds
    with pytest.raises(ValidationError):  # spent beyond disbursed (110 000)
        services.record_transaction(
            actor=unicef_manager,
            commitment=commitment,
            kind=TransactionKind.EXPENDITURE,
            date=D(2018, 4, 1),
            amount=120_000,
        )
    services.record_transaction(
        actor=unicef_manager,
        commitment=commitment,
        kind=TransactionKind.EXPENDITURE,
        date=D(2018, 4, 1),
        amount=70_000,
    )
    tree = selectors.plan_tree(unicef_manager, plan)
    row = next(a for a in tree[0].actions if a.action.pk == action.pk)
    assert (row.money.planned, row.money.committed, row.money.disbursed, row.money.spent) == (
        2_800_000,
        100_000,
        110_000,
        70_000,
    )
    assert row.money.funding_gap == 2_700_000
    assert row.money.execution_rate == 2
    assert AuditEvent.objects.filter(target_type="plan.fundingtransaction").count() == 3


def test_an_organisation_records_only_its_own_commitments(plan, unicef_manager):
    action = Action.objects.first()
    other = Organisation.objects.get(acronym="FEC")
    with pytest.raises(PermissionDenied):
        services.record_commitment(
            actor=unicef_manager, funder=other, action=action, date=D(2018, 1, 1), amount=5
        )
    commitment = services.record_commitment(
        actor=system_actor(), funder=other, action=action, date=D(2018, 1, 1), amount=500
    )
    with pytest.raises(PermissionDenied):
        services.record_transaction(
            actor=unicef_manager, commitment=commitment, kind="disbursement", date=D(2018, 1, 2), amount=5
        )
    viewer = actor_of(make_member(other, Role.VIEWER))
    with pytest.raises(PermissionDenied):
        services.record_commitment(actor=viewer, funder=other, action=action, date=D(2018, 1, 1), amount=5)


def test_cdf_amounts_use_the_rate_of_their_date(plan, unicef_manager):
    action = Action.objects.first()
    with pytest.raises(ValidationError):
        services.record_commitment(
            actor=unicef_manager,
            funder=unicef_manager.organisation,
            action=action,
            date=D(2018, 1, 1),
            amount=1000,
            currency="CDF",
        )
    services.record_exchange_rate(actor=unicef_manager, date=D(2017, 12, 1), cdf_per_usd="1600")
    services.record_exchange_rate(actor=unicef_manager, date=D(2018, 6, 1), cdf_per_usd="1650")
    commitment = services.record_commitment(
        actor=unicef_manager,
        funder=unicef_manager.organisation,
        action=action,
        date=D(2018, 1, 1),
        amount=1_600_000,
        currency="CDF",
    )
    assert commitment.amount_usd == Decimal("1000.00") and commitment.exchange_rate.cdf_per_usd == 1600
    with pytest.raises(ValidationError):
        services.record_exchange_rate(actor=unicef_manager, date=D(2018, 6, 1), cdf_per_usd="1700")


def test_progress_and_computed_delay(plan, coordinator, settings):
    settings.KINGA_PLAN_START_DATE = "2017-07-01"
    activity = Activity.objects.get(action__axis__number=1, action__number=1)  # 6 months
    start, end = selectors.planned_dates(activity, activity.action, selectors.plan_start_date())
    assert (start, end) == (D(2017, 7, 1), D(2017, 12, 31))
    assert not selectors.is_delayed(activity, start, end, today=D(2017, 7, 1))
    assert selectors.is_delayed(activity, start, end, today=D(2017, 7, 20))  # not started after its start
    services.report_progress(
        actor=coordinator, activity=activity, date=D(2017, 9, 1), status="ongoing", percent_done=10
    )
    activity.refresh_from_db()
    assert activity.actual_start == D(2017, 9, 1)
    assert selectors.is_delayed(activity, start, end, today=D(2017, 11, 1))  # 10 % done, 68 % of time gone
    services.report_progress(
        actor=coordinator, activity=activity, date=D(2017, 10, 1), status="ongoing", percent_done=60
    )
    activity.refresh_from_db()
    assert not selectors.is_delayed(activity, start, end, today=D(2017, 11, 1))
    assert selectors.is_delayed(activity, start, end, today=D(2018, 1, 5))  # past its end
    services.report_progress(
        actor=coordinator, activity=activity, date=D(2018, 1, 10), status="completed", percent_done=100
    )
    activity.refresh_from_db()
    assert activity.actual_end == D(2018, 1, 10) and not selectors.is_delayed(
        activity, start, end, today=D(2019, 1, 1)
    )
    # An older report entered late does not overwrite the current state.
    services.report_progress(
        actor=coordinator, activity=activity, date=D(2017, 8, 1), status="ongoing", percent_done=5
    )
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.COMPLETED


def test_the_plan_start_date_setting_moves_planned_dates(plan, settings):
    settings.KINGA_PLAN_START_DATE = "2018-01-01"
    activity = Activity.objects.get(action__axis__number=1, action__number=1)
    assert selectors.planned_dates(activity, activity.action, selectors.plan_start_date()) == (
        D(2018, 1, 1),
        D(2018, 6, 30),
    )


def test_progress_validation(plan, coordinator):
    activity = Activity.objects.first()
    for kwargs in (
        {"status": "completed", "percent_done": 80},
        {"status": "not_started", "percent_done": 20},
        {"status": "ongoing", "percent_done": 120},
        {"status": "finished", "percent_done": 10},
    ):
        with pytest.raises(ValidationError):
            services.report_progress(actor=coordinator, activity=activity, date=D(2018, 1, 1), **kwargs)
    with pytest.raises(ValidationError):
        services.report_progress(
            actor=coordinator,
            activity=activity,
            date=clock.today() + datetime.timedelta(days=3),
            status="ongoing",
            percent_done=5,
        )


def test_manual_values_validated_no_double_entry_audited(plan, coordinator, lualaba, manual_rate):
    rate = manual_rate
    # A yes/no indicator entered by hand (the plan's were the fund's flags, now computed from its ledger).
    flag = hand_entered(plan, code="PLAN_TEST_FLAG", value_type="boolean")
    entry = services.enter_indicator_value(
        actor=coordinator,
        indicator=rate,
        period_start=D(2018, 1, 1),
        period_end=D(2018, 12, 31),
        area=lualaba,
        value="25",
    )
    assert AuditEvent.objects.filter(target_id=str(entry.uuid), action="create").exists()
    with pytest.raises(ValidationError):
        services.enter_indicator_value(
            actor=coordinator,
            indicator=rate,
            period_start=D(2018, 1, 1),
            period_end=D(2018, 12, 31),
            area=lualaba,
            value="30",
        )
    with pytest.raises(ValidationError):
        services.enter_indicator_value(
            actor=coordinator,
            indicator=rate,
            period_start=D(2019, 1, 1),
            period_end=D(2019, 12, 31),
            area=lualaba,
            value="140",
        )
    with pytest.raises(ValidationError):
        services.enter_indicator_value(
            actor=coordinator,
            indicator=flag,
            period_start=D(2019, 1, 1),
            period_end=D(2019, 12, 31),
            area=lualaba,
            value="2",
        )
    with pytest.raises(ValidationError):
        services.enter_indicator_value(
            actor=coordinator,
            indicator=hand_entered(plan),
            period_start=D(2019, 1, 1),
            period_end=D(2019, 12, 31),
            area=lualaba,
            value="2.5",
        )
    with pytest.raises(ValidationError):  # computed indicators are not entered
        services.enter_indicator_value(
            actor=coordinator,
            indicator=Indicator.objects.get(code="CASES_CHILDREN_WITHDRAWN"),
            period_start=D(2019, 1, 1),
            period_end=D(2019, 12, 31),
            area=lualaba,
            value="2",
        )
    # The database refuses a double entry even past the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(
            indicator=rate, period_start=D(2018, 1, 1), period_end=D(2018, 12, 31), area=lualaba, value=1
        )
    values = actuals([rate], start=D(2017, 7, 1), end=D(2020, 6, 30))
    assert values[rate.pk].value == 25


def test_breakdowns_of_manual_values(plan, coordinator, lualaba, kolwezi, manual_rate):
    malnutrition = manual_rate
    for sex, value in (("F", "11"), ("M", "13")):
        services.enter_indicator_value(
            actor=coordinator,
            indicator=malnutrition,
            period_start=D(2018, 1, 1),
            period_end=D(2018, 12, 31),
            area=kolwezi,
            value=value,
            breakdown={"sex": sex},
        )
    with pytest.raises(ValidationError):
        services.enter_indicator_value(
            actor=coordinator,
            indicator=malnutrition,
            period_start=D(2018, 1, 1),
            period_end=D(2018, 12, 31),
            area=kolwezi,
            value="3",
            breakdown={"religion": "x"},
        )
    assert IndicatorValue.objects.filter(indicator=malnutrition).count() == 2


def test_computed_indicators_without_a_source_are_not_computed(plan):
    code = "SUPPLY_COOPERATIVES_WITH_DOCUMENTS"
    indicator = Indicator.objects.get(code=code)
    # The supply module registers this source: take it out, as in a deployment without that module.
    with registry.indicator_sources({code: None}):
        assert registry.source_for(code) is None
        result = actuals([indicator], start=D(2017, 7, 1), end=D(2020, 6, 30))
    assert result[indicator.pk].status == NOT_COMPUTED


def test_computed_indicators_use_the_registry(plan):
    calls = []

    def fake(query):
        calls.append(query)
        return [registry.IndicatorValue(value=7)]

    code = "SITES_ZEA_LOCATED"
    indicator = Indicator.objects.get(code=code)
    with registry.indicator_sources({code: registry.IndicatorSource(code, fake, ("territory",), "test")}):
        result = actuals(
            [indicator], start=D(2017, 7, 1), end=D(2020, 6, 30), area=Place.objects.get(pcode="CD72")
        )
    assert result[indicator.pk].value == 7
    assert calls[0].start == D(2017, 7, 1) and calls[0].area.pcode == "CD72"


def test_indicator_sources_replaced_for_a_block_are_restored_after_it(plan):
    removed, replaced = "SUPPLY_COOPERATIVES_WITH_DOCUMENTS", "SITES_ZEA_LOCATED"
    before = registry.all_sources()
    assert removed in before and replaced in before

    def fake(query):
        return [registry.IndicatorValue(value=7)]

    sources = {removed: None, replaced: registry.IndicatorSource(replaced, fake, (), "test")}
    # Even a block that fails gives the registry back as it was.
    with pytest.raises(RuntimeError), registry.indicator_sources(sources):
        assert registry.source_for(removed) is None
        assert registry.source_for(replaced).compute is fake
        raise RuntimeError
    assert registry.all_sources() == before


def test_targets_by_date_need_plan_edit_and_an_unchanged_one_is_no_revision(
    plan, coordinator, unicef_manager
):
    indicator = hand_entered(plan)
    with pytest.raises(PermissionDenied):
        services.add_period_target(
            actor=unicef_manager, indicator=indicator, reason="r", period_end=D(2019, 12, 31), value=10
        )
    target = services.add_period_target(
        actor=coordinator, indicator=indicator, reason="Comité", period_end=D(2019, 12, 31), value="10"
    )
    with pytest.raises(PermissionDenied):
        services.remove_period_target(actor=unicef_manager, target=target, reason="r")
    services.revise_period_target(
        actor=coordinator, target=target, reason="Rien", period_end=D(2019, 12, 31), value="10,0"
    )
    assert PlanRevision.objects.filter(target_uuid=target.uuid).count() == 1
    with pytest.raises(ValidationError) as exc:
        services.add_period_target(
            actor=coordinator, indicator=indicator, reason="r", period_end=D(2019, 12, 31), value=5
        )
    assert "period_end" in exc.value.message_dict
    services.remove_period_target(actor=coordinator, target=target, reason="Abandon")
    assert not IndicatorTarget.objects.exists()
    assert AuditEvent.objects.filter(target_id=str(target.uuid), action="delete", note="Abandon").exists()


def test_implementers_saved_unchanged_whatever_their_order_are_no_revision(plan, coordinator):
    action = Action.objects.get(axis__number=1, number=2)
    current = list(Party.objects.filter(action=action, role="implementer").select_related("organisation"))
    before = [(p.pk, p.label) for p in current]
    services.set_implementers(
        actor=coordinator,
        action=action,
        reason="r",
        organisations=[p.organisation for p in reversed(current) if p.organisation_id],
        categories=[p.category for p in current if not p.organisation_id],
    )
    after = Party.objects.filter(action=action, role="implementer")
    assert [(p.pk, p.label) for p in after] == before
    assert not PlanRevision.objects.exists()
