"""A photo taken at an identification reaches the child's case file, fetched with size and type checks; a file
too big, of another type or missing puts the submission in quarantine with the reason, and a replay tries again."""

import io
import threading
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from kinga.cases.models import Case, Consent
from kinga.core.testing import actor_of
from kinga.field import attachments, services
from kinga.field.models import Attachment, PullSource, Source, State, Submission

from .test_push import post_kobo
from .test_reading import IDENTIFICATION

pytestmark = pytest.mark.django_db


def jpeg(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (180, 120, 60)).save(out, "JPEG")
    return out.getvalue()


class FileServer:
    """Serves files as KoboToolbox's attachment links do (a token may be required); counts the requests."""

    def __init__(self, files: dict[str, bytes], token: str = ""):
        self.files, self.token, self.requests = files, token, []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.requests.append((self.path, self.headers.get("Authorization")))
                if fake.token and self.headers.get("Authorization") != f"Token {fake.token}":
                    self.send_response(401)
                    self.end_headers()
                    return
                content = fake.files.get(self.path)
                self.send_response(200 if content is not None else 404)
                self.send_header("Content-Type", "image/jpeg")  # whatever the bytes are, as a server may say
                self.send_header("Content-Length", str(len(content or b"")))
                self.end_headers()
                self.wfile.write(content or b"")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def file_server():
    server = FileServer({})
    yield server
    server.close()


def _identification(instance: str, server: FileServer | None, photo="1709.jpg", consent="oui", **extra):
    payload = dict(
        IDENTIFICATION,
        **{
            "meta/instanceID": f"uuid:{instance}",
            "enfant/given_name": "Kalenga",  # no match with another child: applied, not sent to review
            "enfant/photo": photo,
            "enfant/photo_consent": consent,
        },
        **extra,
    )
    if server is not None:
        payload["_attachments"] = [
            {
                "download_url": server.url(f"/api/v2/assets/aX/data/1/attachments/{instance}/"),
                "filename": f"kinga/attachments/abc/{instance}/{photo}",
                "mimetype": "image/jpeg",
                "media_file_basename": photo,
                "question_xpath": "enfant/photo",
            }
        ]
    return payload


def test_a_kobo_photo_reaches_the_case_file_with_the_caregivers_consent(team, keys, today, file_server):
    file_server.files["/api/v2/assets/aX/data/1/attachments/p1/"] = jpeg()
    payload = _identification("p1", file_server)
    assert post_kobo("kinga_identification", keys["kinga_identification"], payload).status_code == 201
    submission = Submission.objects.get()
    assert submission.state == State.APPLIED, submission.reasons
    child = Case.objects.get().child
    assert child.photo.startswith("data:image/jpeg;base64,")
    consent = Consent.objects.get(case__child=child)
    assert consent.for_photos and consent.given_by == "Mama Kaseya"
    stored = Attachment.objects.get()
    assert stored.content_type == "image/jpeg" and stored.size == len(jpeg()) and not stored.problem


def test_a_page_named_like_a_photo_is_refused_by_its_content(team, keys, today, file_server):
    file_server.files["/api/v2/assets/aX/data/1/attachments/p2/"] = b"<html><script>alert(1)</script></html>"
    post_kobo("kinga_identification", keys["kinga_identification"], _identification("p2", file_server))
    submission = Submission.objects.get()
    assert submission.state == State.QUARANTINED and not Case.objects.exists()
    assert "n'est pas une photo JPEG ou PNG" in submission.reasons["photo"][0]


def test_a_photo_too_big_is_not_downloaded_whole(team, keys, today, file_server, monkeypatch):
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", 1000)
    file_server.files["/api/v2/assets/aX/data/1/attachments/p3/"] = jpeg((400, 400))
    post_kobo("kinga_identification", keys["kinga_identification"], _identification("p3", file_server))
    submission = Submission.objects.get()
    assert submission.state == State.QUARANTINED
    assert "plus de 0 Mo" not in submission.reasons["photo"][0]
    assert "dépasse" in submission.reasons["photo"][0] or "plus gros" in submission.reasons["photo"][0]
    assert Attachment.objects.get().content == ""


def test_a_missing_photo_is_quarantined_then_replayed_once_the_server_has_it(team, keys, today, file_server):
    post_kobo("kinga_identification", keys["kinga_identification"], _identification("p4", file_server))
    submission = Submission.objects.get()
    assert submission.state == State.QUARANTINED
    assert "n'a plus ce fichier" in submission.reasons["photo"][0]
    file_server.files["/api/v2/assets/aX/data/1/attachments/p4/"] = jpeg()
    replayed = services.replay(actor=actor_of(team.supervisor), submission=submission)
    assert replayed.state == State.APPLIED, replayed.reasons
    assert Case.objects.get().child.photo.startswith("data:image/jpeg")


def test_a_photo_the_submission_names_but_never_sent(team, keys, today):
    post_kobo("kinga_identification", keys["kinga_identification"], _identification("p5", None))
    reasons = Submission.objects.get().reasons
    assert "n'est pas arrivé avec la soumission" in reasons["photo"][0]


def test_no_photo_kept_without_the_caregivers_consent(team, keys, today, file_server):
    file_server.files["/api/v2/assets/aX/data/1/attachments/p6/"] = jpeg()
    post_kobo(
        "kinga_identification",
        keys["kinga_identification"],
        _identification("p6", file_server, consent="non"),
    )
    submission = Submission.objects.get()
    assert submission.state == State.QUARANTINED and not Case.objects.exists()
    assert "consentement" in submission.reasons["photo_consent"][0]


