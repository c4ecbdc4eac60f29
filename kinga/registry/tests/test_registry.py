"""The registry on the database: suggestions at registration, the batch queue, merge and unmerge,
relapse, access and audit — the issue's acceptance journey first."""

import datetime
import hashlib
import hmac
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client

from kinga.cases import services as case_services
from kinga.cases.models import Case, CaseStatus, Child
from kinga.core import events
from kinga.core.models import AuditEvent
from kinga.core.testing import actor_of, assert_not_stored_in_clear, client_for
from kinga.registry import services, subscriptions, suggestions
from kinga.registry.models import CandidatePair, MatchProfile, Merge, PairSource, PairStatus
from kinga.registry.profiles import keyed, profile_values
from kinga.registry.tasks import find_duplicates

from .conftest import TODAY, register

CHILD_A = {
    "given_name": "Trésor",
    "family_name": "Kasongo",
    "sex": "M",
    "date_of_birth": datetime.date(2013, 5, 4),
    "caregivers": [{"name": "Mama Ngalula", "relationship": "mère"}],
}
# swapped name order, a one-letter change, birth year off by one
CHILD_B = {
    "given_name": "Kasomgo",
    "family_name": "Trésor",
    "sex": "M",
    "date_of_birth": datetime.date(2014, 5, 4),
    "caregivers": [{"name": "Mama Ngalula", "relationship": "mère"}],
}


@pytest.fixture
def twice(ngos):
    case_a = register(ngos, ngos.worker_a, **CHILD_A)
    register(
        ngos,
        ngos.worker_a,
        given_name="Grâce",
        family_name="Mbuyu",
        sex="F",
        date_of_birth=datetime.date(2010, 1, 2),
    )
    return ngos, case_a


def test_acceptance_proposed_at_registration_and_in_batch_merged_and_unmerged_exactly(twice):
    ngos, case_a = twice
    # at registration, NGO B sees NGO A's child as a possible match, by minimal fields only
    found = suggestions.suggest(actor=actor_of(ngos.worker_b), **CHILD_B)
    assert [s.child_id for s in found] == [case_a.child_id]
    shown = found[0].display
    assert shown["full"] is False and "name" not in shown
    assert shown["initials"] == "T. K." and shown["birth_year"] == 2013 and shown["organisation"] == "ONG A"
    case_b = register(ngos, ngos.worker_b, **CHILD_B)
    pair = CandidatePair.objects.get()
    assert {pair.child_a_id, pair.child_b_id} == {case_a.child_id, case_b.child_id}
    assert pair.source == PairSource.REGISTRATION and pair.score >= 0.5

    # the batch search finds it too
    CandidatePair.objects.all().delete()
    summary = services.fill_review_queue(actor=actor_of(ngos.sup_a))
    assert summary["added"] == 1
    pair = CandidatePair.objects.get()
    assert pair.source == PairSource.BATCH

    child_a, child_b = Child.objects.get(pk=pair.child_a_id), Child.objects.get(pk=pair.child_b_id)
    before_a = {
        f: str(getattr(child_a, f)) for f in ("given_name", "family_name", "date_of_birth", "caregivers")
    }
    before_b = {
        f: str(getattr(child_b, f)) for f in ("given_name", "family_name", "date_of_birth", "caregivers")
    }

    # NGO B agrees first: nothing merged until NGO A agrees too
    assert services.confirm_pair(actor=actor_of(ngos.sup_b), pair=pair) is None
    pair.refresh_from_db()
    assert pair.status == PairStatus.AWAITING_OTHER
    merge = services.confirm_pair(
        actor=actor_of(ngos.sup_a), pair=pair, choices={"date_of_birth": "absorbed"}
    )
    assert merge is not None
    survivor = Child.objects.get(pk=merge.survivor_id)
    assert set(Case.objects.filter(pk__in=[case_a.pk, case_b.pk]).values_list("child_id", flat=True)) == {
        survivor.pk
    }
    assert survivor.date_of_birth == child_b.date_of_birth  # the reviewer's choice
    assert not MatchProfile.objects.get(child_id=merge.absorbed_id).active
    assert AuditEvent.objects.filter(target_type="registry.merge").exists()
    # both organisations still reach the child through their own case
    assert Case.objects.filter(organisation=ngos.a, child=survivor).exists()
    assert Case.objects.filter(organisation=ngos.b, child=survivor).exists()
    assert Case.objects.filter(child=survivor).values("child").distinct().count() == 1

    services.unmerge(actor=actor_of(ngos.sup_b), merge=merge)
    child_a.refresh_from_db()
    child_b.refresh_from_db()
    assert {f: str(getattr(child_a, f)) for f in before_a} == before_a
    assert {f: str(getattr(child_b, f)) for f in before_b} == before_b
    assert Case.objects.get(pk=case_a.pk).child_id == case_a.child_id
    assert Case.objects.get(pk=case_b.pk).child_id == case_b.child_id
    assert MatchProfile.objects.filter(active=True).count() == 3
    pair.refresh_from_db()
    assert pair.status == PairStatus.DISMISSED
    # a dismissed pair is never proposed again
    assert services.fill_review_queue(actor=actor_of(ngos.sup_a))["added"] == 0


