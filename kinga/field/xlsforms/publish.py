"""Deploying the built forms to a field server: KoboToolbox (API v2) or ODK Central (REST), each the way its own
interface does it, so a form published from Kinga looks to the server's users like any other.

KoboToolbox: the XLSX goes through an import (it creates the project, or replaces the one named after the same
form id), the CSV lists are uploaded as the project's form media, then the project is (re)deployed.
ODK Central: the lists become entity lists of the project (kinga.field.xlsforms.entities: created, then their
entities kept equal to Kinga's reference data), the XLSX creates the form as a draft (or becomes the draft of the
existing form), the draft's attachments are linked to the entity lists of the same name, then the draft is
published. A form already published at the same version with its lists linked gets no new draft: only its
entities are brought up to date.

`kinga forms lists --to kobo|odk` sends only the lists of forms already published (a new site, place, organisation
or round reaches the phones), never the workbook: on KoboToolbox the project's media are replaced and the project
redeployed at its current version (no new version: its questions are unchanged); on ODK Central the entity lists
are brought up to date and nothing else (no draft, no new version). A Central older than 2024.1 (no entity lists
API) gets the lists as attached CSVs, the old way: Central only accepts attachments on a draft, so the published
definition is copied into a draft on the server, the lists uploaded and the draft published with its version
followed by the date (Central refuses to publish a version string twice). That way is also taken once for a form
published before its lists were entity lists, to link them.

Every failure is a PublishError with a French message saying which server refused what.
"""

from __future__ import annotations

import datetime
import json
import re
import time
from dataclasses import dataclass, field

import httpx
from django.conf import settings

from kinga.core import access, audit, clock
from kinga.core.access import Actor

from . import builder, entities, reference
from .errors import PublishError
from .reference import Table
from .spec import FormDefinition

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIMEOUT = httpx.Timeout(60.0, connect=10.0)
KOBO_POLL_SECONDS = 1.0  # KoboToolbox imports a workbook in the background: how long to wait between checks


@dataclass
class Bundle:
    """What is deployed for one form: the workbook and the CSV lists it reads."""

    form_id: str
    title: str
    version: str
    xlsx: bytes
    tables: dict[str, Table] = field(default_factory=dict)

    @property
    def attachments(self) -> dict[str, bytes]:
        """The lists as the CSV files attached to the form."""
        return {name: table.csv() for name, table in self.tables.items()}

    @property
    def kobo_name(self) -> str:
        # The form id in the project's name: how a later publication finds the project to replace.
        return f"{self.title} [{self.form_id}]"


@dataclass
class Published:
    form_id: str
    version: str
    remote_id: str
    # ODK Central's entity lists: what each run wrote to them (the same ListSync for every form reading a list).
    entity_lists: bool = False
    lists: list[entities.ListSync] = field(default_factory=list)
    new_version: bool = True
    attached_csvs: bool = False  # a Central without entity lists got the lists as attached CSVs


def bundle(form: FormDefinition, *, territory: str | None = None) -> Bundle:
    return Bundle(
        form_id=form.form_id,
        title=form.title.fr,
        version=builder.version(form),
        xlsx=builder.workbook_bytes(form),
        tables={name: reference.table(name, territory) for name in form.attachments},
    )


def _check(response: httpx.Response, server: str, what: str) -> httpx.Response:
    if response.status_code in (401, 403):
        raise PublishError(
            f"{server} refuse l'accès ({response.status_code}) pendant : {what}. Vérifiez l'identifiant ou la clé "
            "d'API dans la configuration."
        )
    if response.status_code >= 400:
        raise PublishError(f"{server} a refusé : {what} ({response.status_code}) — {_reason(response)}")
    return response


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        for key in ("message", "detail", "error"):
            if body.get(key):
                return str(body[key])[:300]
    return json.dumps(body, ensure_ascii=False)[:300]


def _request(client: httpx.Client, server: str, what: str, method: str, url: str, **kwargs) -> httpx.Response:
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise PublishError(f"{server} est injoignable ({url}) pendant : {what} — {exc}") from None
    return _check(response, server, what)


# --- KoboToolbox ------------------------------------------------------------------------------------------


