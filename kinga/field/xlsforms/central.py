"""Deploying the built forms to ODK Central (REST), the way its own interface does it, so that a form published
from Kinga looks to its users like any other.

`publish`: the lists become entity lists of the project (kinga.field.xlsforms.entities: created, then their
entities kept equal to Kinga's reference data), the XLSX creates the form as a draft (or becomes the draft of the
existing form), the draft's attachments are linked to the entity lists of the same name, then the draft is
published. A form already published at the same version with its lists linked gets no new draft: only its
entities are brought up to date.

`publish_lists` (`kinga forms lists --to odk`) sends only the lists of a form already published, never the
workbook: the entity lists are brought up to date and nothing else (no draft, no new version). A Central older
than 2024.1 (no entity lists API) gets the lists as attached CSVs, the old way: Central only accepts attachments
on a draft, so the published definition is copied into a draft on the server, the lists uploaded and the draft
published with its version followed by the date (Central refuses to publish a version string twice). That way is
also taken once for a form published before its lists were entity lists, to link them.
"""

from __future__ import annotations

import datetime
import re

import httpx
from django.utils.translation import gettext as _

from kinga.core import clock

from . import entities, http
from .deployment import Bundle, Published
from .errors import PublishError

LISTS_SUFFIX = re.compile(r"-\d{14}$")  # the date an earlier publication of lists added


class Central:
    server = "ODK Central"

    def __init__(
        self, url: str, user: str, password: str, project: str, *, client: httpx.Client | None = None
    ):
        if not (url and user and password and project):
            raise PublishError(
                _(
                    "ODK Central is not configured: set KINGA_ODK_URL, KINGA_ODK_USER, KINGA_ODK_PASSWORD and "
                    "KINGA_ODK_PROJECT (the project's number)."
                )
            )
        self.base = url.rstrip("/")
        self.project = project
        self.client = client or httpx.Client(timeout=http.TIMEOUT)
        session = http.request(
            self.client,
            self.server,
            _("the login"),
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
            raise http.unreachable(self.server, url, what, exc) from None
        if response.status_code in allow:
            return response
        return http.check(response, self.server, what)

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
            _("the list of the attached files of the form %(form)s") % {"form": item.form_id},
            "GET",
            f"{form_url}/attachments",
        ).json()
        linked = {a.get("name") for a in listing if a.get("datasetExists")}
        return set(item.tables) <= linked

    def publish(self, item: Bundle) -> Published:
        lists = self.sync_lists(item)  # first: a draft's attachment links only to an existing entity list
        xlsx_headers = {"Content-Type": http.XLSX_TYPE, "X-XlsForm-FormId-Fallback": item.form_id}
        created = self.post(
            _("the creation of the form %(form)s") % {"form": item.form_id},
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
                _("the draft of the form %(form)s") % {"form": item.form_id},
                f"{form_url}/draft?ignoreWarnings=true",
                content=item.xlsx,
                headers=xlsx_headers,
            )
        self._attach_lists(form_url, item, linked=lists is not None)
        what = _("the publication of the form %(form)s") % {"form": item.form_id}
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
        found = self.request(
            _("the reading of the form %(form)s") % {"form": item.form_id}, "GET", form_url
        ).json()
        return found.get("version") == item.version and self.lists_linked(form_url, item)

    def publish_lists(self, item: Bundle) -> Published:
        form_url = self.forms_url(f"/{item.form_id}")
        what = _("the reading of the form %(form)s") % {"form": item.form_id}
        try:
            found = self.client.get(form_url, headers=self.headers)
        except httpx.HTTPError as exc:
            raise http.unreachable(self.server, form_url, what, exc) from None
        if found.status_code == 404 or (found.status_code == 200 and not found.json().get("version")):
            raise PublishError(
                _(
                    "ODK Central has no published version of the form %(form)s: publish it first (kinga forms publish)."
                )
                % {"form": item.form_id}
            )
        current = http.check(found, self.server, what).json()["version"]
        lists = self.sync_lists(item)
        if lists is not None and self.lists_linked(form_url, item):
            return Published(
                item.form_id, current, item.form_id, entity_lists=True, lists=lists, new_version=False
            )
        # No body: Central copies the published definition into the draft; the questions stay the same.
        self.post(_("the draft of the form %(form)s") % {"form": item.form_id}, f"{form_url}/draft")
        self._attach_lists(form_url, item, linked=lists is not None)
        moment = clock.now()
        for _attempt in range(60):
            version = f"{LISTS_SUFFIX.sub('', current)}-{moment:%Y%m%d%H%M%S}"
            published = self.post(
                _("the publication of the lists of the form %(form)s") % {"form": item.form_id},
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
        raise PublishError(
            _("ODK Central refuses every version proposed for the form %(form)s.") % {"form": item.form_id}
        )

    def _attach_lists(self, form_url: str, item: Bundle, *, linked: bool) -> None:
        """The draft's attachments linked to the entity lists of the same name, or the CSVs uploaded."""
        if linked:
            for name in item.tables:
                self.request(
                    _("the link of %(list)s to the entity list %(dataset)s")
                    % {"list": name, "dataset": entities.dataset_name(name)},
                    "PATCH",
                    f"{form_url}/draft/attachments/{name}",
                    json={"dataset": True},
                )
            return
        for name, content in item.attachments.items():
            self.post(
                _("the sending of the list %(list)s") % {"list": name},
                f"{form_url}/draft/attachments/{name}",
                content=content,
                headers={"Content-Type": "text/csv"},
            )