def test_the_link_is_fetched_with_the_token_of_the_server_kinga_pulls_from(team, keys, today):
    server = FileServer({"/api/v2/assets/aX/data/1/attachments/p7/": jpeg()}, token="kobo-secret")
    try:
        PullSource.objects.create(
            source=Source.KOBO,
            url=server.url(""),
            asset="aX",
            form_id="kinga_identification",
            secret="kobo-secret",
            membership=team.worker,
        )
        post_kobo("kinga_identification", keys["kinga_identification"], _identification("p7", server))
    finally:
        server.close()
    assert Submission.objects.get().state == State.APPLIED
    assert server.requests[-1][1] == "Token kobo-secret"


def test_odk_collect_sends_the_photo_beside_the_xml(team, keys, today):
    xml = (
        b'<data id="kinga_identification"><enfant><given_name>Kalenga</given_name>'
        b"<family_name>Mwamba</family_name><sex>M</sex><estimated_age>12</estimated_age>"
        b"<photo>1709.jpg</photo><photo_consent>yes</photo_consent></enfant>"
        b"<identification_date>2026-02-28</identification_date><identification_site>codmine00001</identification_site>"
        b"<caregivers><caregiver_name>Mama Kalenga</caregiver_name></caregivers>"
        b"<meta><instanceID>uuid:o1</instanceID></meta></data>"
    )
    response = Client().post(
        f"/terrain/reception/odk/kinga_identification/submission?cle={keys['kinga_identification']}",
        {
            "xml_submission_file": SimpleUploadedFile("submission.xml", xml, content_type="text/xml"),
            "1709.jpg": SimpleUploadedFile("1709.jpg", jpeg(), content_type="image/jpeg"),
        },
    )
    assert response.status_code == 201
    assert Submission.objects.get().state == State.APPLIED, Submission.objects.get().reasons
    assert Case.objects.get().child.photo.startswith("data:image/jpeg")
    assert Attachment.objects.get().content not in ("", None)


def test_a_refused_photo_is_shown_for_review_and_the_rest_applied_without_it(team, keys, today):
    """ODK Collect sends a file that is no photo beside the XML: the submission waits in quarantine with the
    file's reason; the data clerk sees the file refused and applies the identification without the photo."""
    from kinga.core.models import AuditEvent  # noqa: PLC0415
    from kinga.core.testing import client_for  # noqa: PLC0415

    xml = (
        b'<data id="kinga_identification"><enfant><given_name>Kalenga</given_name>'
        b"<family_name>Mwamba</family_name><sex>M</sex><estimated_age>12</estimated_age>"
        b"<photo>1709.jpg</photo><photo_consent>yes</photo_consent></enfant>"
        b"<identification_date>2026-02-28</identification_date><identification_site>codmine00001</identification_site>"
        b"<caregivers><caregiver_name>Mama Kalenga</caregiver_name></caregivers>"
        b"<meta><instanceID>uuid:o2</instanceID></meta></data>"
    )
    page = b"<html><script>alert(1)</script></html>"
    response = Client().post(
        f"/terrain/reception/odk/kinga_identification/submission?cle={keys['kinga_identification']}",
        {
            "xml_submission_file": SimpleUploadedFile("submission.xml", xml, content_type="text/xml"),
            "1709.jpg": SimpleUploadedFile("1709.jpg", page, content_type="image/jpeg"),
        },
    )
    assert response.status_code == 201
    submission = Submission.objects.get()
    assert submission.state == State.QUARANTINED and not Case.objects.exists()
    assert "n'est pas une photo JPEG ou PNG" in submission.reasons["photo"][0]
    refused = Attachment.objects.get()
    assert (
        refused.problem and refused.content == "" and refused.size == len(page)
    )  # the reason, never the bytes

    clerk = client_for(team.clerk)
    url = f"/terrain/quarantaine/{submission.pk}/"
    html = unescape(clerk.get(url).content.decode())
    assert 'id="refused-files"' in html and "1709.jpg" in html and "n'est pas une photo JPEG ou PNG" in html
    assert 'name="sans_fichiers"' in html
    # Applying again without choosing leaves it where it is; choosing applies the rest, without the photo.
    clerk.post(f"{url}rejouer/", {})
    assert Submission.objects.get().state == State.QUARANTINED
    clerk.post(f"{url}rejouer/", {"sans_fichiers": "oui"})
    submission.refresh_from_db()
    assert submission.state == State.APPLIED, submission.reasons
    case = Case.objects.get()
    assert not case.child.photo and case.child.given_name == "Kalenga"
    assert Attachment.objects.get().problem  # the refused file's record stays with the submission
    assert AuditEvent.objects.filter(target_id=str(submission.pk), note="replay without the files").exists()


def test_without_files_is_refused_for_a_form_that_names_none(team, keys, followed_case):
    from django.core.exceptions import ValidationError  # noqa: PLC0415

    from .test_push import kobo_follow_up  # noqa: PLC0415

    broken = kobo_follow_up(followed_case)
    broken["visite/case"] = "LUA-KZI-2026-424242"
    post_kobo("kinga_follow_up", keys["kinga_follow_up"], broken)
    submission = Submission.objects.get()
    assert submission.state == State.QUARANTINED
    with pytest.raises(ValidationError, match="ne nomme aucun fichier"):
        services.replay(actor=actor_of(team.clerk), submission=submission, without_files=True)
