"""Deploying the built forms to KoboToolbox (API v2), the way its own interface does it, so that a form published
from Kinga looks to its users like any other.

`publish`: the XLSX goes through an import (it creates the project, or replaces the one named after the same form
id), the CSV lists are uploaded as the project's form media, then the project is (re)deployed.
`publish_lists` (`kinga forms lists --to kobo`) sends only the lists of a form already published, never the
workbook: the project's media are replaced and the project redeployed at its current version (no new version: its
questions are unchanged).
"""

from __future__ import annotations

import json
import time

import httpx
from django.utils.translation import gettext as _

from . import http
from .deployment import Bundle, Published
from .errors import PublishError

POLL_SECONDS = 1.0  # KoboToolbox imports a workbook in the background: how long to wait between checks


class Kobo:
    server = "KoboToolbox"

    def __init__(
        self, url: str, token: str, *, client: httpx.Client | None = None, poll_seconds: float | None = None
    ):
        if not url or not token:
            raise PublishError(
                _(
                    "KoboToolbox is not configured: set KINGA_KOBO_URL and KINGA_KOBO_TOKEN (the account's API "
                    "key)."
                )
            )
        self.base = url.rstrip("/")
        self.client = client or httpx.Client(timeout=http.TIMEOUT)
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        self.poll_seconds = POLL_SECONDS if poll_seconds is None else poll_seconds

    def call(self, what: str, method: str, url: str, **kwargs) -> httpx.Response:
        if not url.startswith("http"):
            url = f"{self.base}{url}"
        return http.request(self.client, self.server, what, method, url, headers=self.headers, **kwargs)

    def find_asset(self, name: str) -> str | None:
        url: str | None = "/api/v2/assets/?q=asset_type:survey&limit=100"
        while url:
            page = self.call(_("the list of projects"), "GET", url).json()
            for asset in page.get("results", []):
                if asset.get("name") == name:
                    return asset["uid"]
            url = page.get("next")
        return None

    def import_form(self, item: Bundle, existing: str | None) -> str:
        data = {"library": "false", "name": item.kobo_name}
        if existing:
            data["destination"] = f"{self.base}/api/v2/assets/{existing}/"
        what = _("the import of the form %(form)s") % {"form": item.form_id}
        task = self.call(
            what,
            "POST",
            "/api/v2/imports/",
            data=data,
            files={"file": (f"{item.form_id}.xlsx", item.xlsx, http.XLSX_TYPE)},
        ).json()
        url = task.get("url") or f"/api/v2/imports/{task['uid']}/"
        for _attempt in range(120):
            task = self.call(what, "GET", url).json()
            status = task.get("status")
            if status == "complete":
                messages = task.get("messages") or {}
                done = (messages.get("updated") or messages.get("created") or [{}])[0]
                if not done.get("uid"):
                    raise PublishError(
                        _("KoboToolbox did not say which project received the form %(form)s.")
                        % {"form": item.form_id}
                    )
                return done["uid"]
            if status == "error":
                detail = (task.get("messages") or {}).get("error") or task.get("messages")
                raise PublishError(
                    _("KoboToolbox refused the form %(form)s: %(detail)s")
                    % {"form": item.form_id, "detail": detail}
                )
            time.sleep(self.poll_seconds)
        raise PublishError(
            _("KoboToolbox did not finish importing the form %(form)s: try again later.")
            % {"form": item.form_id}
        )

    def replace_media(self, uid: str, item: Bundle) -> None:
        listing = self.call(
            _("the list of the project's files"), "GET", f"/api/v2/assets/{uid}/files/?file_type=form_media"
        )
        for old in listing.json().get("results", []):
            if (old.get("metadata") or {}).get("filename") in item.attachments:
                self.call(
                    _("the replacement of %(file)s") % {"file": old["metadata"]["filename"]},
                    "DELETE",
                    f"/api/v2/assets/{uid}/files/{old['uid']}/",
                )
        for name, content in item.attachments.items():
            self.call(
                _("the sending of the list %(list)s") % {"list": name},
                "POST",
                f"/api/v2/assets/{uid}/files/",
                data={
                    "file_type": "form_media",
                    "description": name,
                    "metadata": json.dumps({"filename": name}),
                },
                files={"content": (name, content, "text/csv")},
            )

    def read_asset(self, uid: str, item: Bundle) -> dict:
        return self.call(
            _("the reading of the project %(form)s") % {"form": item.form_id}, "GET", f"/api/v2/assets/{uid}/"
        ).json()

    def deploy(self, uid: str, item: Bundle) -> None:
        asset = self.read_asset(uid, item)
        what = _("the deployment of the form %(form)s") % {"form": item.form_id}
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
                _("KoboToolbox does not have the form %(form)s: publish it first (kinga forms publish).")
                % {"form": item.form_id}
            )
        asset = self.read_asset(uid, item)
        if not asset.get("has_deployment"):
            raise PublishError(
                _("The form %(form)s is not deployed on KoboToolbox: publish it first (kinga forms publish).")
                % {"form": item.form_id}
            )
        self.replace_media(uid, item)
        self.deploy(uid, item)  # at the project's current version: the phones keep the form, get the lists
        return Published(item.form_id, str(asset.get("version_id") or ""), uid)
