"""The 4W import from its page runs as a background task (issue 21): the form's POST stores the file and queues
the import, then redirects to the import's own page, which shows its progress (htmx asks again; without
JavaScript the page reloads itself or by a link) and then its result with the rejected rows and their reasons;
reloading that page never imports again. A refused import saves nothing and says why; its file, or a dry run's,
is kept and can be imported for real without sending it again. The page is the importing organisation's."""

import html
import io

import pytest
from django.urls import reverse

from kinga.community import services
from kinga.community.models import FourW, FourWImport
from kinga.core.imports import ImportStatus
from kinga.core.models import AuditEvent
from kinga.core.roles import Role
from kinga.core.testing import client_for, make_member, make_organisation

from .test_fourw_import import GOOD, csv_of, rows_of

pytestmark = pytest.mark.django_db
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
BAD = ["ONG Inconnue", "Gestion de cas", "CD7201", "", "2026-03-01", "", "", "", ""]


@pytest.fixture
def clerk(org, kolwezi, reference_places):
    make_organisation("UNICEF RDC", type="un_agency")
    return make_member(org, Role.DATA_CLERK)


def _post(client, rows, **extra):
    upload = io.BytesIO(csv_of(rows_of(*rows), delimiter=";", encoding="cp1252"))
    upload.name = "4w-avril.csv"
    return client.post(reverse("community:fourw_import"), {"file": upload, **extra})


def _page(client, url, **headers):
    response = client.get(url, headers=headers)
    return response, html.unescape(response.content.decode())


def test_the_import_ends_on_its_own_page_and_a_reload_does_not_import_again(
    clerk, django_capture_on_commit_callbacks
):
    client = client_for(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, [*GOOD, BAD], accept_rejections="on")
    batch = FourWImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("community:fourw_import_detail", args=[batch.uuid])
    assert batch.status == ImportStatus.DONE and batch.progress == 100
    assert (batch.created, batch.updated, len(batch.rejected_rows)) == (2, 0, 1)
    for _reload in range(2):
        _response, page = _page(client, response["Location"])
        assert "Fait." in page and "2 fiches 4W créées" in page and "1 ligne rejetée" in page
        assert (
            "1 ligne non importée" in page and "Organisation : Organisation « ONG Inconnue » inconnue" in page
        )
        assert "hx-trigger" not in page
    assert FourWImport.objects.count() == 1 and FourW.objects.count() == 2
    assert AuditEvent.objects.filter(target_id=str(batch.uuid), action="create").exists()
    # Nothing sent disappears: the file as sent, and the rejected rows to correct.
    sent = client.get(reverse("community:fourw_import_file", args=[batch.uuid]))
    assert sent.content == csv_of(rows_of(*GOOD, BAD), delimiter=";", encoding="cp1252")
    rejects = client.get(reverse("community:fourw_import_rejects", args=[batch.uuid])).content.decode(
        "utf-8-sig"
    )
    assert rejects.startswith("ligne,motifs,Organisation") and "ONG Inconnue" in rejects
    listing = client.get(reverse("community:fourw_import")).content.decode()
    assert "4w-avril.csv" in listing and str(batch.uuid) in listing


