"""Fetching submissions from a server's API: KoboToolbox's v2 data API (cursor on `_submission_time`, pages
followed through `next`) and ODK Central's OData through pyodk (its session logs in with the account's e-mail
and password; cursor on `__system/submissionDate` and `__system/updatedAt`, pages through `@odata.nextLink`).

An edit made in Central (Enketo's "edit", or a new version sent by Collect) keeps the submission's
`submissionDate`: only `updatedAt` moves. The Central query asks for what was submitted *or* updated since the
cursor, in submission order; while pages are stored the cursor follows their submission dates (a pull stopped
half-way asks again from there, and an edit made meanwhile is newer than that), and only once the last page is
stored does it move up to the newest update seen.

Each page is stored in bulk (kinga.field.bulk: one row per instance ID, identity encrypted, audited) and the
source's cursor advanced in the same transaction; the page's application is queued in batches for the task
worker. Only one page is in memory at a time: memory stays flat however many submissions the server holds, and a
pull stopped half-way starts again after the last page stored. A page may repeat submissions at the cursor's
instant: their instance ID makes them one record.

`kinga intake pull` remembers each server it is given (a `PullSource`, its secret encrypted); `kinga intake
pull --planifiees`, run by a systemd timer (docs/deploy.md), queues one task per remembered server and the task
worker fetches them."""

from __future__ import annotations

import datetime
import json
import queue
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from pyodk.client import Client, Session
from pyodk.errors import PyODKError
from requests import RequestException

from kinga.core import tasks

from . import attachments, bulk, handlers, reading
from .cli import membership_of, summary
from .models import Channel, PullSource, Source, Submission
from .tasks import pull_source_task

PAGE_SIZE = 1000
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
CENTRAL_API = "v1"


class PullError(Exception):
    """The server refused or answered what Kinga cannot read; the message is French."""


@dataclass(frozen=True)
class Server:
    source: str
    url: str  # Kobo: https://kf.kobotoolbox.org ; Central: https://central.example.org
    secret: str  # Kobo: the API token ; Central: the account's password
    asset: str  # Kobo: the asset's uid ; Central: "<project id>/<xmlFormId>"
    username: str = ""  # Central: the account's e-mail

    @classmethod
    def of(cls, source: PullSource) -> Server:
        return cls(source.source, source.url, source.secret, source.asset, source.username)


@dataclass
class Outcome:
    states: Counter = field(
        default_factory=Counter
    )  # of the stored submissions, once their page is committed
    stored: int = 0
    already: int = 0
    refused: int = 0
    pages: int = 0
    tasks: int = 0


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _kobo_pages(server: Server, since: datetime.datetime | None, client: httpx.Client) -> Iterator[list]:
    params: dict[str, str] | None = {
        "format": "json",
        "limit": str(PAGE_SIZE),
        "sort": json.dumps({"_submission_time": 1}),
    }
    if since is not None:
        params["query"] = json.dumps({"_submission_time": {"$gte": _stamp(since)}})
    url = f"{server.url.rstrip('/')}/api/v2/assets/{server.asset}/data/"
    headers = {"Authorization": f"Token {server.secret}"}
    while url:
        try:
            response = client.get(url, params=params, headers=headers)
        except httpx.HTTPError as error:
            raise PullError(f"Le serveur ne répond pas comme attendu : {error}") from None
        if response.status_code in (401, 403):
            raise PullError(f"Le serveur refuse l'accès ({response.status_code}) : vérifiez le jeton.")
        if response.status_code != 200:
            raise PullError(f"Le serveur répond {response.status_code} à {url}.")
        document = response.json()
        yield document.get("results") or []
        url = document.get("next")
        params = None  # the next link carries its own parameters


def central_client(server: Server) -> Client:
    """pyodk's client for this Central: its session logs in with the e-mail and password on the first call."""
    from pyodk._utils.config import CentralConfig, Config  # noqa: PLC0415  (pyodk builds its config here)

    config = Config(
        central=CentralConfig(base_url=server.url, username=server.username, password=server.secret)
    )
    # No cache file: pyodk would otherwise keep the session token in the home directory and reuse it.
    session = Session(
        base_url=server.url,
        api_version=CENTRAL_API,
        username=server.username,
        password=server.secret,
        cache_path=None,
    )
    return Client(config=config, session=session)


def _central_pages(server: Server, since: datetime.datetime | None, client: Client) -> Iterator[list]:
    project, _sep, form = server.asset.partition("/")
    params: dict[str, str] | None = {
        "$top": str(PAGE_SIZE),
        "$orderby": "__system/submissionDate",
        "$expand": "*",
        "$count": "true",
    }
    if since is not None:
        stamp = f"{_stamp(since)}Z"
        params["$filter"] = f"__system/submissionDate ge {stamp} or __system/updatedAt ge {stamp}"
    url = f"projects/{project}/forms/{form}.svc/Submissions"
    while url:
        try:
            response = client.session.get(url, params=params, timeout=60)
        except (PyODKError, RequestException) as error:
            raise PullError(f"Le serveur ne répond pas comme attendu : {error}") from None
        if response.status_code in (401, 403):
            raise PullError("Le serveur refuse l'accès : vérifiez l'adresse e-mail et le mot de passe.")
        if response.status_code != 200:
            raise PullError(f"Le serveur répond {response.status_code} à {url}.")
        document = response.json()
        yield document.get("value") or []
        url = document.get("@odata.nextLink")
        params = None


