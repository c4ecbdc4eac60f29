"""The files a submission names (a child's photo): kept with the submission, fetched from the server when only
a link came, and checked before the submission is applied — by size (a limit, even while downloading) and by
type (the bytes are opened as an image, never trusted by name or announced type). A file too big, of another
type, or missing puts the submission in quarantine with the reason under its question; a replay tries again.

Where the files come from:
- ODK Collect's post carries them as parts beside `xml_submission_file` (views_push keeps them at once);
- an ODK Collect instance folder holds them beside the XML (`kinga intake import`);
- KoboToolbox lists them in `_attachments` with a `download_url` (push, pull, export);
- ODK Central serves them at `…/submissions/<instance>/attachments/<name>` (pull).
A link is fetched by the worker with the credentials of the server Kinga pulls from (`PullSource`) when its
address starts with that server's; otherwise without credentials (a public KoboToolbox project)."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable

import httpx
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.core import uploads

from . import handlers
from .models import Attachment, PullSource, Source, Submission
from .reading import Answers

MAX_ATTACHMENT_BYTES = 3 * 1024 * 1024  # the forms ask phones for 1024-pixel photos: a few hundred KB
TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}  # what the case file shows
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class Refused(Exception):
    """Why a file cannot be kept (French)."""


def check(content: bytes) -> str:
    """The type read from the bytes, or Refused."""
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise Refused(too_big())
    kind = TYPES.get(uploads.image_format(io.BytesIO(content)) or "")
    if kind is None:
        raise Refused(_("The file is not a JPEG or PNG photo (its content was checked, not its name)."))
    return kind


def too_big() -> str:
    return _("The file is larger than %(size)s.") % {"size": filesizeformat(MAX_ATTACHMENT_BYTES)}


def keep(*, submission: Submission, name: str, content: bytes) -> Attachment | None:
    """A file that came with the submission: checked now; a refused one is kept as a reason, not as bytes.
    A file already kept is not replaced (a post repeated by the phone)."""
    found = Attachment.objects.filter(submission=submission, name=name[:255]).first()
    if found is not None and found.content:
        return found
    values = {"url": "", "content": "", "content_type": "", "size": len(content), "problem": ""}
    try:
        values["content_type"] = check(content)
        values["content"] = base64.b64encode(content).decode("ascii")
    except Refused as refused:
        values["problem"] = str(refused)[:300]
    values["fetched_at"] = timezone.now()
    attachment, _created = Attachment.objects.update_or_create(
        submission=submission, name=name[:255], defaults=values
    )
    return attachment


def links(submissions: Iterable[tuple[Submission, dict[str, str]]]) -> int:
    """The links the server listed with each submission, stored in one INSERT (fetched when applied)."""
    rows = [
        Attachment(submission=submission, name=name[:255], url=url[:1000])
        for submission, found in submissions
        for name, url in found.items()
    ]
    Attachment.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def central_url(server_url: str, asset: str, instance_id: str, name: str) -> str:
    project, _sep, form = asset.partition("/")
    return (
        f"{server_url.rstrip('/')}/v1/projects/{project}/forms/{form}/submissions/uuid:{instance_id}"
        f"/attachments/{name}"
    )


def _client_for(url: str, source: str) -> tuple[httpx.Client, dict[str, str]]:
    """A client and the headers of the remembered server this link belongs to (none for a public link)."""
    servers = PullSource.objects.filter(source=source).exclude(secret="")
    for server in servers:
        if not url.startswith(server.url.rstrip("/") + "/"):
            continue
        if source == Source.KOBO:
            return httpx.Client(timeout=TIMEOUT), {"Authorization": f"Token {server.secret}"}
        client = httpx.Client(timeout=TIMEOUT)
        login = client.post(
            f"{server.url.rstrip('/')}/v1/sessions",
            json={"email": server.username, "password": server.secret},
        )
        token = login.json().get("token") if login.status_code == 200 else None
        return client, ({"Authorization": f"Bearer {token}"} if token else {})
    return httpx.Client(timeout=TIMEOUT), {}


def download(url: str, source: str) -> bytes:
    """The file at `url`, read no further than the limit; Refused with the reason."""
    try:
        client, headers = _client_for(url, source)
        with client, client.stream("GET", url, headers=headers, follow_redirects=True) as response:
            if response.status_code == 404:
                raise Refused(_("The server no longer has this file."))
            if response.status_code != 200:
                raise Refused(
                    _("The server refused the file (%(status)s).") % {"status": response.status_code}
                )
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > MAX_ATTACHMENT_BYTES:
                raise Refused(too_big())
            content = bytearray()
            for chunk in response.iter_bytes():
                content += chunk
                if len(content) > MAX_ATTACHMENT_BYTES:
                    raise Refused(too_big())
            return bytes(content)
    except httpx.HTTPError:
        raise Refused(_("The file could not be downloaded from the server.")) from None


def gather(submission: Submission, answers: Answers) -> dict[str, bytes]:
    """The checked content of each file the submission's answers name (question name → bytes), fetched when
    only a link came. Raises ValidationError keyed by the question for every file refused or missing."""
    handler = handlers.handler_for(submission.form_id)
    fields = handler.attachment_fields if handler else frozenset()
    if not fields:
        return {}
    named = {name: answers.text(name, limit=255) for name in sorted(fields)}
    named = {question: file for question, file in named.items() if file}
    if not named:
        return {}
    kept = {
        a.name: a for a in Attachment.objects.filter(submission=submission, name__in=list(named.values()))
    }
    files: dict[str, bytes] = {}
    problems: dict[str, list[str]] = {}
    for question, name in named.items():
        attachment = kept.get(name)
        if attachment is None:
            problems[question] = [_("The file “%(name)s” did not come with the submission.") % {"name": name}]
            continue
        if not attachment.content and attachment.url:
            _fetch(attachment, submission.source)
        if attachment.content:
            files[question] = base64.b64decode(attachment.content)
        else:
            problems[question] = [
                _("The file “%(name)s” could not be kept: %(reason)s")
                % {"name": name, "reason": attachment.problem or _("it did not come with the submission.")}
            ]
    if problems:
        raise ValidationError(problems)
    return files


def _fetch(attachment: Attachment, source: str) -> None:
    try:
        content = download(attachment.url, source)
        attachment.content_type = check(content)
        attachment.content = base64.b64encode(content).decode("ascii")
        attachment.size, attachment.problem = len(content), ""
    except Refused as refused:
        attachment.problem = str(refused)[:300]
    attachment.fetched_at = timezone.now()
    attachment.save(update_fields=["content", "content_type", "size", "problem", "fetched_at"])