class Kobo:
    server = "KoboToolbox"

    def __init__(
        self, url: str, token: str, *, client: httpx.Client | None = None, poll_seconds: float | None = None
    ):
        if not url or not token:
            raise PublishError(
                "KoboToolbox n'est pas configuré : donnez KINGA_KOBO_URL et KINGA_KOBO_TOKEN (la clé d'API du compte)."
            )
        self.base = url.rstrip("/")
        self.client = client or httpx.Client(timeout=TIMEOUT)
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        self.poll_seconds = KOBO_POLL_SECONDS if poll_seconds is None else poll_seconds

    def call(self, what: str, method: str, url: str, **kwargs) -> httpx.Response:
        if not url.startswith("http"):
            url = f"{self.base}{url}"
        return _request(self.client, self.server, what, method, url, headers=self.headers, **kwargs)

    def find_asset(self, name: str) -> str | None:
        url: str | None = "/api/v2/assets/?q=asset_type:survey&limit=100"
        while url:
            page = self.call("la liste des projets", "GET", url).json()
            for asset in page.get("results", []):
                if asset.get("name") == name:
                    return asset["uid"]
            url = page.get("next")
        return None

    def import_form(self, item: Bundle, existing: str | None) -> str:
        data = {"library": "false", "name": item.kobo_name}
        if existing:
            data["destination"] = f"{self.base}/api/v2/assets/{existing}/"
        task = self.call(
            f"l'import du formulaire {item.form_id}",
            "POST",
            "/api/v2/imports/",
            data=data,
            files={"file": (f"{item.form_id}.xlsx", item.xlsx, XLSX_TYPE)},
        ).json()
        url = task.get("url") or f"/api/v2/imports/{task['uid']}/"
        for _attempt in range(120):
            task = self.call(f"l'import du formulaire {item.form_id}", "GET", url).json()
            status = task.get("status")
            if status == "complete":
                messages = task.get("messages") or {}
                done = (messages.get("updated") or messages.get("created") or [{}])[0]
                if not done.get("uid"):
                    raise PublishError(
                        f"KoboToolbox n'a pas dit quel projet a reçu le formulaire {item.form_id}."
                    )
                return done["uid"]
            if status == "error":
                detail = (task.get("messages") or {}).get("error") or task.get("messages")
                raise PublishError(f"KoboToolbox a refusé le formulaire {item.form_id} : {detail}")
            time.sleep(self.poll_seconds)
        raise PublishError(
            f"KoboToolbox n'a pas fini d'importer le formulaire {item.form_id} : réessayez plus tard."
        )

    def replace_media(self, uid: str, item: Bundle) -> None:
        listing = self.call(
            "la liste des fichiers du projet", "GET", f"/api/v2/assets/{uid}/files/?file_type=form_media"
        )
        for old in listing.json().get("results", []):
            if (old.get("metadata") or {}).get("filename") in item.attachments:
                self.call(
                    f"le remplacement de {old['metadata']['filename']}",
                    "DELETE",
                    f"/api/v2/assets/{uid}/files/{old['uid']}/",
                )
        for name, content in item.attachments.items():
            self.call(
                f"l'envoi de la liste {name}",
                "POST",
                f"/api/v2/assets/{uid}/files/",
                data={
                    "file_type": "form_media",
                    "description": name,
                    "metadata": json.dumps({"filename": name}),
                },
                files={"content": (name, content, "text/csv")},
            )

    def deploy(self, uid: str, item: Bundle) -> None:
        asset = self.call(f"la lecture du projet {item.form_id}", "GET", f"/api/v2/assets/{uid}/").json()
        what = f"le déploiement du formulaire {item.form_id}"
        if asset.get("has_deployment"):
            self.call(
                what,
                "PATCH",
                f"/api/v2/assets/{uid}/deployment/",
                json={"active": True, "version_id": asset["version_id"]},
            )
        else:
            self.call(what, "POST", f"/api/v2/assets/{uid}/deployment/", json={"active": True})

    def publish(self, item: Bundle) -> Published:
        uid = self.import_form(item, self.find_asset(item.kobo_name))
        self.replace_media(uid, item)
        self.deploy(uid, item)
        return Published(item.form_id, item.version, uid)

    def publish_lists(self, item: Bundle) -> Published:
        uid = self.find_asset(item.kobo_name)
        if uid is None:
            raise PublishError(
                f"KoboToolbox n'a pas le formulaire {item.form_id} : publiez-le d'abord (kinga forms publish)."
            )
        asset = self.call(f"la lecture du projet {item.form_id}", "GET", f"/api/v2/assets/{uid}/").json()
        if not asset.get("has_deployment"):
            raise PublishError(
                f"Le formulaire {item.form_id} n'est pas déployé sur KoboToolbox : publiez-le d'abord "
                "(kinga forms publish)."
            )
        self.replace_media(uid, item)
        self.deploy(uid, item)  # at the project's current version: the phones keep the form, get the lists
        return Published(item.form_id, str(asset.get("version_id") or ""), uid)


# --- ODK Central ------------------------------------------------------------------------------------------


