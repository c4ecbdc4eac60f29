import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinga.core import clock
from kinga.core.actors import system_actor
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import make_member
from kinga.supply import services
from kinga.supply.decision import reason_text
from kinga.supply.models import DocumentType, LotStatus, Outcome, OverrideState
from kinga.supply.report import add_months
from kinga.supply.tests.conftest import inspect

pytestmark = pytest.mark.django_db
TODAY = clock.today()


def test_the_plans_five_documents_are_the_default_list_and_loading_twice_changes_nothing(world):
    codes = set(DocumentType.objects.values_list("code", flat=True))
    assert codes == {
        "statuts-agrement",
        "liste-membres",
        "registre-production",
        "autorisation-zea",
        "rapport-gestion",
    }

    assert services.load_default_document_types(actor=system_actor()) == 0


def test_green_site_with_valid_documents_is_authorised_and_keeps_the_status(world, site_statuses):
    world.give_documents()
    site_statuses(world.site, "green")
    lot = world.lot()
    decision = services.decide_evacuation(actor=world.actor(world.inspector), lot=lot)
    lot.refresh_from_db()
    assert decision.outcome == Outcome.AUTHORISED and decision.reasons == []
    assert lot.status == LotStatus.AUTHORISED and lot.site_status == "green"
    assert AuditEvent.objects.filter(
        target_type="supply.evacuationauthorisation", target_id=str(decision.uuid)
    ).exists()
    assert AuditEvent.objects.filter(
        target_type="supply.lot", target_id=str(lot.uuid), action="update"
    ).exists()


@pytest.mark.parametrize(
    "status,code", [("red", "site_red"), ("expired", "site_expired"), ("blue", "site_blue")]
)
def test_red_expired_and_blue_sites_are_refused_with_the_reason(world, site_statuses, status, code):
    world.give_documents()
    site_statuses(world.site, status)
    lot = world.lot()
    decision = services.decide_evacuation(actor=world.actor(world.inspector), lot=lot)
    lot.refresh_from_db()
    assert decision.outcome == Outcome.REFUSED
    assert [r["code"] for r in decision.reasons] == [code]
    assert lot.status == LotStatus.REFUSED and lot.site_status == status
    text = reason_text(decision.reasons[0])
    assert "Kasulo" in text
    if status == "red":
        assert "ROUGE" in text and lot.site_status_reason and lot.site_status_reason in text


def test_yellow_is_allowed_with_a_warning(world, site_statuses):
    world.give_documents()
    site_statuses(world.site, "yellow")
    decision = services.decide_evacuation(actor=world.actor(world.inspector), lot=world.lot())
    assert decision.outcome == Outcome.AUTHORISED_WITH_WARNING
    assert decision.allows_evacuation
    assert "JAUNE" in reason_text(decision.warnings[0])


def test_missing_and_expired_documents_refuse_each_with_its_name(world, site_statuses):
    site_statuses(world.site, "green")
    zea = DocumentType.objects.get(code="autorisation-zea")
    services.record_document(
        actor=world.actor(world.inspector),
        cooperative=world.coop,
        document_type=zea,
        issued_on=TODAY - datetime.timedelta(days=400),
        valid_until=TODAY - datetime.timedelta(days=30),
    )
    decision = services.decide_evacuation(actor=world.actor(world.inspector), lot=world.lot())
    assert decision.outcome == Outcome.REFUSED
    by_code = {}
    for r in decision.reasons:
        by_code.setdefault(r["code"], []).append(r["params"]["type"])
    assert by_code["document_expired"] == ["autorisation-zea"]
    assert len(by_code["document_missing"]) == 4
    texts = [reason_text(r) for r in decision.reasons]
    assert any("expiré" in t and "ZEA" in t for t in texts)
    assert any("manquant" in t and "Liste des membres" in t for t in texts)


def test_the_required_list_is_configurable(world, site_statuses):
    site_statuses(world.site, "green")
    world.give_documents()
    admin = world.actor(world.admin)
    safety = services.save_document_type(
        actor=admin, code="plan-securite", name_fr="Plan de sécurité", name_en="Safety plan"
    )
    decision = services.decide_evacuation(actor=world.actor(world.inspector), lot=world.lot())
    assert [r["params"]["type"] for r in decision.reasons] == ["plan-securite"]
    services.save_document_type(
        actor=admin,
        document_type=safety,
        code="plan-securite",
        name_fr="Plan de sécurité",
        name_en="Safety plan",
        is_required=False,
    )
    assert (
        services.decide_evacuation(actor=world.actor(world.inspector), lot=world.lot()).outcome
        == "authorised"
    )
    assert AuditEvent.objects.filter(target_id=str(safety.uuid), action="update").exists()
    with pytest.raises(PermissionDenied):
        services.save_document_type(
            actor=world.actor(world.inspector), code="x-doc", name_fr="X", name_en="X"
        )