def pages(server: Server, since: datetime.datetime | None) -> Iterator[list]:
    """The server's submissions since the cursor, a page at a time."""
    if server.source == Source.KOBO:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
            yield from _kobo_pages(server, since, client)
    else:
        client = central_client(server)
        try:
            client.open()  # pyodk logs in: POST /v1/sessions with the e-mail and password
        except (PyODKError, RequestException):
            raise PullError(
                "Le serveur refuse la connexion : vérifiez l'adresse e-mail et le mot de passe du compte "
                "ODK Central."
            ) from None
        try:
            yield from _central_pages(server, since, client)
        finally:
            client.close()


_DONE = object()


def ahead(items: Iterator[list]) -> Iterator[list]:
    """The pages of `items`, the next one fetched in a thread while the caller stores this one: the server's time
    to answer (a second a page on a busy KoboToolbox) overlaps Kinga's. At most two pages are in memory."""
    waiting: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(value) -> bool:
        while not stop.is_set():  # the caller may have stopped reading: never block for ever
            try:
                waiting.put(value, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def fetch() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_DONE, None))
        except BaseException as error:  # handed to the caller, raised there
            put((_DONE, error))

    thread = threading.Thread(target=fetch, daemon=True, name="kinga-pull-ahead")
    thread.start()
    try:
        while True:
            item, error = waiting.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        thread.join(timeout=60)


def _parse(server: Server, form_id: str, page: list, outcome: Outcome) -> list[reading.Parsed]:
    parsed = []
    for item in page:
        if not isinstance(item, dict):
            outcome.refused += 1
            continue
        try:
            p = reading.from_kobo(item) if server.source == Source.KOBO else reading.from_odata(item)
        except ValidationError:
            outcome.refused += 1
            continue
        if p.form_id and p.form_id != form_id:
            outcome.refused += 1
            continue
        if server.source == Source.ODK:
            _central_attachments(server, form_id, p)
        parsed.append(p)
    return parsed


def _central_attachments(server: Server, form_id: str, parsed: reading.Parsed) -> None:
    """Central lists no links: the files the answers name are at the submission's attachments address."""
    handler = handlers.handler_for(form_id)
    if handler is None or not handler.attachment_fields:
        return
    answers = reading.Answers(parsed.answers)
    for question in handler.attachment_fields:
        try:
            name = answers.text(question, limit=255)
        except ValidationError:  # a name in two groups: the application says so
            continue
        if name:
            parsed.attachments[name] = attachments.central_url(
                server.url, server.asset, parsed.root_id or parsed.instance_id, name
            )


def _updated_at(server: Server, page: list) -> datetime.datetime | None:
    """The newest `__system/updatedAt` of a Central page (an edit's or a review's time); None for Kobo."""
    if server.source != Source.ODK:
        return None
    moments = (
        reading.parse_moment((item.get("__system") or {}).get("updatedAt"))
        for item in page
        if isinstance(item, dict)
    )
    return max((m for m in moments if m is not None), default=None)