class Central:
    server = "ODK Central"

    def __init__(
        self, url: str, user: str, password: str, project: str, *, client: httpx.Client | None = None
    ):
        if not (url and user and password and project):
            raise PublishError(
                "ODK Central n'est pas configuré : donnez KINGA_ODK_URL, KINGA_ODK_USER, KINGA_ODK_PASSWORD et "
                "KINGA_ODK_PROJECT (le numéro du projet)."
            )
        self.base = url.rstrip("/")
        self.project = project
        self.client = client or httpx.Client(timeout=TIMEOUT)
        session = _request(
            self.client,
            self.server,
            "la connexion",
            "POST",
            f"{self.base}/v1/sessions",
            json={"email": user, "password": password},
        )
        self.headers = {"Authorization": f"Bearer {session.json()['token']}"}
        self.entity_lists: bool | None = None  # unknown until the first list is synchronised
        # One sync per list and run, however many forms read it.
        self.synced: dict[str, entities.ListSync] = {}

    def project_url(self, suffix: str = "") -> str:
        return f"{self.base}/v1/projects/{self.project}{suffix}"

    def forms_url(self, suffix: str = "") -> str:
        return self.project_url(f"/forms{suffix}")

    def request(
        self, what: str, method: str, url: str, *, allow: tuple[int, ...] = (), **kwargs
    ) -> httpx.Response:
        """An authenticated call; a refusal raises PublishError unless its status is in `allow`."""
        try:
            response = self.client.request(
                method, url, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs
            )
        except httpx.HTTPError as exc:
            raise PublishError(f"ODK Central est injoignable ({url}) pendant : {what} — {exc}") from None
        if response.status_code in allow:
            return response
        return _check(response, self.server, what)

    def post(self, what: str, url: str, *, ok_conflict: bool = False, **kwargs) -> httpx.Response:
        return self.request(what, "POST", url, allow=(409,) if ok_conflict else (), **kwargs)

    def sync_lists(self, item: Bundle) -> list[entities.ListSync] | None:
        """The form's lists as entity lists, brought up to date; None when this Central has none (older than
        2024.1), then the lists go as attached CSVs."""
        if self.entity_lists is False:
            return None
        try:
            for name, table in item.tables.items():
                if name not in self.synced:
                    self.synced[name] = entities.synchronise(self, file_name=name, table=table)
        except entities.EntityListsUnsupported:
            self.entity_lists = False
            return None
        self.entity_lists = True
        return [self.synced[name] for name in item.tables]

    def lists_linked(self, form_url: str, item: Bundle) -> bool:
        """Whether the published form reads each of its lists from the entity list of the same name."""
        listing = self.request(
            f"la liste des fichiers joints du formulaire {item.form_id}", "GET", f"{form_url}/attachments"
        ).json()
        linked = {a.get("name") for a in listing if a.get("datasetExists")}
        return set(item.tables) <= linked

    def publish(self, item: Bundle) -> Published:
        lists = self.sync_lists(item)  # first: a draft's attachment links only to an existing entity list
        xlsx_headers = {"Content-Type": XLSX_TYPE, "X-XlsForm-FormId-Fallback": item.form_id}
        created = self.post(
            f"la création du formulaire {item.form_id}",
            self.forms_url("?ignoreWarnings=true&publish=false"),
            content=item.xlsx,
            headers=xlsx_headers,
            ok_conflict=True,
        )
        form_url = self.forms_url(f"/{item.form_id}")
        if created.status_code == 409:  # the form exists: this version becomes its draft
            if lists is not None and self._unchanged(form_url, item):
                # Same questions, lists read from the entity lists just brought up to date: nothing to publish.
                return Published(
                    item.form_id,
                    item.version,
                    item.form_id,
                    entity_lists=True,
                    lists=lists,
                    new_version=False,
                )
            self.post(
                f"le brouillon du formulaire {item.form_id}",
                f"{form_url}/draft?ignoreWarnings=true",
                content=item.xlsx,
                headers=xlsx_headers,
            )
        self._attach_lists(form_url, item, linked=lists is not None)
        what = f"la publication du formulaire {item.form_id}"
        published = self.post(what, f"{form_url}/draft/publish", ok_conflict=True)
        version = item.version
        if published.status_code == 409:
            # Same questions, new lists: Central wants a new version string for every publication.
            version = f"{item.version}-{clock.now():%Y%m%d%H%M%S}"
            self.post(what, f"{form_url}/draft/publish", params={"version": version})
        return Published(
            item.form_id,
            version,
            item.form_id,
            entity_lists=lists is not None,
            lists=lists or [],
            attached_csvs=lists is None and bool(item.tables),
        )

    def _unchanged(self, form_url: str, item: Bundle) -> bool:
        found = self.request(f"la lecture du formulaire {item.form_id}", "GET", form_url).json()
        return found.get("version") == item.version and self.lists_linked(form_url, item)

    def publish_lists(self, item: Bundle) -> Published:
        form_url = self.forms_url(f"/{item.form_id}")
        what = f"la lecture du formulaire {item.form_id}"
        try:
            found = self.client.get(form_url, headers=self.headers)
        except httpx.HTTPError as exc:
            raise PublishError(f"ODK Central est injoignable ({form_url}) pendant : {what} — {exc}") from None
        if found.status_code == 404 or (found.status_code == 200 and not found.json().get("version")):
            raise PublishError(
                f"ODK Central n'a pas de version publiée du formulaire {item.form_id} : publiez-le d'abord "
                "(kinga forms publish)."
            )
        current = _check(found, self.server, what).json()["version"]
        lists = self.sync_lists(item)
        if lists is not None and self.lists_linked(form_url, item):
            return Published(
                item.form_id, current, item.form_id, entity_lists=True, lists=lists, new_version=False
            )
        # No body: Central copies the published definition into the draft; the questions stay the same.
        self.post(f"le brouillon du formulaire {item.form_id}", f"{form_url}/draft")
        self._attach_lists(form_url, item, linked=lists is not None)
        moment = clock.now()
        for _attempt in range(60):
            version = f"{_LISTS_SUFFIX.sub('', current)}-{moment:%Y%m%d%H%M%S}"
            published = self.post(
                f"la publication des listes du formulaire {item.form_id}",
                f"{form_url}/draft/publish",
                params={"version": version},
                ok_conflict=True,
            )
            if published.status_code != 409:  # lists sent twice in one second: the next second's version
                return Published(
                    item.form_id,
                    version,
                    item.form_id,
                    entity_lists=lists is not None,
                    lists=lists or [],
                    attached_csvs=lists is None,
                )
            moment += datetime.timedelta(seconds=1)
        raise PublishError(f"ODK Central refuse chaque version proposée pour le formulaire {item.form_id}.")

    def _attach_lists(self, form_url: str, item: Bundle, *, linked: bool) -> None:
        """The draft's attachments linked to the entity lists of the same name, or the CSVs uploaded."""
        if linked:
            for name in item.tables:
                self.request(
                    f"le lien de {name} à la liste d'entités {entities.dataset_name(name)}",
                    "PATCH",
                    f"{form_url}/draft/attachments/{name}",
                    json={"dataset": True},
                )
            return
        for name, content in item.attachments.items():
            self.post(
                f"l'envoi de la liste {name}",
                f"{form_url}/draft/attachments/{name}",
                content=content,
                headers={"Content-Type": "text/csv"},
            )