def test_only_inspectors_decide(world, site_statuses):
    lot = world.lot()
    for member in (world.coop_manager, world.officer, world.coordinator, world.caseworker):
        with pytest.raises(PermissionDenied):
            services.decide_evacuation(actor=world.actor(member), lot=lot)


def test_an_authorised_lot_is_not_decided_again(world, site_statuses):
    world.give_documents()
    site_statuses(world.site, "green")
    lot = world.lot()
    services.decide_evacuation(actor=world.actor(world.inspector), lot=lot)
    with pytest.raises(ValidationError):
        services.decide_evacuation(actor=world.actor(world.inspector), lot=lot)


def _refused(world, site_statuses):
    world.give_documents()
    site_statuses(world.site, "red")
    return services.decide_evacuation(actor=world.actor(world.inspector), lot=world.lot())


def test_override_needs_a_second_person_of_another_role_with_a_written_reason(world, site_statuses):
    refusal = _refused(world, site_statuses)
    inspector, coordinator = world.actor(world.inspector), world.actor(world.coordinator)
    with pytest.raises(ValidationError):
        services.request_override(actor=inspector, authorisation=refusal, reason="urgent")
    services.request_override(
        actor=inspector, authorisation=refusal, reason="Lot extrait avant la constatation, vérifié sur place."
    )
    # the same role cannot approve (a coordinator asked? no: an inspector asked; a second inspector lacks the right)
    with pytest.raises(PermissionDenied):
        services.decide_override(
            actor=world.actor(world.second_inspector),
            authorisation=refusal,
            approve=True,
            reason="Je confirme tout.",
        )
    with pytest.raises(ValidationError):
        services.decide_override(actor=coordinator, authorisation=refusal, approve=True, reason="")
    services.decide_override(
        actor=coordinator, authorisation=refusal, approve=True, reason="Vérifié avec la division des mines."
    )
    refusal.refresh_from_db()
    refusal.lot.refresh_from_db()
    assert refusal.override_state == OverrideState.APPROVED and refusal.allows_evacuation
    assert refusal.lot.status == LotStatus.OVERRIDDEN
    assert refusal.lot.site_status == "red"  # the snapshot keeps what the site was
    notes = list(
        AuditEvent.objects.filter(target_id=str(refusal.uuid), action="update").values_list("note", flat=True)
    )
    assert any("Lot extrait avant la constatation" in n for n in notes)
    assert any("Vérifié avec la division des mines" in n for n in notes)


def test_override_cannot_be_decided_by_the_person_who_asked(world, site_statuses):
    refusal = _refused(world, site_statuses)
    coordinator = world.actor(world.coordinator)
    services.request_override(
        actor=coordinator, authorisation=refusal, reason="Demande écrite du coordinateur."
    )
    with pytest.raises(PermissionDenied):
        services.decide_override(
            actor=coordinator, authorisation=refusal, approve=True, reason="Je m'approuve moi."
        )
    # another person of the same role is not enough either
    other = world.actor(make_coordinator(world))
    with pytest.raises(PermissionDenied):
        services.decide_override(
            actor=other, authorisation=refusal, approve=True, reason="Même rôle, refusé."
        )
    # an administrator is another person of another role
    services.decide_override(
        actor=world.actor(world.admin), authorisation=refusal, approve=False, reason="Pas de motif suffisant."
    )
    refusal.refresh_from_db()
    refusal.lot.refresh_from_db()
    assert refusal.override_state == OverrideState.DECLINED and refusal.lot.status == LotStatus.REFUSED


def make_coordinator(world):
    return make_member(world.idak, Role.COORDINATOR)


def test_an_authorisation_cannot_be_overridden(world, site_statuses):
    world.give_documents()
    site_statuses(world.site, "green")
    ok = services.decide_evacuation(actor=world.actor(world.inspector), lot=world.lot())
    with pytest.raises(ValidationError):
        services.request_override(
            actor=world.actor(world.inspector), authorisation=ok, reason="Pas nécessaire ici."
        )


