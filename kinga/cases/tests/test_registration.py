import base64
import datetime
import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from PIL import Image

from kinga.cases import selectors, services
from kinga.cases.models import Case, CaseNumberCounter, CaseStatus, Child
from kinga.core import events
from kinga.core.models import AuditEvent, Place
from kinga.core.testing import actor_of, assert_not_stored_in_clear, client_for

from .conftest import TODAY, register

pytestmark = pytest.mark.django_db


def test_registration_numbers_cases_per_territory_and_year(team, today):
    first = register(team)
    second = register(team, given_name="Grâce", sex="F")
    assert first.number == "LUA-KZI-2026-000001"
    assert second.number == "LUA-KZI-2026-000002"
    assert first.status == CaseStatus.REGISTERED
    assert first.caseworker == team.worker.user
    assert first.supervisor == team.supervisor.user
    assert first.assessment_due == TODAY + datetime.timedelta(days=3)
    assert first.age_at_identification == 12
    assert CaseNumberCounter.objects.get(prefix="LUA-KZI", year=2026).last_value == 2


def test_numbers_are_never_reused_and_other_provinces_use_the_pcode(team, today, reference_places):
    case = register(team)
    Case.objects.filter(pk=case.pk).delete()
    assert register(team).number == "LUA-KZI-2026-000002"
    elsewhere = Place.objects.filter(level=2).exclude(pcode__startswith="CD72").first()
    other = register(team, identification_site=None, identification_place=elsewhere)
    assert other.number == f"{elsewhere.pcode}-2026-000001"


def test_high_risk_gets_one_day_to_assess(team, today):
    assert register(team, risk="high").assessment_due == TODAY + datetime.timedelta(days=1)


def test_identity_is_encrypted_and_searchable_by_whole_tokens_only(team, today):
    case = register(team, given_name="Tshibangu", family_name="Mwamba")
    assert_not_stored_in_clear("Tshibangu")
    assert_not_stored_in_clear("Mwamba")
    assert_not_stored_in_clear("Ngalula")
    assert_not_stored_in_clear("+243990000001")
    worker = actor_of(team.worker)
    assert list(selectors.search_cases(worker, "tshibangu")) == [case]
    assert list(selectors.search_cases(worker, "Chibangu mwamba")) == [case]  # phonetic variant
    assert list(selectors.search_cases(worker, "Tshiba")) == []  # no substring search
    assert list(selectors.search_cases(worker, "Tshibangu Kasongo")) == []
    assert list(selectors.search_cases(worker, case.number)) == [case]


def test_every_write_is_audited_without_protected_values(team, today):
    case = register(team, given_name="Merveille")
    events_ = AuditEvent.objects.filter(target_id__in=[str(case.uuid), str(case.child.uuid)])
    assert {e.action for e in events_} == {"create"}
    assert "Merveille" not in str([e.changes for e in events_])


def test_identification_at_a_site_is_published_without_identity(team, today):
    received = []
    events.subscribe("cases.child_identified_at_site", lambda **kw: received.append(kw))
    case = register(team)
    payload = received[-1]
    assert payload["site_id"] == team.site.pk and payload["case_uuid"] == str(case.uuid)
    assert payload["sex"] == "M" and payload["age_band"] == "12-14"
    assert "given_name" not in payload


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("date_of_birth", {"date_of_birth": TODAY}),
        ("identification_date", {"identification_date": TODAY + datetime.timedelta(days=1)}),
        ("registration_date", {"registration_date": TODAY - datetime.timedelta(days=5)}),
        ("given_name", {"given_name": " "}),
        ("sex", {"sex": "X"}),
        ("date_of_birth", {"date_of_birth": datetime.date(2000, 1, 1)}),
        ("identification_place", {"identification_site": None}),
        ("work_activities", {"work_activities": ["flying"]}),
        ("hours_per_week", {"hours_per_week": 200}),
    ],
)
def test_bad_registrations_are_refused_with_a_field_error(team, today, field, values):
    with pytest.raises(ValidationError) as exc:
        register(team, **values)
    assert field in exc.value.message_dict
    assert not Child.objects.exists()


def test_estimated_age_is_flagged(team, today):
    case = register(team, date_of_birth=None, estimated_age=14)
    assert case.child.date_of_birth_estimated
    assert case.age_at_identification == 14


def test_roles_without_the_permission_cannot_register(team, today):
    with pytest.raises(PermissionDenied):
        register(team, by=team.coordinator)


def test_a_data_clerk_registers_for_the_team(team, today):
    case = register(team, by=team.clerk, caseworker=team.worker.user)
    assert case.caseworker == team.worker.user and case.supervisor == team.supervisor.user


def test_assignment_by_the_supervisor(team, today):
    case = register(team)
    services.assign_case(
        actor=actor_of(team.supervisor), case=case, caseworker=team.other_worker.user, today=TODAY
    )
    case.refresh_from_db()
    assert case.caseworker == team.other_worker.user
    with pytest.raises(PermissionDenied):
        services.assign_case(actor=actor_of(team.worker), case=case, caseworker=team.worker.user)
    with pytest.raises(ValidationError):
        services.assign_case(actor=actor_of(team.supervisor), case=case, caseworker=team.provider.user)