def test_the_page_shows_the_progress_until_the_task_has_run(
    clerk, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY  # queued, not run: as with a worker that has not taken it yet
    client = client_for(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, GOOD)
    batch = FourWImport.objects.get()
    assert (
        batch.status == ImportStatus.QUEUED and batch.rows_total == 2 and batch.content
    )  # the file is stored
    _response, page = _page(client, response["Location"])
    assert "En attente" in page and "<progress" in page and 'hx-trigger="every 2s"' in page
    # Without JavaScript: the page reloads itself, and a link does it at once.
    assert (
        '<noscript><meta http-equiv="refresh"' in page and f'href="{response["Location"]}">Rafraîchir' in page
    )
    polled, fragment = _page(client, response["Location"], HX_Request="true")
    assert "HX-Refresh" not in polled and "<progress" in fragment and "<html" not in fragment

    services.run_fourw_import(batch_id=batch.pk)  # what the worker does
    polled, _fragment = _page(client, response["Location"], HX_Request="true")
    assert polled["HX-Refresh"] == "true"
    _response, page = _page(client, response["Location"])
    assert "Fait." in page and "hx-trigger" not in page and "refresh" not in page
    assert "Toutes les lignes ont été importées." in page and FourW.objects.count() == 2
    assert services.run_fourw_import(batch_id=batch.pk).status == ImportStatus.DONE  # run twice: once
    assert FourW.objects.count() == 2


def test_a_refused_import_saves_nothing_says_why_and_can_be_confirmed(
    clerk, django_capture_on_commit_callbacks
):
    client = client_for(clerk)
    bad_place = ["ONG Mwana Lualaba", "Sensibilisation", "CD9999", "", "2026-03-01", "", "", "", ""]
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, [GOOD[0], BAD, bad_place])  # two bad rows of three: above the threshold
    batch = FourWImport.objects.get()
    assert batch.status == ImportStatus.REFUSED and not FourW.objects.exists()
    assert (batch.created, batch.updated) == (0, 0) and [r["line"] for r in batch.rejected_rows] == [3, 4]
    _response, page = _page(client, response["Location"])
    assert "Refusé, rien n’a été enregistré." in page and "Rien n'a été importé" in page
    assert "2 lignes non importées" in page and "CD9999" in page  # what to correct
    assert "Importer ce fichier pour de bon" in page

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(
            reverse("community:fourw_import_again", args=[batch.uuid]), {"accept_rejections": "on"}
        )
    confirmed = FourWImport.objects.exclude(pk=batch.pk).get()
    assert again.status_code == 302 and again["Location"].endswith(f"/{confirmed.uuid}/")
    assert confirmed.status == ImportStatus.DONE and confirmed.created == 1 and FourW.objects.count() == 1
    # A finished real import is not run again from its page.
    response = client.post(reverse("community:fourw_import_again", args=[confirmed.uuid]))
    assert response.status_code == 400
    assert (
        "ne peut pas être relancé" in html.unescape(response.content.decode()) and FourW.objects.count() == 1
    )


def test_a_dry_run_saves_nothing_and_its_file_is_imported_without_sending_it_again(
    clerk, django_capture_on_commit_callbacks
):
    client = client_for(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, GOOD, dry_run="on")
    batch = FourWImport.objects.get()
    assert batch.status == ImportStatus.DONE and batch.dry_run and not FourW.objects.exists()
    _response, page = _page(client, response["Location"])
    assert "Simulation, rien n'a été enregistré" in page and "2 fiches 4W créées" in page
    assert "Toutes les lignes peuvent être importées." in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("community:fourw_import_again", args=[batch.uuid]))
    assert FourW.objects.count() == 2


def test_a_file_that_is_not_a_4w_is_refused_on_the_form(clerk):
    client = client_for(clerk)
    upload = io.BytesIO(b"\x00\x01\x02binary")
    upload.name = "4w.csv"
    response = client.post(reverse("community:fourw_import"), {"file": upload})
    assert response.status_code == 400 and "binaires" in html.unescape(response.content.decode())
    upload = io.BytesIO(csv_of([["nom", "âge"], ["Amani", "7"]]))
    upload.name = "4w.csv"
    response = client.post(reverse("community:fourw_import"), {"file": upload})
    assert response.status_code == 400 and "pas un fichier 4W" in html.unescape(response.content.decode())
    assert not FourWImport.objects.exists()


def test_the_import_is_the_importing_organisations(clerk, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _post(client_for(clerk), [GOOD[0], BAD, BAD], accept_rejections="")
    batch = FourWImport.objects.get()
    urls = [
        reverse(name, args=[batch.uuid])
        for name in (
            "community:fourw_import_detail",
            "community:fourw_import_file",
            "community:fourw_import_rejects",
        )
    ]
    again = reverse("community:fourw_import_again", args=[batch.uuid])
    other = client_for(make_member(make_organisation("ONG Tujenge"), Role.DATA_CLERK))
    for url in urls:
        assert other.get(url).status_code == 404, url
    assert other.post(again, {"accept_rejections": "on"}).status_code == 404
    assert str(batch.uuid) not in other.get(reverse("community:fourw_import")).content.decode()
    caseworker = client_for(make_member(org, Role.CASEWORKER))  # same organisation, no 4W permission
    for url in urls:
        assert caseworker.get(url).status_code == 403, url
    assert caseworker.post(again, {"accept_rejections": "on"}).status_code == 403
    assert caseworker.get(reverse("community:fourw_import")).status_code == 403
    assert client_for(clerk).get(urls[0]).status_code == 200
    assert FourWImport.objects.count() == 1 and not FourW.objects.exists()
