"""The endpoints KoboToolbox's REST services and ODK post submissions to. No session: the form's key
authenticates (header `Authorization: Token …`/`Bearer …`, the password of HTTP Basic, or `?cle=`). The
submission is stored before anything reads it; its processing is queued; the answer is immediate."""

from __future__ import annotations

import base64
import binascii
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import attachments, reading, services
from .models import Channel, Source

# ODK Collect splits a submission with many photos into several posts of at most the accepted length, each
# with the same XML: the XML's limit plus a few photos at their limit.
MAX_POST_BYTES = reading.MAX_SUBMISSION_BYTES + 4 * attachments.MAX_ATTACHMENT_BYTES
OPENROSA_HEADERS = {
    "X-OpenRosa-Version": "1.0",
    "X-OpenRosa-Accept-Content-Length": str(MAX_POST_BYTES),
}


def _key(request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    scheme = scheme.lower()
    if scheme in {"token", "bearer"}:
        return value.strip()
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value.strip()).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[2]
    return request.headers.get("X-Kinga-Key", "") or request.GET.get("cle", "")


def _length(request) -> int:
    # The declared length: reading the body to measure it would consume a multipart stream already parsed.
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _refused(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


@csrf_exempt
@require_http_methods(["POST"])
def kobo(request, form_id: str):
    """A KoboToolbox REST-service post: one submission, or a v2 `/data/` envelope of several."""
    try:
        form_access = services.authenticate(form_id, _key(request))
    except PermissionDenied as error:
        return JsonResponse({"erreur": str(error)}, status=403)
    if _length(request) > reading.MAX_SUBMISSION_BYTES:
        return JsonResponse({"erreur": _("The submission is too large.")}, status=413)
    try:
        document = json.loads(request.body or b"null")
        items = list(reading.split_json(document))
        parsed = [reading.parse_json_item(shape, item) for shape, item in items]
        received = [
            services.receive(
                source=Source.KOBO if shape == "kobo" else Source.ODK,
                channel=Channel.PUSH,
                form_id=form_id,
                parsed=p,
                membership=form_access.membership,
                form_access=form_access,
            )
            for (shape, _item), p in zip(items, parsed, strict=True)
        ]
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"erreur": _("The submission is not readable JSON.")}, status=400)
    except ValidationError as error:
        return JsonResponse({"erreur": _refused(error)}, status=400)
    created = any(r.created for r in received)
    body = {
        "soumissions": [
            {"id": str(r.submission.pk), "instance": r.submission.instance_id, "nouvelle": r.created}
            for r in received
        ]
    }
    return JsonResponse(body, status=201 if created else 200)


def _openrosa(message: str, status: int) -> HttpResponse:
    body = (
        '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
        f'<message nature="">{escape(message)}</message></OpenRosaResponse>'
    )
    response = HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    for name, value in OPENROSA_HEADERS.items():
        response[name] = value
    return response


@csrf_exempt
@require_http_methods(["HEAD", "GET", "POST"])
def odk(request, form_id: str):
    """An OpenRosa submission as ODK Collect sends it (multipart with `xml_submission_file`, or the XML as
    the body), or Central's JSON (OData) of one submission or several."""
    try:
        form_access = services.authenticate(form_id, _key(request))
    except PermissionDenied as error:
        response = _openrosa(str(error), 401)
        response["WWW-Authenticate"] = 'Basic realm="Kinga"'
        return response
    if request.method in {"HEAD", "GET"}:  # OpenRosa's pre-flight before posting
        return _openrosa("", 204)
    if _length(request) > MAX_POST_BYTES:
        return _openrosa(_("The submission is too large."), 413)
    try:
        if request.content_type == "application/json":
            items = list(reading.split_json(json.loads(request.body)))
            parsed = [reading.parse_json_item("odata", item) for _shape, item in items]
            files = {}
        else:
            upload = request.FILES.get("xml_submission_file")
            parsed = [reading.from_xml(upload.read() if upload is not None else request.body)]
            # The photos ODK Collect sends beside the XML, by file name; read no further than one byte past the
            # limit (a bigger one is kept as "too big", the submission quarantined with that reason).
            files = {
                f.name: f.read(attachments.MAX_ATTACHMENT_BYTES + 1)
                for name, f in request.FILES.items()
                if name != "xml_submission_file"
            }
        received = [
            services.receive(
                source=Source.ODK,
                channel=Channel.PUSH,
                form_id=form_id,
                parsed=p,
                membership=form_access.membership,
                form_access=form_access,
                files=files,
            )
            for p in parsed
        ]
    except (ValueError, UnicodeDecodeError):
        return _openrosa(_("The submission is not readable JSON."), 400)
    except ValidationError as error:
        return _openrosa(" ".join(_refused(error)), 400)
    if any(r.created for r in received):
        return _openrosa(_("Submission received."), 201)
    return _openrosa(_("Submission already received."), 202)