def test_caseworker_sees_only_assigned_cases(team, today):
    mine = register(team)
    theirs = register(team, by=team.other_worker)
    assert list(selectors.cases(actor_of(team.worker))) == [mine]
    assert set(selectors.cases(actor_of(team.supervisor))) == {mine, theirs}
    assert set(selectors.cases(actor_of(team.manager))) == {mine, theirs}
    assert list(selectors.cases(actor_of(team.outsider))) == []
    with pytest.raises(PermissionDenied):
        selectors.cases(actor_of(team.coordinator))
    assert selectors.counts(actor_of(team.coordinator))["total"] == 2


def test_rotate_keys_re_encrypts_children(team, today, settings):
    case = register(team, given_name="Espoir")
    old_token = Child.objects.filter(pk=case.child_id).values_list("given_name", flat=True)

    with connection.cursor() as cursor:
        cursor.execute("SELECT given_name FROM cases_child WHERE id = %s", [case.child_id])
        before = cursor.fetchone()[0]
    new_key = Fernet.generate_key().decode()
    settings.KINGA_ENCRYPTION_KEYS = [new_key, *settings.KINGA_ENCRYPTION_KEYS]
    call_command("rotate-keys")
    with connection.cursor() as cursor:
        cursor.execute("SELECT given_name FROM cases_child WHERE id = %s", [case.child_id])
        after = cursor.fetchone()[0]
    assert after != before and old_token is not None
    settings.KINGA_ENCRYPTION_KEYS = [new_key]
    assert Child.objects.get(pk=case.child_id).given_name == "Espoir"


def test_photo_needs_consent_and_is_encrypted(team, today):
    case = register(team)
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    with pytest.raises(ValidationError):
        services.set_photo(actor=actor_of(team.worker), case=case, content=png, content_type="image/png")
    services.record_consent(
        actor=actor_of(team.worker),
        case=case,
        kind="caregiver",
        given_by="Mama",
        date=TODAY,
        for_photos=True,
        today=TODAY,
    )

    client = client_for(team.worker)
    upload = SimpleUploadedFile("p.png", png, content_type="image/png")
    assert client.post(f"/cases/{case.uuid}/photo/", {"photo": upload}).status_code == 302
    child = Child.objects.get(pk=case.child_id)
    assert child.photo.startswith("data:image/png;base64,")
    assert_not_stored_in_clear("data:image/png")
    assert 'class="child-photo"' in client.get(f"/cases/{case.uuid}/").content.decode()


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>fetch('/cases/export/')</script></html>",
        b"\x89PNG\r\n\x1a\n not really a png",
        b"%PDF-1.4 a document",
        "damaged",
    ],
    ids=["html", "png-header", "pdf", "damaged-png"],
)
def test_a_child_photo_is_checked_by_its_content_not_its_declared_type(team, today, content):
    case = register(team)
    services.record_consent(
        actor=actor_of(team.worker),
        case=case,
        kind="caregiver",
        given_by="Mama",
        date=TODAY,
        for_photos=True,
        today=TODAY,
    )
    if content == "damaged":  # Pillow opens its header; only verifying the whole image finds the damage
        buffer = io.BytesIO()
        Image.new("RGB", (4, 4), "brown").save(buffer, "PNG")
        data = bytearray(buffer.getvalue())
        data[data.index(b"IDAT") + 6] ^= 0xFF
        content = bytes(data)
    client = client_for(team.worker)
    upload = SimpleUploadedFile("photo.png", content, content_type="image/png")
    assert client.post(f"/cases/{case.uuid}/photo/", {"photo": upload}).status_code == 400
    # The service, whoever calls it, reads the content too: the type the caller claims is not trusted.
    with pytest.raises(ValidationError) as refused:
        services.set_photo(actor=actor_of(team.worker), case=case, content=content, content_type="image/png")
    assert "JPEG ou PNG" in refused.value.message_dict["photo"][0]
    assert not Child.objects.get(pk=case.child_id).photo


def test_a_photo_keeps_the_type_its_content_has(team, today):
    case = register(team)
    services.record_consent(
        actor=actor_of(team.worker),
        case=case,
        kind="caregiver",
        given_by="Mama",
        date=TODAY,
        for_photos=True,
        today=TODAY,
    )
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "brown").save(buffer, "JPEG")
    services.set_photo(
        actor=actor_of(team.worker), case=case, content=buffer.getvalue(), content_type="image/png"
    )
    assert Child.objects.get(pk=case.child_id).photo.startswith("data:image/jpeg;base64,")


def test_counts_by_status_and_relapses_in_one_pass(team, today, django_assert_num_queries):
    first, second = register(team), register(team, by=team.other_worker)
    Case.objects.filter(pk=second.pk).update(relapse_count=2)  # as a relapse recorded by a retention check
    coordinator = actor_of(team.coordinator)
    with django_assert_num_queries(1):
        counts = selectors.counts(coordinator)
    assert counts["total"] == 2 and counts["relapsed"] == 1
    assert sum(n for _status, _label, n in counts["by_status"]) == 2
    assert first.status in {status for status, _label, n in counts["by_status"] if n}