def pull(*, source: PullSource, queue: bool = True) -> Outcome:
    """Fetch what the server holds since the source's cursor: each page stored in bulk and the cursor advanced
    with it, the page's application queued. Raises PullError."""
    server = Server.of(source)
    accounts = bulk.Accounts(source.membership)
    outcome = Outcome()
    updated: datetime.datetime | None = None
    for page in ahead(pages(server, source.cursor)):
        page_updated = _updated_at(server, page)
        if page_updated is not None and (updated is None or page_updated > updated):
            updated = page_updated
        parsed = _parse(server, source.form_id, page, outcome)
        newest = max((p.submitted_at for p in parsed if p.submitted_at), default=None)
        with transaction.atomic():
            stored = bulk.receive_many(
                source=server.source,
                channel=Channel.PULL,
                form_id=source.form_id,
                parsed=parsed,
                accounts=accounts,
                queue=queue,
            )
            if newest is not None and (source.cursor is None or newest > source.cursor):
                source.cursor = newest
                source.save(update_fields=["cursor"])
        outcome.pages += 1
        if stored.created:  # applied already with the embedded (immediate) task backend, else waiting
            outcome.states.update(
                dict(
                    Submission.objects.filter(bulk.column_in("id", stored.created, "uuid"))
                    .values("state")
                    .annotate(n=Count("pk"))
                    .values_list("state", "n")
                )
            )
        outcome.stored += len(stored.created)
        outcome.already += stored.already
        outcome.tasks += -(-len(stored.created) // bulk.BATCH) if queue else 0
    if updated is not None and (source.cursor is None or updated > source.cursor):
        source.cursor = updated
        source.save(update_fields=["cursor"])
    return outcome


def describe(outcome: Outcome) -> str:
    return (
        f"{outcome.stored} nouvelle(s), {outcome.already} déjà reçue(s), {outcome.refused} illisible(s) "
        f"en {outcome.pages} page(s)"
    )


def run_scheduled(*, pull_source_id: int) -> str:
    """One scheduled fetch (the task worker): the outcome, or the server's refusal, kept on the source."""
    source = PullSource.objects.select_related("membership__user", "membership__organisation").get(
        pk=pull_source_id
    )
    try:
        result = describe(pull(source=source))
    except PullError as error:
        result = str(error)
    source.last_run_at = timezone.now()
    source.last_result = result[:300]
    source.save(update_fields=["last_run_at", "last_result"])
    return result


def queue_scheduled() -> int:
    """A task per server fetched on schedule (what the timer's command does)."""
    ids = list(PullSource.objects.filter(scheduled=True).values_list("pk", flat=True))
    for pk in ids:
        tasks.enqueue(pull_source_task, pull_source_id=pk)
    return len(ids)


# --- the command -------------------------------------------------------------------------------------------


def add_arguments(sub) -> None:
    parser = sub.add_parser(
        "pull",
        help="Récupérer les soumissions d'un serveur Kobo (API v2) ou ODK Central (OData) depuis la dernière ; "
        "le serveur est retenu pour la collecte planifiée.",
    )
    parser.add_argument("--planifiees", action="store_true", help="Collecter tous les serveurs retenus.")
    parser.add_argument("--serveur", choices=["kobo", "odk"])
    parser.add_argument("--url", help="Adresse du serveur (https://kf.kobotoolbox.org).")
    parser.add_argument(
        "--jeton",
        default="",
        help="Kobo : jeton d'API ; ODK Central : mot de passe du compte (retenu chiffré).",
    )
    parser.add_argument("--utilisateur", default="", help="ODK Central : adresse e-mail du compte.")
    parser.add_argument(
        "--source", metavar="ACTIF", help="Kobo : l'uid de l'actif ; ODK : PROJET/FORMULAIRE."
    )
    parser.add_argument("--formulaire", help="Identifiant Kinga du formulaire (kinga_follow_up…).")
    parser.add_argument("--compte", default="", metavar="EMAIL", help="Appliquer au nom de ce compte.")
    parser.add_argument(
        "--sans-planification",
        action="store_true",
        help="Ne pas collecter ce serveur lors des collectes planifiées.",
    )


def remember(options) -> PullSource:
    """The source the options name, created or updated (a new secret replaces the one kept)."""
    missing = [f"--{name}" for name in ("serveur", "url", "source", "formulaire") if not options.get(name)]
    if missing:
        raise CommandError("Précisez " + ", ".join(missing) + " (ou --planifiees).")
    source = Source.KOBO if options["serveur"] == "kobo" else Source.ODK
    if source == Source.ODK and not options.get("utilisateur"):
        found = PullSource.objects.filter(
            source=source, url=options["url"], asset=options["source"], form_id=options["formulaire"]
        ).first()
        if found is None or not found.username:
            raise CommandError("ODK Central : donnez l'adresse e-mail du compte (--utilisateur).")
    membership = membership_of(options["compte"], options["formulaire"])
    found, _created = PullSource.objects.get_or_create(
        source=source,
        url=options["url"],
        asset=options["source"],
        form_id=options["formulaire"],
        defaults={"membership": membership, "secret": options["jeton"], "username": options["utilisateur"]},
    )
    changed = []
    for name, value in (("secret", options["jeton"]), ("username", options["utilisateur"])):
        if value and getattr(found, name) != value:
            setattr(found, name, value)
            changed.append(name)
    if options["compte"] and found.membership_id != membership.pk:
        found.membership = membership
        changed.append("membership")
    if found.scheduled == bool(options["sans_planification"]):
        found.scheduled = not options["sans_planification"]
        changed.append("scheduled")
    if changed:
        found.save(update_fields=changed)
    if not found.secret:
        raise CommandError("Donnez le jeton (Kobo) ou le mot de passe (ODK Central) : --jeton.")
    return found


def handle(command, options) -> None:
    if options["planifiees"]:
        count = queue_scheduled()
        command.stdout.write(f"{count} collecte(s) confiée(s) au service de tâches.")
        return
    source = remember(options)
    try:
        outcome = pull(source=source)
    except PullError as error:
        raise CommandError(str(error)) from None
    source.last_run_at = timezone.now()
    source.last_result = describe(outcome)[:300]
    source.save(update_fields=["last_run_at", "last_result"])
    command.stdout.write(summary(outcome.states, outcome.already, outcome.refused))