def test_profiles_hold_no_name_in_clear(twice):
    _ngos, case_a = twice
    profile = MatchProfile.objects.get(child_id=case_a.child_id)
    for value in (profile.given_phon, profile.family_phon, profile.given_exact):
        assert isinstance(value, int)
    assert_not_stored_in_clear("Trésor")
    assert_not_stored_in_clear("Ngalula")


def test_dismissed_pairs_are_audited_and_not_proposed_again(twice):
    ngos, _case_a = twice
    register(ngos, ngos.worker_b, **CHILD_B)
    pair = CandidatePair.objects.get()
    services.dismiss_pair(actor=actor_of(ngos.sup_b), pair=pair)
    assert AuditEvent.objects.filter(target_type="registry.candidatepair", target_id=str(pair.uuid)).exists()
    assert services.fill_review_queue(actor=actor_of(ngos.sup_a))["added"] == 0
    assert CandidatePair.objects.get().status == PairStatus.DISMISSED


def test_only_the_organisations_holding_the_children_decide(twice):
    ngos, _case_a = twice
    register(ngos, ngos.worker_b, **CHILD_B)
    pair = CandidatePair.objects.get()
    with pytest.raises(PermissionDenied):
        services.confirm_pair(actor=actor_of(ngos.sup_c), pair=pair)
    with pytest.raises(PermissionDenied):
        services.dismiss_pair(actor=actor_of(ngos.worker_b), pair=pair)


def test_a_new_registration_of_a_closed_cases_child_is_a_possible_relapse(twice):
    ngos, case_a = twice
    Case.objects.filter(pk=case_a.pk).update(
        status=CaseStatus.CLOSED, closed_on=TODAY, closure_reason="exit_achieved", exited=True
    )
    found = suggestions.suggest(actor=actor_of(ngos.worker_b), **CHILD_B)
    assert found[0].possible_relapse
    register(ngos, ngos.worker_b, **CHILD_B)
    pair = CandidatePair.objects.get()
    assert pair.possible_relapse
    services.confirm_pair(actor=actor_of(ngos.sup_b), pair=pair)
    services.confirm_pair(actor=actor_of(ngos.sup_a), pair=pair)
    case_a.refresh_from_db()
    assert case_a.relapse_count == 1


def test_batch_command_and_task(twice):
    ngos, _ = twice
    register(ngos, ngos.worker_b, **CHILD_B)
    CandidatePair.objects.all().delete()
    out = io.StringIO()
    call_command("registry", "batch", stdout=out)
    assert CandidatePair.objects.count() == 1
    assert "1" in out.getvalue()

    CandidatePair.objects.all().delete()
    find_duplicates.enqueue()
    assert CandidatePair.objects.count() == 1


# --- screens ------------------------------------------------------------------------------------------


@pytest.fixture
def pair(twice):
    ngos, _ = twice
    register(ngos, ngos.worker_b, **CHILD_B)
    return ngos, CandidatePair.objects.get()


def test_queue_and_pair_show_another_organisations_child_by_minimal_fields(pair):
    ngos, p = pair
    client = client_for(ngos.sup_b)
    page = client.get("/registry/").content.decode()
    assert "T. K." in page
    detail = client.get(f"/registry/pairs/{p.uuid}/").content.decode()
    assert "T. K." in detail and "2013" in detail and "ONG A" in detail
    assert "Kasongo" not in detail  # NGO A's spelling stays hidden
    assert "Kasomgo" in detail  # NGO B's own child, in full
    assert "autre ordre" in detail and "année décalée" in detail  # the comparison, in words
    assert "year_off_by_one" not in detail and "names_swapped" not in detail


def _shows_no_child(response) -> bool:
    """A refused page tells nothing of the pair: neither organisation's spelling, not even the minimal fields."""
    body = response.content.decode()
    return not any(word in body for word in ("Kasongo", "Kasomgo", "T. K.", "ONG A"))


def test_screens_refuse_anonymous_coordinators_outsiders_and_caseworkers(pair):
    ngos, p = pair
    for url in ("/registry/", f"/registry/pairs/{p.uuid}/"):
        anonymous = Client().get(url)
        assert (
            anonymous.status_code == 302 and "login" in anonymous["Location"] and _shows_no_child(anonymous)
        )
        refused = client_for(ngos.coordinator).get(url)
        assert refused.status_code == 403 and _shows_no_child(refused)
    refused = client_for(ngos.worker_b).get("/registry/")
    assert refused.status_code == 403 and _shows_no_child(refused)
    refused = client_for(ngos.sup_c).get(f"/registry/pairs/{p.uuid}/")
    assert refused.status_code == 404 and _shows_no_child(refused)
    refused = client_for(ngos.sup_c).post(f"/registry/pairs/{p.uuid}/decide/", {"decision": "dismiss"})
    assert refused.status_code == 404 and _shows_no_child(refused)
    refused = client_for(ngos.coordinator).post(f"/registry/pairs/{p.uuid}/decide/", {"decision": "dismiss"})
    assert refused.status_code == 403 and _shows_no_child(refused)
    p.refresh_from_db()
    assert p.status == PairStatus.OPEN
    assert p.decided_by is None and not p.agreed_by.exists()


