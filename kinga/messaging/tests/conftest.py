"""A fake SMS gateway on loopback (answers as a JSON HTTP gateway does), and a check after every test of this app
that no message it sent carries a child's identity."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from kinga.cases.models import Child
from kinga.messaging import senders

TOKEN = "gw-secret-token"
INBOUND_TOKEN = "inbound-secret"


class FakeGateway(BaseHTTPRequestHandler):
    """POST /send with a bearer token: 200 {"id": ...}; 401 for a wrong token. `answers` lists the statuses to
    give first (503 for an outage), then 200."""

    received: list[dict] = []
    answers: list[int] = []

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._answer(401, {"error": "unauthorised"})
        status = type(self).answers.pop(0) if type(self).answers else 200
        if status != 200:
            return self._answer(status, {"error": "unavailable"})
        type(self).received.append(body)
        return self._answer(200, {"id": f"gw-{len(type(self).received)}", "status": "queued"})

    def _answer(self, status, data):
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def gateway(settings):
    FakeGateway.received, FakeGateway.answers = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.KINGA_SMS_BACKEND = "http"
    settings.KINGA_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_address[1]}/send"
    settings.KINGA_SMS_GATEWAY_TOKEN = TOKEN
    yield FakeGateway
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def inbound_token(settings):
    settings.KINGA_SMS_INBOUND_TOKEN = INBOUND_TOKEN
    settings.KINGA_BASE_URL = "https://kinga.example.cd"


def _identities() -> list[str]:
    """Every test child's names (and their caregivers') and birth date, as they could be written."""
    found: list[str] = []
    for child in Child.objects.all():
        for name in (child.given_name, child.middle_name, child.family_name, child.other_names):
            found.extend(part for part in str(name or "").split() if len(part) > 2)
        for caregiver in child.caregivers or []:
            found.extend(part for part in str(caregiver.get("name", "")).split() if len(part) > 2)
        if child.date_of_birth:
            day = child.date_of_birth
            found.extend([day.isoformat(), day.strftime("%d/%m/%Y"), day.strftime("%d/%m/%y")])
    return found


def sent_texts() -> list[str]:
    """Every message that left in this test: through the fake gateway, by e-mail, or to the console."""
    texts = [json.dumps(body, ensure_ascii=False) for body in FakeGateway.received]
    texts += [f"{m.subject}\n{m.body}" for m in mail.outbox]
    texts += [f"{m.subject}\n{m.body}" for m in senders.console_outbox]
    return texts


@pytest.fixture(autouse=True)
def no_identity_in_any_message(request):
    """After each test, the messages it sent are scanned for the test children's names and birth dates."""
    uses_db = {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_db:
        yield
        return
    request.getfixturevalue(sorted(uses_db)[-1])  # set up first, so this check runs before the rollback
    FakeGateway.received = []
    senders.console_outbox.clear()
    yield
    identities = _identities()
    for text in sent_texts():
        for identity in identities:
            assert identity.lower() not in text.lower(), f"identity {identity!r} in a message: {text}"