def test_cooperative_members_record_only_their_own_lots(world):
    lot = services.record_lot(
        actor=world.actor(world.coop_clerk),
        site=world.site,
        cooperative=world.coop,
        mineral="cobalt",
        weight_kg=Decimal("800"),
        date=TODAY,
        buyer=world.buyer,
    )
    assert lot.reference.startswith("LOT-")
    assert AuditEvent.objects.filter(target_id=str(lot.uuid), action="create").exists()
    with pytest.raises(PermissionDenied):
        services.record_lot(
            actor=world.actor(world.coop_clerk),
            site=world.site,
            cooperative=world.other_coop,
            mineral="cobalt",
            weight_kg=Decimal("800"),
            date=TODAY,
            buyer=world.buyer,
        )


@pytest.mark.parametrize(
    "change,field",
    [
        ({"weight_kg": Decimal("0")}, "weight_kg"),
        ({"grade_percent": Decimal("140")}, "grade_percent"),
        ({"date": TODAY + datetime.timedelta(days=3)}, "date"),
        ({"mineral": "uranium"}, "mineral"),
        ({"buyer": "coop"}, "buyer"),
        ({"cooperative": "buyer"}, "cooperative"),
    ],
)
def test_bad_lots_are_refused_with_a_field_error(world, change, field):
    values = {
        "site": world.site,
        "cooperative": world.coop,
        "mineral": "cobalt",
        "weight_kg": Decimal("10"),
        "date": TODAY,
        "buyer": world.buyer,
    }
    change = {k: (getattr(world, v) if v in ("coop", "buyer") else v) for k, v in change.items()}
    values.update(change)
    with pytest.raises(ValidationError) as exc:
        services.record_lot(actor=world.actor(world.inspector), **values)
    assert field in exc.value.message_dict


def test_production_is_monthly_and_a_second_entry_corrects_it(world):
    actor = world.actor(world.coop_manager)
    first = services.record_production(
        actor=actor,
        site=world.site,
        cooperative=world.coop,
        mineral="cobalt",
        month=TODAY.replace(day=17),
        tonnage=Decimal("40.5"),
        grade_percent=Decimal("8"),
    )
    assert first.month.day == 1
    again = services.record_production(
        actor=actor,
        site=world.site,
        cooperative=world.coop,
        mineral="cobalt",
        month=TODAY,
        tonnage=Decimal("42"),
    )
    assert again.pk == first.pk and again.tonnage == Decimal("42")
    assert AuditEvent.objects.filter(target_id=str(first.uuid), action="update").exists()
    with pytest.raises(ValidationError):
        services.record_production(
            actor=actor,
            site=world.site,
            cooperative=world.coop,
            mineral="cobalt",
            month=TODAY,
            tonnage=Decimal("-1"),
        )


def test_members_are_adults_counted_by_sex_and_age(world):
    actor = world.actor(world.coop_manager)
    miner = services.register_miner(
        actor=actor, cooperative=world.coop, member_number="A-001", sex="F", birth_year=TODAY.year - 30
    )
    assert AuditEvent.objects.filter(target_id=str(miner.uuid)).exists()
    with pytest.raises(ValidationError) as exc:
        services.register_miner(
            actor=actor, cooperative=world.coop, member_number="A-002", sex="M", birth_year=TODAY.year - 15
        )
    assert "protection" in str(exc.value)
    with pytest.raises(ValidationError):
        services.register_miner(
            actor=actor, cooperative=world.coop, member_number="A-001", sex="M", birth_year=TODAY.year - 40
        )


def test_documents_cannot_expire_before_issue(world):
    doc_type = DocumentType.objects.first()
    with pytest.raises(ValidationError) as exc:
        services.record_document(
            actor=world.actor(world.inspector),
            cooperative=world.coop,
            document_type=doc_type,
            issued_on=TODAY,
            valid_until=TODAY - datetime.timedelta(days=1),
        )
    assert "valid_until" in exc.value.message_dict


def test_a_lot_produced_while_the_site_was_red_stays_refused_after_the_site_is_cleared(world):
    world.give_documents(issued=add_months(TODAY, -10), valid_until=add_months(TODAY, 6))
    red_day = add_months(TODAY, -7)
    inspect(world, world.site, red_day, boys_under_15=2)
    inspect(world, world.site, TODAY)  # re-inspection 7 months later: green today
    tainted = world.lot(date=red_day + datetime.timedelta(days=10))
    decision = services.decide_evacuation(actor=world.actor(world.inspector), lot=tainted)
    assert decision.outcome == Outcome.REFUSED and decision.site_status == "green"
    assert [r["code"] for r in decision.reasons] == ["site_red_at_lot_date"]
    assert "ROUGE" in reason_text(decision.reasons[0]) and "Kasulo" in reason_text(decision.reasons[0])
    fresh = world.lot(date=TODAY)
    assert (
        services.decide_evacuation(actor=world.actor(world.inspector), lot=fresh).outcome
        == Outcome.AUTHORISED
    )
