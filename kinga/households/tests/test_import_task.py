"""A survey round's import runs as a background task: the form's POST queues it and redirects to the import's
own page, which shows its progress (htmx asks again) and then its result; reloading that page never imports the
file again; a refused import saves nothing and says why; the file waits encrypted and is forgotten once read."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kinga.core.roles import Role
from kinga.core.testing import (
    actor_of,
    assert_not_stored_in_clear,
    client_for,
    make_member,
    make_organisation,
)
from kinga.households import services
from kinga.households.models import Household, ImportBatch, ImportStatus, QuarantinedRow
from kinga.households.tests.factories import make_round
from kinga.households.tests.test_imports import BAD, GOOD, csv_bytes

pytestmark = pytest.mark.django_db

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def clerk(kolwezi):
    return make_member(make_organisation(), Role.DATA_CLERK)


def _post(client, rnd, lines, **extra):
    upload = SimpleUploadedFile("passage.csv", csv_bytes(lines), content_type="text/csv")
    return client.post("/households/importer/", {"round": str(rnd.uuid), "file": upload, **extra})


def test_the_import_ends_on_its_own_page_and_a_reload_does_not_import_again(
    clerk, django_capture_on_commit_callbacks
):
    rnd = make_round(1)
    client = client_for(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, rnd, [*GOOD, BAD[0]], accept_rejections="on")
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/households/importer/{batch.uuid}/"
    assert batch.status == ImportStatus.DONE and batch.progress == 100 and batch.content == ""
    assert (batch.created, batch.updated, batch.quarantined) == (2, 0, 1)
    for _reload in range(2):
        page = client.get(response["Location"]).content.decode()
        assert "Fait." in page and "2 créés, 0 mis à jour, 1 en quarantaine" in page
        assert "Mpoyi Yav" in page  # the quarantined row, whole, with its reasons
        # named by the file's French headers, never by the fields' codes
        assert "Nom du chef de ménage : Mpoyi Yav" in page
        assert "head_name" not in page and "household_size" not in page
    assert ImportBatch.objects.count() == 1 and Household.objects.count() == 2


def test_the_page_shows_the_progress_until_the_task_has_run(
    clerk, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY  # queued, not run: as with a worker that has not taken it yet
    rnd = make_round(1)
    client = client_for(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, rnd, GOOD)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.QUEUED and batch.rows_total == 2
    assert_not_stored_in_clear("Mwamba Kalenga")  # the file waits encrypted
    page = client.get(response["Location"]).content.decode()
    assert "En attente" in page and "<progress" in page and 'hx-trigger="every 2s"' in page
    polled = client.get(response["Location"], headers={"HX-Request": "true"})
    assert "HX-Refresh" not in polled and "<progress" in polled.content.decode()

    services.imports.run_import(batch_id=batch.pk)  # what the worker does
    polled = client.get(response["Location"], headers={"HX-Request": "true"})
    assert polled["HX-Refresh"] == "true"
    page = client.get(response["Location"]).content.decode()
    assert "Fait." in page and 'hx-trigger="every 2s"' not in page
    assert Household.objects.count() == 2
    assert services.imports.run_import(batch_id=batch.pk).status == ImportStatus.DONE  # run twice: once
    assert Household.objects.count() == 2


def test_a_refused_import_saves_nothing_and_says_why(clerk, django_capture_on_commit_callbacks):
    rnd = make_round(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client_for(clerk), rnd, [GOOD[0], *BAD]
        )  # two bad rows of three: above the threshold
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.REFUSED and batch.content == ""
    assert "2 lignes rejetées sur 3" in batch.message, batch.message
    assert not Household.objects.exists() and not QuarantinedRow.objects.exists()
    page = client_for(clerk).get(response["Location"]).content.decode()
    assert "Refusé, rien n’a été enregistré" in page


def test_a_file_that_cannot_be_read_is_refused_on_the_form(clerk):
    rnd = make_round(1)
    upload = SimpleUploadedFile("passage.csv", b"nom;age\nA;3\n", content_type="text/csv")
    response = client_for(clerk).post("/households/importer/", {"round": str(rnd.uuid), "file": upload})
    assert response.status_code == 400 and not ImportBatch.objects.exists()


def test_another_organisations_import_is_not_found(clerk, django_capture_on_commit_callbacks):
    rnd = make_round(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client_for(clerk), rnd, GOOD)
    other = make_member(make_organisation(), Role.DATA_CLERK)
    assert client_for(other).get(response["Location"]).status_code == 404
    assert actor_of(other).organisation != actor_of(clerk).organisation
