"""Fetching submissions from a server's API: KoboToolbox's v2 data API (cursor on `_submission_time`, pages
followed through `next`) and ODK Central's OData (cursor on `__system/submissionDate`, pages through
`@odata.nextLink`). The cursor is the newest submission already stored for that server and form; a page may
repeat a submission at the cursor's instant: the instance ID makes it one record.

Pages are read one at a time and each submission applied before the next page is asked for: memory stays flat
however many submissions the server holds."""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db.models import Max

from . import reading, services
from .cli import membership_of, summary
from .models import Channel, Source, Submission

PAGE_SIZE = 1000
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@dataclass(frozen=True)
class Server:
    source: str
    url: str  # Kobo: https://kf.kobotoolbox.org ; Central: https://central.example.org
    token: str
    asset: str  # Kobo: the asset's uid ; Central: "<project id>/<xmlFormId>"


def cursor(source: str, form_id: str) -> datetime.datetime | None:
    return Submission.objects.filter(source=source, form_id=form_id).aggregate(last=Max("submitted_at"))[
        "last"
    ]


def _kobo_first_url(server: Server, since: datetime.datetime | None) -> tuple[str, dict]:
    params: dict[str, str] = {
        "format": "json",
        "limit": str(PAGE_SIZE),
        "sort": json.dumps({"_submission_time": 1}),
    }
    if since is not None:
        stamp = since.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")
        params["query"] = json.dumps({"_submission_time": {"$gte": stamp}})
    return f"{server.url.rstrip('/')}/api/v2/assets/{server.asset}/data/", params


def _central_first_url(server: Server, since: datetime.datetime | None) -> tuple[str, dict]:
    project, _sep, form = server.asset.partition("/")
    params = {"$top": str(PAGE_SIZE), "$orderby": "__system/submissionDate", "$expand": "*", "$count": "true"}
    if since is not None:
        params["$filter"] = (
            f"__system/submissionDate ge {since.astimezone(datetime.UTC).isoformat().replace('+00:00', 'Z')}"
        )
    return f"{server.url.rstrip('/')}/v1/projects/{project}/forms/{form}.svc/Submissions", params


def pages(server: Server, since: datetime.datetime | None, client: httpx.Client) -> Iterator[list]:
    """The server's submissions since the cursor, a page at a time."""
    if server.source == Source.KOBO:
        url, params = _kobo_first_url(server, since)
        headers = {"Authorization": f"Token {server.token}"}
    else:
        url, params = _central_first_url(server, since)
        headers = {"Authorization": f"Bearer {server.token}"}
    while url:
        response = client.get(url, params=params, headers=headers)
        if response.status_code in (401, 403):
            raise CommandError(f"Le serveur refuse l'accès ({response.status_code}) : vérifiez le jeton.")
        response.raise_for_status()
        document = response.json()
        items = document.get("results") if server.source == Source.KOBO else document.get("value")
        yield items or []
        url = document.get("next") if server.source == Source.KOBO else document.get("@odata.nextLink")
        params = None  # the next link carries its own parameters


def pull(
    *, server: Server, form_id: str, membership, client: httpx.Client | None = None
) -> tuple[Counter, int]:
    """Fetch and apply what the server holds since the cursor. Returns (states, already stored)."""
    counts: Counter = Counter()
    already = 0
    since = cursor(server.source, form_id)
    own = client is None
    client = client or httpx.Client(timeout=TIMEOUT, follow_redirects=False)
    try:
        for page in pages(server, since, client):
            for item in page:
                if not isinstance(item, dict):
                    continue
                try:
                    parsed = (
                        reading.from_kobo(item) if server.source == Source.KOBO else reading.from_odata(item)
                    )
                    received = services.receive(
                        source=server.source,
                        channel=Channel.PULL,
                        form_id=form_id,
                        parsed=parsed,
                        membership=membership,
                        process=False,
                    )
                except ValidationError:
                    counts["refused"] += 1
                    continue
                if not received.created:
                    already += 1
                    continue
                counts[services.process(submission_id=str(received.submission.pk))] += 1
    except httpx.HTTPError as error:
        raise CommandError(f"Le serveur ne répond pas comme attendu : {error}") from None
    finally:
        if own:
            client.close()
    return counts, already


def add_arguments(sub) -> None:
    parser = sub.add_parser(
        "pull",
        help="Récupérer les soumissions d'un serveur Kobo (API v2) ou ODK Central (OData) depuis la dernière.",
    )
    parser.add_argument("--serveur", required=True, choices=["kobo", "odk"])
    parser.add_argument("--url", required=True, help="Adresse du serveur (https://kf.kobotoolbox.org).")
    parser.add_argument("--jeton", required=True, help="Jeton d'API du serveur.")
    parser.add_argument(
        "--source", required=True, metavar="ACTIF", help="Kobo : l'uid de l'actif ; ODK : PROJET/FORMULAIRE."
    )
    parser.add_argument(
        "--formulaire", required=True, help="Identifiant Kinga du formulaire (kinga_follow_up…)."
    )
    parser.add_argument("--compte", default="", metavar="EMAIL", help="Appliquer au nom de ce compte.")


def handle(command, options) -> None:
    server = Server(
        source=Source.KOBO if options["serveur"] == "kobo" else Source.ODK,
        url=options["url"],
        token=options["jeton"],
        asset=options["source"],
    )
    membership = membership_of(options["compte"], options["formulaire"])
    counts, already = pull(server=server, form_id=options["formulaire"], membership=membership)
    refused = counts.pop("refused", 0)
    command.stdout.write(summary(counts, already, refused))
