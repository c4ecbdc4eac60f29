"""`kinga intake`: a phone's data on a USB stick (Kobo and Central exports, ODK Collect instances), the same
idempotency and quarantine as the push; form keys; pulling from fake Kobo and Central servers on loopback."""

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kinga.cases.models import FollowUp
from kinga.field.models import Channel, FormAccess, Source, State, Submission

from .test_push import kobo_follow_up, odk_xml, post_kobo

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("intake", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _odata(case, instance, day):
    return {
        "__id": f"uuid:{instance}",
        "__system": {"submissionDate": f"2026-02-{day}T10:00:00.000Z", "submitterName": "enumerateur1"},
        "visite": {"case_number": case.number, "visit_date": f"2026-02-{day}", "child_seen": "yes"},
        "meta": {"instanceID": f"uuid:{instance}"},
    }


def test_import_a_kobo_export_then_again(team, keys, followed_case, tmp_path):
    broken = kobo_follow_up(followed_case, instance="00000000-0000-4000-8000-000000000002")
    broken["visite/case"] = "LUA-KZI-2026-424242"
    export = {"count": 2, "next": None, "previous": None, "results": [kobo_follow_up(followed_case), broken]}
    path = tmp_path / "kobo.json"
    path.write_text(json.dumps(export))
    out = run("import", str(path), "--formulaire", "kinga_follow_up", "--compte", team.worker.user.email)
    assert out.strip() == "2 soumission(s) lue(s) : 1 appliquée(s), 1 en quarantaine"
    assert set(Submission.objects.values_list("channel", "source")) == {(Channel.FILE, Source.KOBO)}
    assert run("import", str(path), "--formulaire", "kinga_follow_up").strip() == (
        "2 soumission(s) lue(s) : 2 déjà reçue(s)"  # the form's key names the account
    )
    # A submission already pushed by Kobo is the same submission when its export is imported.
    assert FollowUp.objects.filter(case=followed_case, visit_date__isnull=False).count() == 1


def test_import_a_central_export_and_collect_instances(team, keys, followed_case, tmp_path):
    export = {
        "@odata.context": "https://central.example.org/v1/projects/7/forms/kinga_follow_up.svc/$metadata#Submissions",
        "value": [_odata(followed_case, "e1", "11")],
    }
    (tmp_path / "central.json").write_text(json.dumps(export))
    assert "1 appliquée(s)" in run("import", str(tmp_path / "central.json"))
    instances = tmp_path / "instances" / "kinga_follow_up_2026-02-12"
    instances.mkdir(parents=True)
    body = "<visite><visit_date>2026-02-12</visit_date><child_seen>yes</child_seen></visite>"
    (instances / "a.xml").write_bytes(odk_xml("kinga_follow_up", followed_case, body, instance="x1"))
    assert run("import", str(tmp_path / "instances")).strip() == "1 soumission(s) lue(s) : 1 appliquée(s)"
    assert FollowUp.objects.filter(case=followed_case, visit_date__isnull=False).count() == 2


def test_a_key_is_shown_once_and_works_until_revoked(team, followed_case):
    out = run("key", "create", "--formulaire", "kinga_follow_up", "--compte", team.worker.user.email)
    key = out.split(" : ", 1)[1].split()[0]
    assert FormAccess.objects.get().digest != key and key not in FormAccess.objects.get().prefix + "x"
    assert post_kobo("kinga_follow_up", key, kobo_follow_up(followed_case)).status_code == 201
    run("key", "revoke", FormAccess.objects.get().prefix)
    again = kobo_follow_up(followed_case, instance="00000000-0000-4000-8000-000000000009")
    assert post_kobo("kinga_follow_up", key, again).status_code == 403


# --- pulling from fake servers ------------------------------------------------------------------------------


class FakeServer:
    """Answers as Kobo's v2 data API and Central's OData do: pages of `page_size`, a link to the next page."""

    def __init__(self, items, *, kind, token="secret", page_size=2):
        self.items, self.kind, self.token, self.page_size = items, kind, token, page_size
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.requests.append(self.path)
                expected = ("Token " if fake.kind == "kobo" else "Bearer ") + fake.token
                if self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.end_headers()
                    return
                query = parse_qs(urlparse(self.path).query)
                start = int((query.get("start") or query.get("$skip") or ["0"])[0])
                chunk = fake.items[start : start + fake.page_size]
                more = start + fake.page_size < len(fake.items)
                base = f"http://127.0.0.1:{fake.port}{urlparse(self.path).path}"
                if fake.kind == "kobo":
                    body = {
                        "count": len(fake.items),
                        "results": chunk,
                        "next": f"{base}?start={start + fake.page_size}" if more else None,
                    }
                else:
                    body = {
                        "value": chunk,
                        **({"@odata.nextLink": f"{base}?$skip={start + fake.page_size}"} if more else {}),
                    }
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"


def test_pull_from_kobo_follows_the_pages_and_then_the_cursor(team, keys, followed_case):
    items = [
        kobo_follow_up(
            followed_case,
            instance=f"00000000-0000-4000-8000-00000000000{i}",
            **{"visite/visit_date": f"2026-02-1{i}", "_submission_time": f"2026-02-1{i}T12:00:00"},
        )
        for i in range(1, 6)
    ]
    with FakeServer(items, kind="kobo") as server:
        args = [
            "pull",
            "--serveur",
            "kobo",
            "--url",
            server.url,
            "--jeton",
            "secret",
            "--source",
            "aTPPUDScaFZkvBzd8FyK4Q",
            "--formulaire",
            "kinga_follow_up",
        ]
        assert run(*args).strip() == "5 soumission(s) lue(s) : 5 appliquée(s)"
        assert len(server.requests) == 3  # 2 + 2 + 1
        assert "query" not in parse_qs(
            urlparse(server.requests[0]).query
        )  # nothing stored yet: from the start
        run(*args)
        cursor = parse_qs(urlparse(server.requests[3]).query)["query"][0]
        assert json.loads(cursor) == {"_submission_time": {"$gte": "2026-02-15T12:00:00"}}
    assert Submission.objects.filter(channel=Channel.PULL, state=State.APPLIED).count() == 5


def test_pull_from_central_with_the_wrong_token_says_so(team, keys, followed_case):
    with FakeServer([_odata(followed_case, "p1", "11")], kind="odk") as server:
        args = [
            "pull",
            "--serveur",
            "odk",
            "--url",
            server.url,
            "--source",
            "7/kinga_follow_up",
            "--formulaire",
            "kinga_follow_up",
        ]
        with pytest.raises(CommandError, match="vérifiez le jeton"):
            run(*args, "--jeton", "wrong")
        assert run(*args, "--jeton", "secret").strip() == "1 soumission(s) lue(s) : 1 appliquée(s)"
        assert "%24filter" not in server.requests[-1] and "$filter" not in server.requests[-1]
        run(*args, "--jeton", "secret")
        assert "submissionDate" in server.requests[-1]
