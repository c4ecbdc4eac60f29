"""KoboToolbox (API v2) and ODK Central on loopback, answering the calls `kinga forms publish` makes as the real
servers do: the same paths, statuses, JSON bodies and refusals (an XLSForm pyxform cannot convert, a media file
name already taken, a draft published again under a version that exists, a bad token or password)."""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import threading
import uuid
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


class FakeCentral(_Handler):
    forms: dict[str, dict] = {}
    tokens: set[str] = set()

    @classmethod
    def reset(cls):
        cls.forms, cls.tokens = {}, set()

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
        forms = f"/v1/projects/{ODK_PROJECT}/forms"
        if method == "POST" and path == forms:
            return self.create(query)
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
