"""KoboToolbox (API v2) and ODK Central on loopback, answering the calls `kinga forms publish` makes as the real
servers do: the same paths, statuses, JSON bodies and refusals (an XLSForm pyxform cannot convert, a media file
name already taken, a draft published again under a version that exists, a bad token or password), and ODK
Central's entity lists (datasets, their properties, entities with versions: bulk creation, updates refused on a
stale baseVersion, soft deletion; a draft's attachment linked to the entity list of its name)."""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import threading
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from pyxform.errors import PyXFormError

from kinga.field.xlsforms import builder

KOBO_TOKEN = "kobo-token-0123456789"
ODK_USER, ODK_PASSWORD, ODK_PROJECT = "kinga@example.org", "odk-password", "7"


def multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    return {
        part.get_param("name", header="content-disposition"): (
            part.get_filename(),
            part.get_payload(decode=True),
        )
        for part in message.iter_parts()
    }


def read_xlsform(content: bytes) -> tuple[str, str, list[str]]:
    """(form id, version, attachments) of a workbook, as the servers learn them: by converting it."""
    xform = builder.to_xform(content)
    head = re.search(r'<data id="([^"]+)" version="([^"]+)"', xform)
    return head.group(1), head.group(2), sorted(set(re.findall(r"jr://file-csv/([^\"]+)", xform)))


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output quiet
        pass

    def reply(self, status: int, body=None):
        data = json.dumps(body if body is not None else {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PATCH(self):
        self.route("PATCH")

    def do_DELETE(self):
        self.route("DELETE")


class FakeKobo(_Handler):
    assets: dict[str, dict] = {}
    imports: dict[str, dict] = {}
    calls: list[tuple[str, str]] = []

    @classmethod
    def reset(cls):
        cls.assets, cls.imports, cls.calls = {}, {}, []

    def base(self) -> str:
        return f"http://{self.headers['Host']}"

    def route(self, method: str):
        url = urlparse(self.path)
        path, query = url.path, parse_qs(url.query)
        type(self).calls.append((method, path))
        if self.headers.get("Authorization") != f"Token {KOBO_TOKEN}":
            return self.reply(401, {"detail": "Invalid token."})
        if method == "GET" and path == "/api/v2/assets/":
            results = [
                {"uid": uid, "name": a["name"], "asset_type": "survey"} for uid, a in self.assets.items()
            ]
            return self.reply(
                200, {"count": len(results), "next": None, "previous": None, "results": results}
            )
        if method == "POST" and path == "/api/v2/imports/":
            return self.create_import()
        match = re.fullmatch(r"/api/v2/imports/([^/]+)/", path)
        if method == "GET" and match:
            task = self.imports.get(match.group(1))
            if task is None:
                return self.reply(404, {"detail": "Not found."})
            # Kobo imports in the background: the first look finds it still processing.
            if task["status"] == "processing" and task.pop("looked", False):
                task["status"] = task.pop("outcome")
            elif task["status"] == "processing":
                task["looked"] = True
            return self.reply(200, {k: v for k, v in task.items() if k not in ("looked", "outcome")})
        match = re.fullmatch(r"/api/v2/assets/([^/]+)/(deployment/|files/(?:([^/]+)/)?)?", path)
        if not match or match.group(1) not in self.assets:
            return self.reply(404, {"detail": "Not found."})
        asset = self.assets[match.group(1)]
        if match.group(2) is None and method == "GET":
            return self.reply(
                200,
                {
                    "uid": match.group(1),
                    "name": asset["name"],
                    "version_id": asset["version_id"],
                    "has_deployment": asset["deployed_version"] is not None,
                    "deployment__active": asset["deployed_version"] is not None,
                },
            )
        if match.group(2) == "deployment/":
            return self.deployment(method, asset)
        return self.files(method, asset, match.group(3), query)

    def create_import(self):
        fields = multipart(self.headers["Content-Type"], self.body())
        uid = "i" + uuid.uuid4().hex[:21]
        task = {
            "uid": uid,
            "url": f"{self.base()}/api/v2/imports/{uid}/",
            "status": "processing",
            "messages": {},
        }
        try:
            form_id, version, _attachments = read_xlsform(fields["file"][1])
        except PyXFormError as exc:
            task.update(outcome="error", messages={"error": str(exc), "error_type": "PyXFormError"})
        else:
            destination = fields.get("destination", (None, b""))[1].decode()
            target = re.search(r"/api/v2/assets/([^/]+)/", destination)
            name = fields["name"][1].decode()
            if target:
                asset_uid, kind = target.group(1), "updated"
                self.assets[asset_uid].update(
                    name=name, version_id="v" + uuid.uuid4().hex[:8], form_version=version
                )
            else:
                asset_uid, kind = "a" + uuid.uuid4().hex[:21], "created"
                self.assets[asset_uid] = {
                    "name": name,
                    "version_id": "v" + uuid.uuid4().hex[:8],
                    "form_id": form_id,
                    "form_version": version,
                    "deployed_version": None,
                    "files": {},
                }
            task.update(
                outcome="complete",
                messages={kind: [{"uid": asset_uid, "kind": "asset", "owner__username": "kinga"}]},
            )
        self.imports[uid] = task
        return self.reply(201, {"uid": uid, "url": task["url"], "status": "processing"})

    def deployment(self, method: str, asset: dict):
        data = json.loads(self.body() or b"{}")
        if method == "POST":
            if asset["deployed_version"] is not None:
                return self.reply(400, {"detail": "The asset is already deployed. Use PATCH to redeploy."})
        elif method == "PATCH":
            if asset["deployed_version"] is None:
                return self.reply(400, {"detail": "The asset is not deployed."})
            if data.get("version_id") != asset["version_id"]:
                return self.reply(
                    400, {"version_id": ["The version_id does not match the asset's current version."]}
                )
        else:
            return self.reply(405, {"detail": f'Method "{method}" not allowed.'})
        asset["deployed_version"] = asset["version_id"]
        asset["deployed_files"] = {f["metadata"]["filename"]: f["content"] for f in asset["files"].values()}
        return self.reply(
            200,
            {
                "backend": "openrosa",
                "active": bool(data.get("active")),
                "version_id": asset["version_id"],
                "asset": {"deployment__active": True},
            },
        )

    def files(self, method: str, asset: dict, file_uid: str | None, query: dict):
        if method == "GET":
            results = [
                {"uid": uid, "file_type": f["file_type"], "metadata": f["metadata"]}
                for uid, f in asset["files"].items()
                if f["file_type"] in query.get("file_type", [f["file_type"]])
            ]
            return self.reply(
                200, {"count": len(results), "next": None, "previous": None, "results": results}
            )
        if method == "DELETE" and file_uid in asset["files"]:
            del asset["files"][file_uid]
            self.send_response(204)
            self.end_headers()
            return None
        if method == "POST":
            fields = multipart(self.headers["Content-Type"], self.body())
            metadata = json.loads(fields["metadata"][1])
            if any(f["metadata"]["filename"] == metadata["filename"] for f in asset["files"].values()):
                return self.reply(400, {"detail": "File with this filename already exists."})
            uid = "af" + uuid.uuid4().hex[:20]
            asset["files"][uid] = {
                "file_type": fields["file_type"][1].decode(),
                "metadata": metadata,
                "content": fields["content"][1],
            }
            return self.reply(201, {"uid": uid, "metadata": metadata})
        return self.reply(404, {"detail": "Not found."})


NOT_FOUND = {"code": 404.1, "message": "Could not find the resource you were looking for."}
RESERVED_PROPERTIES = {"name", "label"}


class FakeCentral(_Handler):
    forms: dict[str, dict] = {}
    tokens: set[str] = set()
    # name -> {"properties": [names], "entities": {uuid: {"label", "data", "version", "deleted"}}}
    datasets: dict[str, dict] = {}
    entity_lists_api = True  # False: a Central older than 2024.1 (no entity lists API)
    entity_writes: list[tuple[str, str]] = []  # (method, dataset) of every write to an entity
    before_patch: Callable[[dict], None] | None = None  # an edit made in Central just before Kinga's write

    @classmethod
    def reset(cls):
        cls.forms, cls.tokens, cls.datasets, cls.entity_writes = {}, set(), {}, []
        cls.entity_lists_api, cls.before_patch = True, None

    def json_body(self) -> dict:
        return json.loads(self.body() or b"{}")

    def route(self, method: str):
        url = urlparse(self.path)
        path, query = url.path, parse_qs(url.query)
        if method == "POST" and path == "/v1/sessions":
            data = json.loads(self.body())
            if (data.get("email"), data.get("password")) != (ODK_USER, ODK_PASSWORD):
                return self.reply(
                    401, {"code": 401.2, "message": "Could not authenticate with the provided credentials."}
                )
            token = uuid.uuid4().hex
            self.tokens.add(token)
            return self.reply(200, {"token": token, "expiresAt": "2099-01-01T00:00:00.000Z"})
        if self.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            return self.reply(
                401, {"code": 401.2, "message": "Could not authenticate with the provided credentials."}
            )
        if path.startswith(f"/v1/projects/{ODK_PROJECT}/datasets"):
            if not self.entity_lists_api:
                return self.reply(404, NOT_FOUND)
            return self.dataset_route(
                method, path.removeprefix(f"/v1/projects/{ODK_PROJECT}/datasets"), query
            )
        forms = f"/v1/projects/{ODK_PROJECT}/forms"
        if method == "POST" and path == forms:
            return self.create(query)
        match = re.fullmatch(rf"{forms}/([^/]+)/attachments", path)
        if method == "GET" and match and match.group(1) in self.forms:
            published = self.forms[match.group(1)]["published"] or {"attachments": {}}
            return self.reply(
                200,
                [
                    {
                        "name": name,
                        "type": "file",
                        "exists": content is not None,
                        "blobExists": isinstance(content, bytes),
                        "datasetExists": isinstance(content, dict),
                    }
                    for name, content in published["attachments"].items()
                ],
            )
        match = re.fullmatch(rf"{forms}/([^/]+)/draft/attachments/([^/]+)", path)
        if method == "PATCH" and match and match.group(1) in self.forms:
            return self.link(self.forms[match.group(1)], match.group(2))
        match = re.fullmatch(rf"{forms}/([^/]+)", path)
        if method == "GET" and match and match.group(1) in self.forms:
            form = self.forms[match.group(1)]
            version = form["versions"][-1] if form["versions"] else None
            return self.reply(
                200, {"xmlFormId": match.group(1), "projectId": int(ODK_PROJECT), "version": version}
            )
        match = re.fullmatch(rf"{forms}/([^/]+)/draft(/attachments/[^/]+|/publish)?", path)
        if method != "POST" or not match or match.group(1) not in self.forms:
            return self.reply(
                404, {"code": 404.1, "message": "Could not find the resource you were looking for."}
            )
        form, tail = self.forms[match.group(1)], match.group(2) or ""
        if tail == "":
            return self.new_draft(form)
        if form["draft"] is None:
            return self.reply(
                404, {"code": 404.1, "message": "Could not find the resource you were looking for."}
            )
        if tail.startswith("/attachments/"):
            name = tail.removeprefix("/attachments/")
            if name not in form["draft"]["attachments"]:
                return self.reply(
                    404, {"code": 404.1, "message": "Could not find the resource you were looking for."}
                )
            form["draft"]["attachments"][name] = self.body()
            return self.reply(200, {"success": True})
        version = query.get("version", [form["draft"]["version"]])[0]
        if version in form["versions"]:
            return self.reply(
                409,
                {
                    "code": 409.6,
                    "message": f"The version '{version}' already exists for this form.",
                    "details": {"xmlFormId": match.group(1), "version": version},
                },
            )
        missing = [n for n, c in form["draft"]["attachments"].items() if c is None]
        form["versions"].append(version)
        form["published"] = {**form["draft"], "version": version, "missing": missing}
        form["draft"] = None
        return self.reply(200, {"success": True})

    def link(self, form: dict, name: str):
        """A draft's attachment read from the entity list of the same name (body {"dataset": true})."""
        draft = form["draft"]
        dataset = name.removesuffix(".csv")
        if draft is None or name not in draft["attachments"] or dataset not in self.datasets:
            return self.reply(404, NOT_FOUND)
        if self.json_body().get("dataset") is not True:
            return self.reply(400, {"code": 400.2, "message": "Required parameter dataset missing."})
        draft["attachments"][name] = {"dataset": dataset}
        return self.reply(200, {"name": name, "type": "file", "exists": True, "datasetExists": True})

    # --- entity lists ---------------------------------------------------------------------------------------

    def dataset_route(self, method: str, tail: str, query: dict):
        if tail == "" and method == "GET":
            return self.reply(
                200,
                [
                    {"name": n, "projectId": int(ODK_PROJECT), "approvalRequired": False}
                    for n in self.datasets
                ],
            )
        if tail == "" and method == "POST":
            name = self.json_body().get("name", "")
            if name.lower() in {n.lower() for n in self.datasets}:
                return self.reply(
                    409,
                    {"code": 409.3, "message": f"A resource already exists with name value(s) of {name}."},
                )
            self.datasets[name] = {"properties": [], "entities": {}}
            return self.reply(200, {"name": name, "projectId": int(ODK_PROJECT), "approvalRequired": False})
        match = re.fullmatch(r"/([^/.]+)(\.svc/Entities|/properties|/entities(?:/([^/]+))?)?", tail)
        if not match or match.group(1) not in self.datasets:
            return self.reply(404, NOT_FOUND)
        name, what, key = match.groups()
        dataset = self.datasets[name]
        if what is None and method == "GET":
            return self.reply(
                200,
                {
                    "name": name,
                    "projectId": int(ODK_PROJECT),
                    "properties": [{"name": p, "odataName": p, "forms": []} for p in dataset["properties"]],
                },
            )
        if what == ".svc/Entities" and method == "GET":
            return self.odata(name, dataset)
        if what == "/properties" and method == "POST":
            prop = self.json_body().get("name", "")
            if prop.lower() in RESERVED_PROPERTIES or prop.startswith("__"):
                return self.reply(400, {"code": 400.8, "message": f"Invalid property name: {prop}."})
            if prop in dataset["properties"]:
                return self.reply(
                    409,
                    {"code": 409.3, "message": f"A resource already exists with name value(s) of {prop}."},
                )
            dataset["properties"].append(prop)
            return self.reply(200, {"success": True})
        if what == "/entities" and method == "POST":
            return self.create_entities(name, dataset)
        if (
            what == "/entities" and method == "GET"
        ):  # metadata only, no data; ?deleted=true: only deleted ones
            deleted = query.get("deleted") == ["true"]
            return self.reply(
                200,
                [
                    {
                        "uuid": key,
                        "deletedAt": "2026-01-02T00:00:00.000Z" if entity["deleted"] else None,
                        "currentVersion": {"label": entity["label"], "version": entity["version"]},
                    }
                    for key, entity in dataset["entities"].items()
                    if entity["deleted"] == deleted
                ],
            )
        entity = dataset["entities"].get(key or "")
        if what and what.startswith("/entities/") and entity is not None and not entity["deleted"]:
            return self.entity(method, name, key, entity, query)
        return self.reply(404, NOT_FOUND)

    def odata(self, name: str, dataset: dict):
        rows = []
        for key, entity in dataset["entities"].items():
            if entity["deleted"]:
                continue
            system = {"createdAt": "2026-01-01T00:00:00.000Z", "creatorId": "1", "version": entity["version"]}
            row = {"__id": key, "label": entity["label"], "__system": system}
            row.update({p: entity["data"].get(p) for p in dataset["properties"]})  # null when never set
            rows.append(row)
        context = (
            f"http://{self.headers['Host']}/v1/projects/{ODK_PROJECT}/datasets/{name}.svc/$metadata#Entities"
        )
        return self.reply(200, {"@odata.context": context, "value": rows})

    def refuse_entity(self, dataset: dict, entity: dict):
        """Central's checks of an entity's body: a label, and only the list's properties, as strings."""
        if "label" in entity and not str(entity.get("label") or "").strip():
            return self.reply(400, {"code": 400.2, "message": "Required parameter label missing."})
        for prop, value in (entity.get("data") or {}).items():
            if prop not in dataset["properties"]:
                return self.reply(
                    400, {"code": 400.28, "message": f"The entity is invalid. {prop} is not a property."}
                )
            if not isinstance(value, str):
                return self.reply(
                    400,
                    {"code": 400.11, "message": f"Invalid input data type: expected ({prop}) to be (string)"},
                )
        return None

    def create_entities(self, name: str, dataset: dict):
        body = self.json_body()
        if "entities" in body:  # bulk: all or nothing, with the source of the change
            if not isinstance(body.get("source"), dict) or not body["source"].get("name"):
                return self.reply(400, {"code": 400.2, "message": "Required parameter source.name missing."})
            batch = body["entities"]
        else:
            batch = [body]
        for entity in batch:
            if "label" not in entity:
                return self.reply(400, {"code": 400.2, "message": "Required parameter label missing."})
            refused = self.refuse_entity(dataset, entity)
            if refused:
                return refused
            key = entity.get("uuid") or str(uuid.uuid4())
            if key in dataset["entities"]:  # deleted ones too: a UUID is never reused
                return self.reply(
                    409, {"code": 409.3, "message": f"A resource already exists with uuid value(s) of {key}."}
                )
        for entity in batch:
            key = entity.get("uuid") or str(uuid.uuid4())
            dataset["entities"][key] = {
                "label": entity["label"],
                "data": dict(entity.get("data") or {}),
                "version": 1,
                "deleted": False,
            }
            self.entity_writes.append(("POST", name))
        return self.reply(200, {"success": True})

    def entity(self, method: str, name: str, key: str, entity: dict, query: dict):
        if method == "GET":
            return self.reply(200, self.entity_body(key, entity))
        if method == "DELETE":
            entity["deleted"] = True
            self.entity_writes.append(("DELETE", name))
            return self.reply(200, {"success": True})
        if method != "PATCH":
            return self.reply(404, NOT_FOUND)
        if type(self).before_patch is not None:
            type(self).before_patch(entity)
        if query.get("force") != ["true"]:
            if "baseVersion" not in query:
                return self.reply(400, {"code": 400.2, "message": "Required parameter baseVersion missing."})
            if int(query["baseVersion"][0]) != entity["version"]:
                return self.reply(
                    409,
                    {
                        "code": 409.15,
                        "message": "Entity update failed: the base version does not match the current version.",
                        "details": {"current": entity["version"], "provided": int(query["baseVersion"][0])},
                    },
                )
        body = self.json_body()
        refused = self.refuse_entity(self.datasets[name], body)
        if refused:
            return refused
        entity["label"] = body.get("label", entity["label"])
        entity["data"] = {**entity["data"], **(body.get("data") or {})}
        entity["version"] += 1
        self.entity_writes.append(("PATCH", name))
        return self.reply(200, self.entity_body(key, entity))

    @staticmethod
    def entity_body(key: str, entity: dict) -> dict:
        return {
            "uuid": key,
            "deletedAt": None,
            "conflict": None,
            "currentVersion": {
                "label": entity["label"],
                "data": entity["data"],
                "version": entity["version"],
                "baseVersion": entity["version"] - 1 or None,
                "current": True,
            },
        }

    # --- forms ----------------------------------------------------------------------------------------------

    def read(self):
        if self.headers.get("Content-Type") != builder_type():
            return None, self.reply(400, {"code": 400.1, "message": "Unexpected content type."})
        try:
            return read_xlsform(self.body()), None
        except PyXFormError as exc:
            return None, self.reply(
                400, {"code": 400.15, "message": f"The given XLSForm file was not valid: {exc}"}
            )

    def create(self, query):
        parsed, refused = self.read()
        if parsed is None:
            return refused
        form_id, version, attachments = parsed
        if form_id in self.forms:
            return self.reply(
                409,
                {
                    "code": 409.3,
                    "message": f"A resource already exists with xmlFormId,version value(s) of {form_id},{version}.",
                },
            )
        self.forms[form_id] = {
            "versions": [],
            "published": None,
            "draft": {"version": version, "attachments": dict.fromkeys(attachments)},
        }
        if query.get("publish") == ["true"]:
            self.forms[form_id]["versions"].append(version)
        return self.reply(
            200, {"xmlFormId": form_id, "projectId": int(ODK_PROJECT), "version": version, "state": "open"}
        )

    def new_draft(self, form):
        if not int(self.headers.get("Content-Length") or 0):
            # No body: Central copies the published definition (its attachments too) into the draft.
            if form["published"] is None:
                return self.reply(
                    404, {"code": 404.1, "message": "Could not find the resource you were looking for."}
                )
            form["draft"] = {
                "version": form["published"]["version"],
                "attachments": dict(form["published"]["attachments"]),
                "copied": True,
            }
            return self.reply(200, {"success": True})
        parsed, refused = self.read()
        if parsed is None:
            return refused
        _form_id, version, attachments = parsed
        form["draft"] = {"version": version, "attachments": dict.fromkeys(attachments)}
        return self.reply(200, {"success": True})


def builder_type() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def serve(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
