"""A KoboToolbox v2 data API on loopback serving N household surveys, for bench_field.py.

Run in a process of its own (`python bench/fake_kobo.py PORT COUNT HOUSEHOLDS_JSON`) so that making its pages
costs the benchmarked process neither CPU time under its GIL nor memory. It answers
`GET /api/v2/assets/<uid>/data/?format=json&limit=L&sort=…&query=…` as Kobo does: `count`, `results` sorted by
`_submission_time`, `next` with `start=`; the surveys are made from their index (nothing held in memory), each
one of the households given (place p-code, survey id, round code) so that they can be applied.
"""

from __future__ import annotations

import datetime
import json
import sys
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TOKEN = "bench-kobo-token"
START = datetime.datetime(2026, 1, 1, 6, 0, tzinfo=datetime.UTC)
NAMESPACE = uuid.UUID("6f1c8a56-1b1d-4a39-9a51-6c3f4f0b9e10")


def survey(i: int, households: list[dict]) -> dict:
    household = households[i % len(households)]
    instance = f"uuid:{uuid.uuid5(NAMESPACE, str(i))}"
    moment = START + datetime.timedelta(seconds=i * 7)
    return {
        "_id": i + 1,
        "formhub/uuid": "0d2c3b1cbd8f4f7f8a4e2b7a5d1e9c33",
        "start": moment.isoformat(),
        "end": (moment + datetime.timedelta(minutes=14)).isoformat(),
        "round": household["round"],
        "menage/place": household["place"],
        "menage/survey_id": household["survey_id"],
        # Within the survey round the bench chose (a survey outside its round's dates is refused).
        "surveyed_on": (
            datetime.date.fromisoformat(household["surveyed_from"]) + datetime.timedelta(seconds=i * 7)
        ).isoformat()
        if household.get("surveyed_from")
        else moment.date().isoformat(),
        "household_size": str(3 + i % 8),
        "head_sex": "F" if i % 3 else "M",
        "head_age": str(22 + i % 50),
        "hunger_scale": str(i % 7),
        "housing": ["Précaire (paille, bâche)", "semi_durable", "durable"][i % 3],
        "income_sources": "artisanal_mining trade" if i % 2 else "agriculture",
        "income_artisanal_mining": str(20 + i % 90),
        "income_trade": str(5 + i % 30),
        "income_agriculture": str(10 + i % 40),
        "children_working": str(i % 4),
        "children_working_at_mine": str(min(i % 4, i % 3 // 2)),  # never more than those working
        "children_in_school": str(i % 5),
        "access_to_water": "yes" if i % 4 else "no",
        "has_productive_assets": "no" if i % 5 else "yes",
        "business_opportunities": "Petit commerce de farine" if i % 9 == 0 else "",
        "__version__": "vHbDh7jbAp3UqZ5MDRTYbG",
        "meta/instanceID": instance,
        "_uuid": instance[5:],
        "_submission_time": moment.strftime("%Y-%m-%dT%H:%M:%S"),
        "_submitted_by": "enqueteur",
        "_status": "submitted_via_web",
        "_geolocation": [-10.7 + (i % 100) / 1000, 25.46 + (i % 70) / 1000],
        "_attachments": [],
        "_tags": [],
        "_notes": [],
        "_validation_status": {},
    }


def serve(port: int, count: int, households: list[dict]) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as Kobo's servers answer

        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.headers.get("Authorization") != f"Token {TOKEN}":
                return self.answer(401, {"detail": "Invalid token."})
            url = urlparse(self.path)
            query = parse_qs(url.query)
            start = int(query.get("start", ["0"])[0])
            limit = int(query.get("limit", ["100"])[0])
            if "query" in query:  # {"_submission_time": {"$gte": "…"}}
                since = json.loads(query["query"][0])["_submission_time"]["$gte"]
                moment = datetime.datetime.fromisoformat(since).replace(tzinfo=datetime.UTC)
                start = max(start, int((moment - START).total_seconds()) // 7)
            end = min(start + limit, count)
            base = f"http://127.0.0.1:{port}{url.path}"
            body = {
                "count": count,
                "next": f"{base}?format=json&limit={limit}&start={end}" if end < count else None,
                "previous": None,
                "results": [survey(i, households) for i in range(start, end)],
            }
            self.answer(200, body)

        def answer(self, status: int, body: dict) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    with open(sys.argv[3]) as handle:
        serve(int(sys.argv[1]), int(sys.argv[2]), json.load(handle))
