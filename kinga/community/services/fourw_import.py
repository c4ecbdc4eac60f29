"""Import of a 4W file in the export's format (kinga.community.fourw_io): CSV or XLSX, HXL row optional.

Read through kinga.core.tabular like every file import (encoding, delimiter, missing-value tokens, a U+2028 kept
in its quoted field, a binary file refused in French). A row is keyed by (organisation, place, activity, start):
importing an export again updates its records, never duplicates them. Rejected rows are listed with their line
and reasons and written nowhere; a file whose rejections pass the threshold, or that would blank values already
recorded, writes nothing (tabular.ImportRefused) unless the person accepts it after a dry run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from kinga.core import access, audit, clock, imports, tabular, tasks
from kinga.core.access import Actor
from kinga.core.imports import ImportStatus
from kinga.core.models import Place, PlaceLevel
from kinga.plan.models import Action

from ..fourw_io import AGE_COLUMNS
from ..models import FourW, FourWImport, FourWSource, FourWStatus
from .fourw import create_fourw, organisation_by_name, update_fourw

MAX_ROWS = 100_000
# The share of the progress bar that reading and checking the rows fills; saving them (in one transaction, so
# invisible to the page until it ends) is the rest: 11 s of 30 for 2,000 new records on SQLite.
CHECKED_PERCENT = 40
# The column a field's error is about, as the file names it.
_COLUMN_OF = {
    "organisation": "Organisation",
    "implementing_partner": "Partenaire de mise en oeuvre",
    "funder": "Bailleur",
    "activity": "Activité",
    "place": "Code territoire",
    "status": "Statut",
    "start": "Date début",
    "end": "Date fin",
    "plan_action": "Action du plan",
    "targeted_f": "Enfants ciblés (filles)",
    "targeted_m": "Enfants ciblés (garçons)",
    "reached_f": "Enfants atteints (filles)",
    "reached_m": "Enfants atteints (garçons)",
    "reached_by_age": "Enfants atteints par tranche d'âge",
}
_NUMBERS = ("targeted_f", "targeted_m", "reached_f", "reached_m")
# Fields a later file may leave empty while the record has a value: that is a blanking.
_BLANKABLE = ("implementing_partner", "funder", "plan_action", "end", *_NUMBERS)


@dataclass
class FourWImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Each row not imported: {"line": line in the file, "reasons": text, "row": {column: value}}.
    rejected: list[dict[str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    # Values already recorded that the file would blank ("Gestion de cas (CD7201, 01/03/2026) : Date fin"...).
    blanked: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        rejected, blanked = len(self.rejected), len(self.blanked)
        text = _("%(rows)s: %(created)s, %(updated)s, %(unchanged)s, %(rejected)s, %(blanked)s.") % {
            "rows": ngettext("%(n)d row read", "%(n)d rows read", self.rows) % {"n": self.rows},
            "created": ngettext("%(n)d 4W record created", "%(n)d 4W records created", self.created)
            % {"n": self.created},
            "updated": ngettext("%(n)d 4W record updated", "%(n)d 4W records updated", self.updated)
            % {"n": self.updated},
            "unchanged": ngettext("%(n)d 4W record unchanged", "%(n)d 4W records unchanged", self.unchanged)
            % {"n": self.unchanged},
            "rejected": ngettext("%(n)d row rejected", "%(n)d rows rejected", rejected) % {"n": rejected},
            "blanked": ngettext("%(n)d recorded value blanked", "%(n)d recorded values blanked", blanked)
            % {"n": blanked},
        }
        if self.dry_run:
            text = _("Dry run, nothing was saved: %(summary)s") % {"summary": text}
        return text

    def rejection_lines(self, limit: int = 20) -> list[str]:
        return [
            _("Line %(line)d: %(detail)s") % {"line": r["line"], "detail": r["reasons"]}
            for r in self.rejected[:limit]
        ]

    def rejects_rows(self) -> list[list[str]]:
        """The rejected rows as a table (line, reasons, then the file's columns), to correct and import again."""
        return [
            ["ligne", "motifs", *self.columns],
            *([r["line"], r["reasons"], *(r["row"].get(c, "") for c in self.columns)] for r in self.rejected),
        ]


class _Rollback(Exception):
    pass


def import_fourw(
    *,
    actor: Actor,
    content: bytes,
    filename: str = "",
    dry_run: bool = False,
    accept_rejections: bool = False,
    threshold: float = tabular.DEFAULT_REJECTION_THRESHOLD,
    progress: Callable[[int], None] | None = None,
) -> FourWImportResult:
    """Import a 4W file; with `dry_run`, say what it would change and write nothing. Raises ValidationError
    ({"file": [...]}, in French) for a file that is not a 4W table, tabular.ImportRefused (nothing written) when
    the rejections pass `threshold` or recorded values would be blanked, unless `accept_rejections`; the
    refusal carries the `result` that was rolled back (its rejected rows say what to correct). The background
    task passes `progress` (percent of the rows done)."""
    access.require(actor, "community.record_4w")
    table = read_table(content, filename)
    result, checked = _check(table, progress or (lambda percent: None))
    try:
        with transaction.atomic():
            _write(actor, checked, result)
            result.dry_run = dry_run
            if dry_run:
                raise _Rollback
            try:
                tabular.refuse_if_unsafe(
                    rows=result.rows,
                    rejected=len(result.rejected),
                    blanked=result.blanked,
                    accept=accept_rejections,
                    threshold=threshold,
                    summary="\n".join([result.summary(), *result.rejection_lines()]),
                )
            except tabular.ImportRefused as exc:
                exc.result = result
                raise
    except _Rollback:
        pass
    return result


def queue_fourw_import(
    *,
    actor: Actor,
    content: bytes,
    filename: str,
    dry_run: bool = False,
    accept_rejections: bool = False,
) -> FourWImport:
    """Check the file is a 4W table and queue its import as a background task, the file stored with it
    first; the import returned is what its page shows while the task runs and once it has finished."""
    access.require(actor, "community.record_4w")
    if actor.organisation is None:
        raise ValidationError({"file": [_("You act in no organisation.")]})
    table = read_table(content, filename)
    if not len(table):
        raise ValidationError({"file": [_("The file holds no row.")]})
    batch = FourWImport.objects.create(
        organisation=actor.organisation,
        membership=actor.membership,
        filename=filename[:255],
        imported_by=actor.user,
        status=ImportStatus.QUEUED,
        progress=0,
        rows_total=len(table),
        dry_run=dry_run,
        accept_rejections=accept_rejections,
        content=FourWImport.encode(content),
        columns=table.columns,
    )
    from kinga.community.tasks import run_fourw_import_task  # noqa: PLC0415  (the task module imports this one)

    transaction.on_commit(lambda: tasks.enqueue(run_fourw_import_task, batch_id=batch.pk))
    return batch


def import_fourw_again(*, actor: Actor, batch: FourWImport, accept_rejections: bool) -> FourWImport:
    """Queue the file a dry run or a refused import kept, for real this time (no need to send it again)."""
    if (
        not batch.is_finished
        or not batch.content
        or not (batch.dry_run or batch.status == ImportStatus.REFUSED)
    ):
        raise ValidationError({"file": [_("This import cannot be run again: send the file again.")]})
    return queue_fourw_import(
        actor=actor, content=batch.file_content, filename=batch.filename, accept_rejections=accept_rejections
    )


def run_fourw_import(*, batch_id: int) -> FourWImport:
    """The background task's work: import a queued file as the person who sent it; keep what it did, its
    rejected rows with their reasons, or why nothing was saved (in French)."""
    batch = FourWImport.objects.select_related("membership__organisation", "imported_by").get(pk=batch_id)
    actor = Actor(user=batch.imported_by, membership=batch.membership)

    def keep(result: FourWImportResult) -> None:
        batch.created, batch.updated, batch.unchanged = result.created, result.updated, result.unchanged
        batch.rejected_rows, batch.blanked = result.rejected, result.blanked

    def work(content: bytes, progress: Callable[[int], None]) -> str:
        result = import_fourw(
            actor=actor,
            content=content,
            filename=batch.filename,
            dry_run=batch.dry_run,
            accept_rejections=batch.accept_rejections,
            progress=progress,
        )
        keep(result)
        if not batch.dry_run:
            audit.record(
                actor=actor,
                action="create",
                target=batch,
                changes={
                    "created": result.created,
                    "updated": result.updated,
                    "rejected": len(result.rejected),
                },
            )
        return result.summary()

    def refused(exc: ValidationError) -> None:
        if getattr(exc, "result", None) is not None:
            keep(exc.result)  # what to correct; nothing of it was saved

    return imports.run_queued(
        batch,
        work=work,
        refused=refused,
        nothing_saved=("unchanged",),
        also_save=("unchanged", "rejected_rows", "blanked"),
    )


def read_table(content: bytes, filename: str) -> tabular.Table:
    """The rows of a 4W file, or ValidationError ({"file": [...]}, in French) when it is not one."""
    table = tabular.read_bytes(content, filename=filename, allow_xlsx=True, max_rows=MAX_ROWS)
    if "Organisation" not in table.columns or "Activité" not in table.columns:
        raise tabular.file_error(_("This is not a 4W file: the first row must hold the column names."))
    table.require(["Date début"])
    if "Code territoire" not in table.columns and "Code province" not in table.columns:
        table.require(["Code territoire"])
    return table


def _check(table: tabular.Table, progress: Callable[[int], None]) -> tuple[FourWImportResult, list]:
    """Each row read and checked, outside the import's transaction so that how far it got is visible to the page
    that waits (reading and checking is most of the work): the rows to save as (line, row, fields)."""
    result = FourWImportResult(columns=table.columns)
    total, step = len(table), max(1, len(table) // 50)
    places = {
        p.pcode: p
        for p in Place.objects.filter(level__in=(PlaceLevel.PROVINCE, PlaceLevel.TERRITORY)).exclude(pcode="")
    }
    seen: set[tuple] = set()
    checked = []
    for n, (line, row) in enumerate(table, start=1):
        if n % step == 0:
            progress(CHECKED_PERCENT * n // total)
        values = [v for v in row.values() if v]
        if values and all(v.startswith("#") for v in values):
            continue  # the HXL hashtag row
        result.rows += 1
        try:
            fields = _parse(row, places)
            key = (
                fields["organisation"].pk,
                fields["place"].pk,
                fields["activity"].casefold(),
                fields["start"],
            )
            if key in seen:
                raise ValidationError({"activity": [_("This activity appears twice in the file.")]})
            seen.add(key)
        except ValidationError as exc:
            result.rejected.append({"line": line, "reasons": _reasons(exc), "row": row})
        else:
            checked.append((line, row, fields))
    return result, checked


def _write(actor: Actor, checked: list, result: FourWImportResult) -> None:
    for line, row, fields in checked:
        try:
            with transaction.atomic():
                _save(actor, fields, row, result)
        except ValidationError as exc:
            result.rejected.append({"line": line, "reasons": _reasons(exc), "row": row})
    result.rejected.sort(key=lambda rejected: rejected["line"])


def _reasons(exc: ValidationError) -> str:
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    return "; ".join(
        f"{_COLUMN_OF.get(name, name)} : {' '.join(messages)}" for name, messages in exc.message_dict.items()
    )


def _save(actor: Actor, fields: dict[str, Any], row: dict[str, str], result: FourWImportResult) -> None:
    record = (
        FourW.objects.filter(
            organisation=fields["organisation"],
            place=fields["place"],
            activity__iexact=fields["activity"],
            start=fields["start"],
        )
        .order_by("pk")
        .first()
    )
    if record is None:
        organisation = fields.pop("organisation")
        create_fourw(
            actor=actor,
            organisation=organisation,
            source=FourWSource.IMPORTED,
            status=fields.pop("status") or FourWStatus.ONGOING,
            sector=fields.pop("sector") or "Protection",
            subsector=fields.pop("subsector") or "Protection de l'enfance",
            **fields,
        )
        result.created += 1
        return
    changes = {}
    for name, value in fields.items():
        if name in ("organisation", "activity", "place", "start"):
            continue
        if value in (None, "") and name not in _BLANKABLE:
            continue  # status, sector, sub-sector left empty: the record keeps its own
        if name == "reached_by_age" and not value:
            continue  # the file has no age columns: the record keeps its bands
        if getattr(record, name) != value:
            changes[name] = value
    label = f"{record.activity[:60]} ({fields['place'].pcode}, {record.start:%d/%m/%Y})"
    for name, value in changes.items():
        if value in (None, "", 0) and getattr(record, name) not in (None, "", 0):
            result.blanked.append(f"{label} : {_COLUMN_OF.get(name, name)}")
    if not changes:
        result.unchanged += 1
        return
    update_fourw(actor=actor, record=record, **changes)
    result.updated += 1


def _parse(row: dict[str, str], places: dict[str, Place]) -> dict[str, Any]:
    """The fields of one row, or a ValidationError naming every problem of the row."""
    errors: dict[str, list[str]] = {}

    def check(name: str, parse, *args, **kwargs):
        try:
            return parse(*args, **kwargs)
        except ValidationError as exc:
            for message in exc.message_dict.get(name, exc.messages):
                errors.setdefault(name, []).append(message)
            return None

    organisation = organisation_by_name(row.get("Organisation", ""))
    if organisation is None:
        errors["organisation"] = [
            _("Unknown organisation “%(name)s”.") % {"name": row.get("Organisation", "")[:80]}
            if row.get("Organisation")
            else _("This value is required.")
        ]
    if not row.get("Activité"):
        errors["activity"] = [_("This value is required.")]
    code = row.get("Code territoire") or row.get("Code province") or ""
    place = places.get(code)
    if place is None:
        errors["place"] = [
            _("Unknown p-code “%(code)s”.") % {"code": code[:20]} if code else _("This value is required.")
        ]
    start = check("start", clock.parse_date, row.get("Date début", ""), field="start")
    if start is None and "start" not in errors:
        errors["start"] = [_("The start date is required.")]
    fields: dict[str, Any] = {
        "organisation": organisation,
        "activity": row.get("Activité", ""),
        "place": place,
        "start": start,
        "end": check("end", clock.parse_date, row.get("Date fin", ""), field="end"),
        "status": check("status", _status, row.get("Statut", "")),
        "sector": row.get("Cluster", ""),
        "subsector": row.get("Sous-cluster/AoR", ""),
        "implementing_partner": check(
            "implementing_partner",
            _organisation,
            row.get("Partenaire de mise en oeuvre", ""),
            "implementing_partner",
        ),
        "funder": check("funder", _organisation, row.get("Bailleur", ""), "funder"),
        "plan_action": check("plan_action", _plan_action, row.get("Action du plan", "")),
        "reached_by_age": check("reached_by_age", _by_age, row),
    }
    for name in _NUMBERS:
        fields[name] = check(name, _parse_int, row.get(_COLUMN_OF[name], ""), name)
    if errors:
        raise ValidationError(errors)
    return fields


def _parse_int(text: str, name: str) -> int:
    if not text:
        return 0
    try:
        value = float(text.replace(" ", "").replace("\u202f", "").replace(",", "."))
    except ValueError:
        raise ValidationError({name: [_("Enter a whole number.")]}) from None
    if value < 0 or not value.is_integer():
        raise ValidationError({name: [_("Enter a whole number.")]})
    return int(value)


def _by_age(row: dict[str, str]) -> dict[str, dict[str, int]]:
    bands: dict[str, dict[str, int]] = {}
    for sex, band, header, _tag in AGE_COLUMNS:
        if row.get(header):
            bands.setdefault(sex, {})[band] = _parse_int(row[header], "reached_by_age")
    return bands


def _organisation(name: str, field_name: str):
    if not name:
        return None
    organisation = organisation_by_name(name)
    if organisation is None:
        raise ValidationError({field_name: [_("Unknown organisation “%(name)s”.") % {"name": name[:80]}]})
    return organisation


def _status(text: str) -> str:
    text = text.strip().lower()
    if not text:
        return ""
    with override("fr"):
        labels = {str(v).lower(): k for k, v in FourWStatus.choices}
    with override("en"):
        labels.update({str(v).lower(): k for k, v in FourWStatus.choices})
    if text in FourWStatus.values:
        return text
    if text in labels:
        return labels[text]
    raise ValidationError({"status": [_("Unknown status “%(value)s”.") % {"value": text[:40]}]})


def _plan_action(code: str) -> Action | None:
    """The plan action of a code such as "1.4" (axis 1, action 4); empty: none."""
    if not code:
        return None
    axis, _dot, number = code.partition(".")
    action = None
    if axis.isdigit() and number.isdigit():
        action = Action.objects.filter(axis__number=int(axis), number=int(number)).first()
    if action is None:
        raise ValidationError({"plan_action": [_("Unknown plan action “%(code)s”.") % {"code": code[:20]}]})
    return action
