"""Reading what KoboToolbox and ODK send: Kobo's JSON (REST service, v2 `/data/` envelope), ODK's submission XML
and ODK Central's OData JSON, into one shape: answers keyed by their full group path ("alerte/territoire"),
repeats as lists of rows, and the submission's identifiers.

Group paths are kept: two groups with the same question name never collide. A handler asks for a question by
its full path or by its name; a name found in two groups is an error saying which, never a silent pick.
Choices are read by their names and by their labels as a form author writes them ("creusage", "Élevée").
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from defusedxml import ElementTree
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

MAX_SUBMISSION_BYTES = 2 * 1024 * 1024

# Keys of Kobo's and Central's envelopes that are not answers.
_KOBO_SYSTEM = re.compile(r"^(_.*|formhub/uuid|__version__|meta/.*)$")


@dataclass
class Parsed:
    """One submission read: its identifiers and its answers (path → value; repeat path → list of rows)."""

    instance_id: str
    root_id: str = ""
    deprecated_id: str = ""
    form_id: str = ""
    submitted_at: datetime.datetime | None = None
    submitter: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    raw: str = ""
    # The files the server lists with the submission: file name → where to download it (Kobo's
    # `_attachments`); the files that came with the post itself are not here (views_push keeps them).
    attachments: dict[str, str] = field(default_factory=dict)


def clean_id(value: Any) -> str:
    """Instance IDs as Kobo and ODK write them ("uuid:45ed…" or "45ed…") reduced to one spelling."""
    text = str(value or "").strip()
    if text.lower().startswith("uuid:"):
        text = text[5:]
    return text.lower()[:128]


def parse_moment(value: Any) -> datetime.datetime | None:
    """A server's timestamp ("2026-02-11T10:00:00.000Z"), aware; None when absent or unreadable."""
    return _datetime(value)


def _datetime(value: Any) -> datetime.datetime | None:
    if not value:
        return None
    moment = parse_datetime(str(value).strip().replace("Z", "+00:00"))
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return moment


def _refuse(message: str) -> ValidationError:
    return ValidationError({"submission": [message]})


# --- Kobo JSON --------------------------------------------------------------------------------------------


def _kobo_rows(path: str, rows: list) -> list[dict]:
    """A Kobo repeat: each row's keys carry the repeat's path ("siblings/sib_name"); kept relative to it."""
    result = []
    prefix = path + "/"
    for row in rows:
        if not isinstance(row, dict):
            continue
        result.append(
            {
                (k[len(prefix) :] if k.startswith(prefix) else k): (
                    _kobo_rows(k, v) if isinstance(v, list) and v and isinstance(v[0], dict) else v
                )
                for k, v in row.items()
            }
        )
    return result


def _kobo_attachments(payload: dict) -> dict[str, str]:
    found = {}
    for item in payload.get("_attachments") or []:
        if not isinstance(item, dict):
            continue
        name = item.get("media_file_basename") or str(item.get("filename") or "").rsplit("/", 1)[-1]
        url = item.get("download_url") or item.get("download_large_url") or ""
        if name and isinstance(url, str) and url.startswith(("http://", "https://")):
            found[str(name)[:255]] = url[:1000]
    return found


def from_kobo(payload: dict, *, raw: str = "") -> Parsed:
    answers: dict[str, Any] = {}
    for key, value in payload.items():
        if not isinstance(key, str) or _KOBO_SYSTEM.match(key):
            continue
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            answers[key] = _kobo_rows(key, value)
        else:
            answers[key] = value
    instance = clean_id(payload.get("meta/instanceID") or payload.get("_uuid"))
    if not instance:
        raise _refuse(_("The submission has no instance ID (meta/instanceID or _uuid)."))
    return Parsed(
        instance_id=instance,
        root_id=clean_id(payload.get("meta/rootUuid")),
        deprecated_id=clean_id(payload.get("meta/deprecatedID")),
        submitted_at=_datetime(payload.get("_submission_time")),
        submitter=str(payload.get("_submitted_by") or "")[:100],
        answers=answers,
        raw=raw or json.dumps(payload, ensure_ascii=False),
        attachments=_kobo_attachments(payload),
    )


# --- ODK Central OData JSON -------------------------------------------------------------------------------


def _geopoint(value: dict) -> str:
    coordinates = value.get("coordinates") or []
    if len(coordinates) < 2:
        return ""
    lon, lat, *rest = coordinates
    accuracy = (value.get("properties") or {}).get("accuracy")
    parts = [lat, lon, *(rest[:1] or [0])] + ([accuracy] if accuracy is not None else [])
    return " ".join(str(p) for p in parts)


def _flatten_odata(value: dict, prefix: str, out: dict[str, Any]) -> None:
    for key, item in value.items():
        if key.startswith("__") or "@odata" in key:
            continue
        path = f"{prefix}{key}"
        if isinstance(item, dict) and item.get("type") == "Point":
            out[path] = _geopoint(item)
        elif isinstance(item, dict):
            _flatten_odata(item, path + "/", out)
        elif isinstance(item, list) and all(isinstance(v, dict) for v in item):
            rows = []
            for row in item:
                flat: dict[str, Any] = {}
                _flatten_odata(row, "", flat)
                rows.append(flat)
            out[path] = rows
        else:
            out[path] = item