_LISTS_SUFFIX = re.compile(r"-\d{14}$")  # the date an earlier publication of lists added


# --- entry point ------------------------------------------------------------------------------------------


TARGETS = ("kobo", "odk")


def server_for(target: str, *, client: httpx.Client | None = None):
    if target == "kobo":
        return Kobo(settings.KINGA_KOBO_URL, settings.KINGA_KOBO_TOKEN, client=client)
    if target == "odk":
        return Central(
            settings.KINGA_ODK_URL,
            settings.KINGA_ODK_USER,
            settings.KINGA_ODK_PASSWORD,
            settings.KINGA_ODK_PROJECT,
            client=client,
        )
    raise PublishError(f"Serveur inconnu « {target} » : choisissez kobo ou odk.")


def _entity_changes(published: Published) -> dict:
    """For the audit trail: whether a new version was published and what each entity list received."""
    if not published.entity_lists:
        return {}
    return {
        "new_version": published.new_version,
        "entity_lists": {
            s.dataset: {"created": s.created, "updated": s.updated, "deleted": s.deleted}
            for s in published.lists
        },
    }


def publish(
    *, actor: Actor, target: str, forms: list[FormDefinition], territory: str | None = None, server=None
) -> list[Published]:
    """Deploys each form to the server (audited per form); stops at the first refusal."""
    access.require(actor, "field.publish_forms")
    server = server or server_for(target)
    results = []
    for form in forms:
        published = server.publish(bundle(form, territory=territory))
        audit.record(
            actor=actor,
            action="update",
            target_type="field.xlsform",
            target_id=form.form_id,
            changes={
                "server": target,
                "version": published.version,
                "remote_id": published.remote_id,
                **_entity_changes(published),
            },
            note=f"forms publish --to {target}",
        )
        results.append(published)
    return results


def publish_lists(
    *, actor: Actor, target: str, forms: list[FormDefinition], territory: str | None = None, server=None
) -> list[Published]:
    """Sends the lists of forms already on the server, without their workbook (audited per form); stops at
    the first refusal. Forms without lists are left alone."""
    access.require(actor, "field.publish_forms")
    server = server or server_for(target)
    results = []
    for form in forms:
        if not form.attachments:
            continue
        published = server.publish_lists(bundle(form, territory=territory))
        audit.record(
            actor=actor,
            action="update",
            target_type="field.xlsform",
            target_id=form.form_id,
            changes={
                "server": target,
                "version": published.version,
                "lists": sorted(form.attachments),
                **_entity_changes(published),
            },
            note=f"forms lists --to {target}",
        )
        results.append(published)
    return results
