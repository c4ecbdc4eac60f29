"""`kinga intake`: a phone's data on a USB stick (Kobo and Central exports, ODK Collect instances), the same
idempotency and quarantine as the push; form keys; pulling from fake Kobo and Central servers on loopback."""

import datetime
import io
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from kinga.cases.models import FollowUp
from kinga.core.models import AuditEvent
from kinga.field.models import Channel, FormAccess, PullSource, Source, State, Submission

from .test_push import kobo_follow_up, odk_xml, post_kobo

pytestmark = pytest.mark.django_db


def _column(model, column: str, pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


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


_CLAUSE = re.compile(r"^__system/(submissionDate|updatedAt) (eq|gt|ge|lt|le) (\S+)$")


def _central_clause(item: dict, clause: str) -> bool:
    match = _CLAUSE.match(clause.strip().strip("()"))
    assert match, f"filter Central does not accept here: {clause}"
    field, op, text = match.groups()
    value = (item.get("__system") or {}).get(field)
    if value is None:  # OData: a comparison with null is false (never-edited submissions have no updatedAt)
        return False
    moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    bound = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return {"eq": moment == bound, "gt": moment > bound, "ge": moment >= bound}.get(
        op, moment < bound if op == "lt" else moment <= bound
    )


def central_feed(items: list[dict], query: dict) -> list[dict]:
    """Central's Submissions feed for a query: `$filter` on `__system/submissionDate` and `__system/updatedAt`
    (clauses joined by `or`/`and`), ordered by `$orderby` (`__system/submissionDate` by default)."""
    chosen = list(items)
    expression = (query.get("$filter") or [""])[0]
    if expression:
        chosen = [
            item
            for item in chosen
            if any(
                all(_central_clause(item, c) for c in alternative.split(" and "))
                for alternative in expression.split(" or ")
            )
        ]
    order = (query.get("$orderby") or ["__system/submissionDate"])[0].split()[0].removeprefix("__system/")
    return sorted(chosen, key=lambda item: (item.get("__system") or {}).get(order) or "")


class FakeServer:
    """Answers as Kobo's v2 data API and Central's OData do: pages of `page_size`, a link to the next page."""

    def __init__(self, items, *, kind, token="secret", page_size=2):
        self.items, self.kind, self.token, self.page_size = items, kind, token, page_size
        self.user, self.session = "collecte@example.org", "central-session-token"
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                # Central's sessions (pyodk logs in with the account's e-mail and password).
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                fake.requests.append("POST " + self.path)
                ok = self.path == "/v1/sessions" and body == {"email": fake.user, "password": fake.token}
                data = json.dumps({"token": fake.session} if ok else {"code": 401.2}).encode()
                self.send_response(200 if ok else 401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                fake.requests.append(self.path)
                expected = f"Token {fake.token}" if fake.kind == "kobo" else f"Bearer {fake.session}"
                if self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.end_headers()
                    return
                query = parse_qs(urlparse(self.path).query)
                start = int((query.get("start") or query.get("$skip") or ["0"])[0])
                items = fake.items if fake.kind == "kobo" else central_feed(fake.items, query)
                chunk = items[start : start + fake.page_size]
                more = start + fake.page_size < len(items)
                base = f"http://127.0.0.1:{fake.port}{urlparse(self.path).path}"
                if fake.kind == "kobo":
                    body = {
                        "count": len(fake.items),
                        "results": chunk,
                        "next": f"{base}?start={start + fake.page_size}" if more else None,
                    }
                else:
                    # Central's next link repeats the query (its filter and order) with the rows to skip.
                    kept = {k: v[0] for k, v in query.items() if k != "$skip"}
                    following = urlencode({**kept, "$skip": start + fake.page_size})
                    body = {
                        "value": chunk,
                        **({"@odata.nextLink": f"{base}?{following}"} if more else {}),
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
        assert PullSource.objects.get().cursor == datetime.datetime(2026, 2, 15, 12, tzinfo=datetime.UTC)
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
            "--utilisateur",
            server.user,
            "--source",
            "7/kinga_follow_up",
            "--formulaire",
            "kinga_follow_up",
        ]
        with pytest.raises(CommandError, match="vérifiez l'adresse e-mail et le mot de passe"):
            run(*args, "--jeton", "wrong")
        assert run(*args, "--jeton", "secret").strip() == "1 soumission(s) lue(s) : 1 appliquée(s)"
        assert "%24filter" not in server.requests[-1] and "$filter" not in server.requests[-1]
        assert server.requests[-2] == "POST /v1/sessions"
        assert server.requests[-1].startswith("/v1/projects/7/forms/kinga_follow_up.svc/Submissions?")
        run(*args)  # the password is remembered (encrypted): not asked again
        assert "submissionDate" in server.requests[-1]
    stored = PullSource.objects.get()
    assert stored.secret == "secret" and "secret" not in _column(PullSource, "secret", stored.pk)


def _kobo_items(case, days, prefix="0000"):
    return [
        kobo_follow_up(
            case,
            instance=f"{prefix}0000-0000-4000-8000-0000000000{day:02d}",
            **{"visite/visit_date": f"2026-02-{day:02d}", "_submission_time": f"2026-02-{day:02d}T12:00:00"},
        )
        for day in days
    ]


def _kobo_args(server):
    return ["pull", "--serveur", "kobo", "--url", server.url, "--jeton", "secret", "--source", "aX"]


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_pull_stores_then_queues_batches_the_worker_applies(team, keys, followed_case):
    """With the database task backend (production), the pull stores and queues; the worker's tasks apply."""
    items = _kobo_items(followed_case, range(1, 8))
    with FakeServer(items, kind="kobo", page_size=3) as server, override_settings(TASKS=DB_TASKS):
        out = run(*_kobo_args(server), "--formulaire", "kinga_follow_up")
    assert out.strip() == "7 soumission(s) lue(s) : 7 en attente"
    assert Submission.objects.filter(state=State.RECEIVED, channel=Channel.PULL).count() == 7
    queued = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [t.task_path for t in queued] == ["kinga.field.tasks.process_batch_task"] * 3  # one per page
    assert [len(t.args_kwargs["kwargs"]["submission_ids"]) for t in queued] == [3, 3, 1]
    for task in queued:  # what `kinga worker` does with each
        task.task.call(**task.args_kwargs["kwargs"])
    assert Submission.objects.filter(state=State.APPLIED).count() == 7
    assert FollowUp.objects.filter(case=followed_case, visit_date__isnull=False).count() == 7
    # Audited as received, one event per submission.
    assert AuditEvent.objects.filter(target_type="field.submission", action="create").count() == 7


def test_the_pull_cursor_is_the_servers_own(team, keys, followed_case):
    """A submission pushed with a later time never makes the pull skip what the server holds before it."""
    late = kobo_follow_up(
        followed_case,
        instance="99999999-0000-4000-8000-000000000001",
        **{"visite/visit_date": "2026-02-02", "_submission_time": "2026-02-27T12:00:00"},
    )
    assert post_kobo("kinga_follow_up", keys["kinga_follow_up"], late).status_code == 201
    with FakeServer(_kobo_items(followed_case, (3, 4)), kind="kobo") as server:
        assert run(*_kobo_args(server), "--formulaire", "kinga_follow_up").startswith("2 soumission(s)")
        assert "query" not in parse_qs(urlparse(server.requests[0]).query)


def test_scheduled_pull_fetches_every_remembered_server(team, keys, followed_case):
    items = _kobo_items(followed_case, (1, 2))
    with FakeServer(items, kind="kobo") as server:
        run(*_kobo_args(server), "--formulaire", "kinga_follow_up")
        server.items.extend(_kobo_items(followed_case, (3, 4, 5)))
        with override_settings(TASKS=DB_TASKS):
            assert run("pull", "--planifiees").strip() == "1 collecte(s) confiée(s) au service de tâches."
        task = DBTaskResult.objects.get()
        assert task.task_path == "kinga.field.tasks.pull_source_task"
        assert set(task.args_kwargs["kwargs"]) == {"pull_source_id"}  # never the token
        assert "secret" not in json.dumps(task.args_kwargs)
        result = task.task.call(**task.args_kwargs["kwargs"])
    assert result.startswith("3 nouvelle(s), 2 déjà reçue(s)")  # the cursor's instant is asked again
    source = PullSource.objects.get()
    assert source.last_result == result and source.last_run_at is not None
    assert Submission.objects.filter(state=State.APPLIED).count() == 5


def test_scheduled_pull_keeps_the_servers_refusal(team, keys, followed_case):
    with FakeServer(_kobo_items(followed_case, (1,)), kind="kobo") as server:
        run(*_kobo_args(server), "--formulaire", "kinga_follow_up")
        server.token = "changed"
        run("pull", "--planifiees")
    assert PullSource.objects.get().last_result.startswith("Le serveur refuse l'accès (401)")


def _central_survey(
    survey_round,
    place,
    *,
    instance,
    root=None,
    deprecated="",
    updated=None,
    hunger="3",
    day="20",
    survey="0042",
):
    """A household survey as Central's OData feed gives it: after an edit, `__id` stays the first version's,
    `meta/instanceID` is the new version's, `submissionDate` does not move and `updatedAt` says when."""
    return {
        "__id": f"uuid:{root or instance}",
        "__system": {
            "submissionDate": f"2026-02-{day}T09:00:00.000Z",
            "updatedAt": updated,
            "submitterName": "enumerateur1",
            "edits": 1 if deprecated else 0,
        },
        "round": survey_round.code,
        "menage": {"place": place.pcode, "survey_id": f"KZI-{survey}"},
        "surveyed_on": "2026-02-20",
        "household_size": "6",
        "head_sex": "F",
        "head_age": "41",
        "hunger_scale": hunger,
        "housing": "durable",
        "income_sources": "trade",
        "income_trade": "20",
        "children_working": "0",
        "children_working_at_mine": "0",
        "access_to_water": "yes",
        "has_productive_assets": "no",
        "meta": {
            "instanceID": f"uuid:{instance}",
            **({"deprecatedID": f"uuid:{deprecated}"} if deprecated else {}),
        },
    }


def test_an_edit_made_in_central_updates_what_the_pull_created(team, today, kolwezi):
    """Central keeps an edited submission's submissionDate: the pull asks for updatedAt too."""
    from kinga.core.testing import actor_of  # noqa: PLC0415
    from kinga.households.models import Survey  # noqa: PLC0415
    from kinga.households.tests.factories import make_household, make_round  # noqa: PLC0415

    household = make_household(actor_of(team.clerk), kolwezi, survey_id="KZI-0042")
    survey_round = make_round()
    first = _central_survey(survey_round, kolwezi, instance="c1")
    later = _central_survey(
        survey_round, kolwezi, instance="c3", day="22", survey="9999"
    )  # unknown household
    old = _central_survey(survey_round, kolwezi, instance="c0", day="02", survey="9998")
    with FakeServer([old, first, later], kind="odk") as server:
        args = [
            *("pull", "--serveur", "odk", "--url", server.url, "--utilisateur", server.user),
            *("--jeton", "secret", "--source", "7/kinga_household_survey"),
            *("--formulaire", "kinga_household_survey", "--compte", team.clerk.user.email),
        ]
        assert run(*args).strip() == "3 soumission(s) lue(s) : 1 appliquée(s), 2 en quarantaine"
        assert Survey.objects.get(household=household, round=survey_round).hunger_scale == 3
        assert PullSource.objects.get().cursor == datetime.datetime(2026, 2, 22, 9, tzinfo=datetime.UTC)
        # The enumerator's supervisor corrects the survey in Central (Enketo's edit): a new version, same
        # submission date, older than the cursor. What was not edited is not fetched again.
        server.items[:] = [
            old,
            later,
            _central_survey(
                survey_round,
                kolwezi,
                instance="c1-v2",
                root="c1",
                deprecated="c1",
                updated="2026-03-01T08:30:00.000Z",
                hunger="5",
            ),
        ]
        assert run(*args).strip() == "2 soumission(s) lue(s) : 1 appliquée(s), 1 déjà reçue(s)"
        asked = parse_qs(urlparse(server.requests[-1]).query)["$filter"][0]
        assert asked == (
            "__system/submissionDate ge 2026-02-22T09:00:00Z or __system/updatedAt ge 2026-02-22T09:00:00Z"
        )
        assert PullSource.objects.get().cursor == datetime.datetime(2026, 3, 1, 8, 30, tzinfo=datetime.UTC)
        assert run(*args).strip() == "1 soumission(s) lue(s) : 1 déjà reçue(s)"  # the edit's instant again
    survey = Survey.objects.get(household=household, round=survey_round)
    assert survey.hunger_scale == 5 and Survey.objects.filter(household=household).count() == 1
    assert dict(Submission.objects.values_list("instance_id", "state")) == {
        "c0": State.QUARANTINED,
        "c1": State.REPLACED,
        "c1-v2": State.APPLIED,
        "c3": State.QUARANTINED,
    }