def from_odata(payload: dict, *, raw: str = "") -> Parsed:
    answers: dict[str, Any] = {}
    _flatten_odata(payload, "", answers)
    system = payload.get("__system") or {}
    meta_instance = clean_id(answers.pop("meta/instanceID", ""))
    deprecated = clean_id(answers.pop("meta/deprecatedID", ""))
    answers.pop("meta/instanceName", None)
    root = clean_id(payload.get("__id"))
    instance = meta_instance or root
    if not instance:
        raise _refuse(_("The submission has no instance ID (__id or meta/instanceID)."))
    return Parsed(
        instance_id=instance,
        root_id=root,
        deprecated_id=deprecated,
        submitted_at=_datetime(system.get("submissionDate")),
        submitter=str(system.get("submitterName") or "")[:100],
        answers=answers,
        raw=raw or json.dumps(payload, ensure_ascii=False),
    )


# --- ODK submission XML -----------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _element_answers(element, prefix: str, out: dict[str, Any]) -> None:
    children = list(element)
    counts: dict[str, int] = {}
    for child in children:
        counts[_local(child.tag)] = counts.get(_local(child.tag), 0) + 1
    for child in children:
        name = _local(child.tag)
        path = f"{prefix}{name}"
        if counts[name] > 1:  # a repeat: each instance one row, its answers relative to it
            row: dict[str, Any] = {}
            _element_answers(child, "", row)
            out.setdefault(path, []).append(row)
        elif len(child):
            _element_answers(child, path + "/", out)
        else:
            out[path] = (child.text or "").strip()


def from_xml(text: str | bytes) -> Parsed:
    if len(text) > MAX_SUBMISSION_BYTES:
        raise _refuse(_("The submission is too large."))
    try:
        root = ElementTree.fromstring(text)
    except Exception:  # defusedxml raises several kinds: any is an unreadable submission
        raise _refuse(_("The submission is not readable XML.")) from None
    answers: dict[str, Any] = {}
    _element_answers(root, "", answers)
    instance = clean_id(answers.pop("meta/instanceID", ""))
    deprecated = clean_id(answers.pop("meta/deprecatedID", ""))
    for key in [k for k in answers if k.startswith("meta/")]:
        answers.pop(key)
    if not instance:
        raise _refuse(_("The submission has no instance ID (meta/instanceID)."))
    return Parsed(
        instance_id=instance,
        deprecated_id=deprecated,
        form_id=str(root.get("id") or "")[:64],
        answers=answers,
        raw=text.decode("utf-8", "replace") if isinstance(text, bytes) else text,
    )


# --- envelopes --------------------------------------------------------------------------------------------


def split_json(document: Any) -> Iterator[tuple[str, dict]]:
    """The submissions of a JSON document, each with its shape ("kobo" or "odata"): a single Kobo submission,
    Kobo's v2 `/data/` envelope {"count", "next", "results"}, a list, or Central's OData {"value": [...]}."""
    if isinstance(document, list):
        items: Iterable = document
    elif isinstance(document, dict) and isinstance(document.get("results"), list):
        items = document["results"]
    elif isinstance(document, dict) and isinstance(document.get("value"), list):
        items = document["value"]
    elif isinstance(document, dict):
        items = [document]
    else:
        raise _refuse(_("The submission must be a JSON object."))
    for item in items:
        if not isinstance(item, dict):
            raise _refuse(_("Each submission must be a JSON object."))
        yield ("odata" if "__id" in item or "__system" in item else "kobo"), item


def parse_json_item(shape: str, item: dict) -> Parsed:
    return from_odata(item) if shape == "odata" else from_kobo(item)


# --- answers ----------------------------------------------------------------------------------------------