def test_decisions_through_the_screens_merge_and_unmerge(pair):
    ngos, p = pair
    for member in (ngos.sup_b, ngos.sup_a):
        response = client_for(member).post(f"/registry/pairs/{p.uuid}/decide/", {"decision": "confirm"})
        assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == PairStatus.MERGED
    assert Merge.objects.filter(pair=p, unmerged_at__isnull=True).exists()
    # once linked, NGO B's supervisor sees the (merged) child of NGO A in full
    survivor = Child.objects.get(pk=Merge.objects.get(pair=p).survivor_id)
    assert (
        str(survivor.full_name) in client_for(ngos.sup_b).get(f"/registry/pairs/{p.uuid}/").content.decode()
    )
    client_for(ngos.sup_a).post(f"/registry/pairs/{p.uuid}/decide/", {"decision": "unmerge"})
    assert not Merge.objects.filter(pair=p, unmerged_at__isnull=True).exists()
    assert AuditEvent.objects.filter(target_type="registry.merge", note="merge undone").exists()


FORM_B = {
    "given_name": "Kasomgo",
    "family_name": "Trésor",
    "sex": "M",
    "date_of_birth": "2014-05-04",
    "disability": "none",
    "school_status": "dropped_out",
    "caregiver_name": "Mama Ngalula",
    "identification_method": "site_inspection",
    "work_activities": ["digging"],
    "hazards": ["pits"],
    "hours_per_week": "30",
}


def test_the_cases_registration_screen_proposes_the_match_by_minimal_fields(twice):
    ngos, case_a = twice
    form = {
        **FORM_B,
        "identification_date": (TODAY - datetime.timedelta(days=1)).isoformat(),
        "identification_site": ngos.site.pk,
    }
    response = client_for(ngos.worker_b).post("/cases/register/", form)
    text = response.content.decode()
    assert response.status_code == 200  # held back: the child may already be registered
    assert "T. K." in text and "ONG A" in text and "Trésor Kasongo" not in text
    assert f'value="{case_a.child.uuid}"' not in text  # another organisation's child is not picked here
    assert Case.objects.count() == 2
    # registering as a new child sends the pair to both organisations' supervisors
    response = client_for(ngos.worker_b).post("/cases/register/", {**form, "confirm_new": "on"})
    assert response.status_code == 302
    assert CandidatePair.objects.filter(source=PairSource.REGISTRATION).count() == 1
    # within one organisation, the same child can be picked at once
    text = client_for(ngos.worker_a).post("/cases/register/", form).content.decode()
    assert f'value="{case_a.child.uuid}"' in text


def test_profile_codes_are_the_keyed_hmac_and_follow_the_key(settings):
    def expected(key, kind, code):
        digest = hmac.new(key.encode(), f"registry:{kind}:{code}".encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big") & ((1 << 63) - 1)

    first = keyed("phon", "kabamba")
    assert first == expected(settings.KINGA_BLIND_INDEX_KEY, "phon", "kabamba")
    values, variants = profile_values(given_name="Esther", family_name="Kabamba")
    assert (values["family_phon"], keyed("variant", "kabamba")) in variants
    settings.KINGA_BLIND_INDEX_KEY = "another key for this test"
    # the cache never answers with a code of the previous key
    assert keyed("phon", "kabamba") == expected("another key for this test", "phon", "kabamba") != first
    assert (
        profile_values(given_name="Esther", family_name="Kabamba")[0]["family_phon"] != values["family_phon"]
    )


def test_a_corrected_identity_refreshes_the_profile_through_the_cases_event(twice):
    """The registry learns of a child's correction from the cases app's `cases.child_saved` event."""
    ngos, case_a = twice
    assert subscriptions.on_child_saved in events.handlers("cases.child_saved")
    before = MatchProfile.objects.get(child_id=case_a.child_id)
    case_services.update_child(actor=actor_of(ngos.worker_a), case=case_a, given_name="Dieudonné")
    after = MatchProfile.objects.get(child_id=case_a.child_id)
    expected, _variants = profile_values(
        given_name="Dieudonné", family_name="Kasongo", sex="M", date_of_birth=datetime.date(2013, 5, 4)
    )
    assert after.given_exact == expected["given_exact"] != before.given_exact
    assert after.family_exact == before.family_exact and after.active