def fold(text: Any) -> str:
    """Lower case, accents and punctuation folded: "Élevée" and "elevee" read the same."""
    decomposed = unicodedata.normalize("NFKD", str(text or "").casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


_TRUE = {"1", "true", "yes", "oui", "vrai", "y", "o", "ndiyo"}
_FALSE = {"0", "false", "no", "non", "faux", "n", "hapana"}
_UNKNOWN = {"unknown", "inconnu", "ne sait pas", "nsp", "dont know", "sijui"}


class Answers:
    """The answers of one submission, corrections applied, read by the handlers."""

    def __init__(
        self,
        answers: dict[str, Any],
        corrections: dict[str, Any] | None = None,
        files: dict[str, bytes] | None = None,
    ):
        self.values = {**answers, **(corrections or {})}
        # The checked content of the files the answers name, by question name ("photo" → JPEG bytes).
        self.files = files or {}

    def _paths(self, name: str, exclude_groups: tuple[str, ...]) -> list[str]:
        if name in self.values:
            return [name]
        if "/" in name:
            return []
        found = []
        for path in self.values:
            groups, _sep, leaf = path.rpartition("/")
            if leaf != name:
                continue
            if any(g in exclude_groups for g in groups.split("/")):
                continue
            found.append(path)
        return found

    def path_of(self, *names: str, exclude_groups: tuple[str, ...] = ()) -> str | None:
        """The path answering the first of `names` present; a name in two groups is refused."""
        for name in names:
            paths = self._paths(name, exclude_groups)
            if len(paths) > 1:
                raise ValidationError(
                    {
                        name: [
                            _("Two questions have this name (%(paths)s): say which group to read.")
                            % {"paths": ", ".join(sorted(paths))}
                        ]
                    }
                )
            if paths and self.values[paths[0]] not in (None, ""):
                return paths[0]
        return None

    def raw(self, *names: str, exclude_groups: tuple[str, ...] = ()) -> Any:
        path = self.path_of(*names, exclude_groups=exclude_groups)
        return self.values[path] if path else None

    def text(self, *names: str, limit: int = 2000, exclude_groups: tuple[str, ...] = ()) -> str:
        path = self.path_of(*names, exclude_groups=exclude_groups)
        text = "" if path is None else str(self.values[path]).strip()
        if len(text) > limit:
            raise ValidationError({path: [_("Too long (%(max)d characters at most).") % {"max": limit}]})
        return text

    def integer(self, *names: str) -> int | None:
        path = self.path_of(*names)
        if path is None:
            return None
        text = str(self.values[path]).strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                number = None
            if number is None or not number.is_integer():
                raise ValidationError({path: [_("Enter a whole number.")]}) from None
            return int(number)

    def boolean(self, *names: str) -> bool | None:
        path = self.path_of(*names)
        if path is None:
            return None
        value = self.values[path]
        if isinstance(value, bool):
            return value
        text = fold(value)
        if text in _UNKNOWN:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValidationError({path: [_("Answer yes or no.")]})

    def date(self, *names: str) -> datetime.date | None:
        """A date as the phone wrote it (a date-only answer is that date); a date and time keeps the day it
        names in its own offset."""
        path = self.path_of(*names)
        if path is None:
            return None
        text = str(self.values[path]).strip()
        day = parse_date(text)
        if day is None:
            moment = parse_datetime(text.replace("Z", "+00:00"))
            day = moment.date() if moment is not None else None
        if day is None:
            raise ValidationError({path: [_("Enter a valid date.")]})
        return day

    def choice(self, choices, *names: str, exclude_groups: tuple[str, ...] = ()) -> str:
        """A choice by its name (the value in Kinga) or its label in French or English."""
        path = self.path_of(*names, exclude_groups=exclude_groups)
        if path is None:
            return ""
        return resolve_choice(choices, self.values[path], field=path)

    def choices(self, choices, *names: str) -> list[str]:
        path = self.path_of(*names)
        if path is None:
            return []
        value = self.values[path]
        items = value if isinstance(value, list) else str(value).split()
        return [resolve_choice(choices, item, field=path) for item in items]

    def rows(self, *names: str) -> list[Answers]:
        """A repeat's rows; a repeat answered once in XML (a plain group) is one row."""
        for name in names:
            paths = self._paths(name, ())
            if len(paths) > 1:
                raise ValidationError({name: [_("Two repeats have this name: say which group to read.")]})
            if paths and isinstance(self.values[paths[0]], list):
                return [Answers(row) for row in self.values[paths[0]] if isinstance(row, dict)]
            prefix = name + "/"
            single = {k[len(prefix) :]: v for k, v in self.values.items() if k.startswith(prefix)}
            if single:
                return [Answers(single)]
        return []


def _choice_index(choices) -> dict[str, str]:
    index: dict[str, str] = {}
    for value, label in choices.choices:
        for language in ("en", "fr"):
            with translation.override(language):
                index.setdefault(fold(label), value)
        index[fold(value)] = value
    return index


def _stem(folded: str) -> str:
    return " ".join(re.sub(r"e*s?$", "", word) for word in folded.split())


def resolve_choice(choices, value: Any, *, field: str, extra: dict[str, str] | None = None) -> str:
    folded = fold(value)
    index = {**_choice_index(choices), **{fold(k): v for k, v in (extra or {}).items()}}
    if folded in index:
        return index[folded]
    # French labels agree in gender and number with what they describe ("Élevée", "élevé", "élevés"); one label
    # may be translated once for several models.
    stems = {v for label, v in index.items() if _stem(label) == _stem(folded)}
    if len(stems) == 1:
        return stems.pop()
    # Form authors write the first word of a label ("creusage" for "Creusage", "lavage" for "Lavage ou triage").
    starts = {v for label, v in index.items() if label.split(" ")[:1] == folded.split(" ")[:1] and folded}
    if len(starts) == 1:
        return starts.pop()
    raise ValidationError({field: [_("Unknown value “%(value)s”.") % {"value": str(value)[:40]}]})
