"""Import of a survey round from CSV or XLSX.

The header is documented in docs/guide/menages.md (section « Importer un passage »). The key of a row is
(household_id, place) within the importing organisation: re-importing a round updates the households and
their answers for that round, never duplicates them. Each row is checked whole; a row with any problem
is quarantined (kept, encrypted, with its reasons) and the others are imported, in one transaction.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinga.core import access, audit, clock, imports, spreadsheets, tabular, tasks
from kinga.core.access import Actor
from kinga.core.models import Place
from kinga.households import index
from kinga.households.models import (
    Household,
    ImportBatch,
    ImportStatus,
    IncomeSourceKind,
    QuarantinedRow,
    Survey,
    SurveyRound,
)

from . import figures, scores, totals
from .households import Errors, check_coordinates, reindex_names
from .surveys import check_in_round, save_survey, validate_survey

REQUIRED_COLUMNS = (
    "household_id",
    "place",
    "head_name",
    "head_sex",
    "head_age",
    "household_size",
    "surveyed_on",
    "hunger_scale",
    "housing",
)
INCOME_COLUMNS = tuple(f"income_{kind}" for kind in IncomeSourceKind.values)
OPTIONAL_COLUMNS = (
    *INCOME_COLUMNS,
    "has_productive_assets",
    "assets",
    "children_working",
    "children_working_at_mine",
    "school_age_out_of_school",
    "members_disabled_or_ill",
    "access_to_water",
    "access_to_health",
    "access_to_school",
    "access_to_credit",
    "business_opportunities",
    "contact_phone",
    "latitude",
    "longitude",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_ROWS = 200_000

# The headers of the downloadable template, in French: enumerators and clerks in Lualaba fill it in French.
# They are the file's format, not interface text: fixed, whatever the language of the page that offers the
# file. The import reads them (accents, case and spacing aside) as well as the columns' own names, which
# files made by scripts (R, Kobo exports) use.
_INCOME_HEADERS = {
    "artisanal_mining": "Revenu : exploitation minière artisanale",
    "mineral_trade": "Revenu : commerce de minerais",
    "agriculture": "Revenu : agriculture",
    "livestock": "Revenu : élevage",
    "trade": "Revenu : petit commerce",
    "craft": "Revenu : artisanat ou métier",
    "wages": "Revenu : salaire",
    "transfers": "Revenu : transferts et dons",
    "other": "Revenu : autre",
}
FRENCH_HEADERS = {
    "household_id": "Identifiant du ménage",
    "place": "Lieu",
    "head_name": "Nom du chef de ménage",
    "head_sex": "Sexe du chef de ménage",
    "head_age": "Âge du chef de ménage",
    "household_size": "Nombre de personnes",
    "surveyed_on": "Date de l'enquête",
    "hunger_scale": "Échelle de la faim",
    "housing": "Logement",
    **{f"income_{kind}": header for kind, header in _INCOME_HEADERS.items()},
    "has_productive_assets": "Biens productifs",
    "assets": "Liste des biens",
    "children_working": "Enfants qui travaillent",
    "children_working_at_mine": "Enfants qui travaillent à la mine",
    "school_age_out_of_school": "Enfants d'âge scolaire non scolarisés",
    "members_disabled_or_ill": "Membres handicapés ou malades",
    "access_to_water": "Accès à l'eau",
    "access_to_health": "Accès aux soins",
    "access_to_school": "Accès à l'école",
    "access_to_credit": "Accès au crédit",
    "business_opportunities": "Possibilités d'activités",
    "contact_phone": "Téléphone de contact",
    "latitude": "Latitude",
    "longitude": "Longitude",
}


def _header_key(text: str) -> str:
    """A header as compared: no accents, lower case, every run of other characters one space."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.split(r"[^a-z0-9]+", plain)).strip()


_COLUMN_OF_HEADER = {_header_key(header): column for column, header in FRENCH_HEADERS.items()}


def read_rows(content: bytes, filename: str) -> tabular.Table:
    """The rows of a CSV (any usual encoding and delimiter) or XLSX file as {column: text}, header lower-cased,
    missing-value tokens (NA, N/A, -...) as ""."""
    table = tabular.read_bytes(
        content, filename=filename, allow_xlsx=True, lower_header=True, max_rows=MAX_ROWS
    )
    renamed = {c: _COLUMN_OF_HEADER.get(_header_key(c), c) for c in table.columns}
    if any(c != name for c, name in renamed.items()):
        table.columns = [renamed[c] for c in table.columns]
        table.rows = [{renamed.get(k, k): v for k, v in row.items()} for row in table.rows]
    return table


def _flag(value: str, column: str, errors: Errors) -> bool:
    try:
        return bool(tabular.parse_bool(value))
    except ValueError:
        errors.add(column, _("Answer oui or non."))
        return False


def _date(value: str, column: str, errors: Errors) -> datetime.date | None:
    try:
        day = clock.parse_date(value, field=column)
    except ValidationError as exc:
        for message in exc.message_dict[column]:
            errors.add(column, message)
        return None
    if day is None:
        errors.add(column, _("Give a date as YYYY-MM-DD or DD/MM/YYYY."))
    return day


def _place(value: str, places: dict[str, Place | None]) -> Place | None:
    key = value.strip().lower()
    if key not in places:
        matches = list(
            Place.objects.filter(Q(pcode__iexact=value.strip()) | Q(name__iexact=value.strip()))[:2]
        )
        places[key] = matches[0] if len(matches) == 1 else None
    return places[key]


def parse_row(row: dict[str, str], places: dict, round: SurveyRound) -> tuple[dict[str, Any], dict[str, Any]]:
    """(household fields, survey answers) of one row, or ValidationError with every problem of the row."""
    errors = Errors()
    for column in REQUIRED_COLUMNS:
        if not row.get(column, "").strip():
            errors.add(column, _("This value is required."))
    place = _place(row["place"], places) if row.get("place") else None
    if row.get("place") and place is None:
        errors.add("place", _("Unknown or ambiguous place: give its p-code or its exact name."))
    lat, lon = check_coordinates(row.get("latitude"), row.get("longitude"), errors)
    answers: dict[str, Any] = {
        "surveyed_on": _date(row.get("surveyed_on", ""), "surveyed_on", errors)
        if row.get("surveyed_on")
        else None,
        "household_size": row.get("household_size"),
        "head_sex": (row.get("head_sex") or "").upper()[:1],
        "head_age": row.get("head_age"),
        "hunger_scale": row.get("hunger_scale"),
        "housing": (row.get("housing") or "").strip().lower(),
        "income_sources": {
            kind: row[f"income_{kind}"]
            for kind in IncomeSourceKind.values
            if row.get(f"income_{kind}", "") != ""
        },
        "assets": [a.strip() for a in (row.get("assets") or "").split(";") if a.strip()],
        "business_opportunities": row.get("business_opportunities", ""),
    }
    for name in (
        "children_working",
        "children_working_at_mine",
        "school_age_out_of_school",
        "members_disabled_or_ill",
    ):
        answers[name] = row.get(name) or 0
    for name in (
        "has_productive_assets",
        "access_to_water",
        "access_to_health",
        "access_to_school",
        "access_to_credit",
    ):
        answers[name] = _flag(row.get(name, ""), name, errors)
    try:
        answers = validate_survey(answers)
        check_in_round(round, answers["surveyed_on"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                errors.add(field, message)
    errors.raise_if_any()
    household = {
        "survey_id": row["household_id"].strip(),
        "place": place,
        "head_name": row["head_name"].strip(),
        "contact_phone": row.get("contact_phone", ""),
        "latitude": lat,
        "longitude": lon,
        "size": answers["household_size"],
    }
    return household, answers


class _Rollback(Exception):
    pass


def import_round(
    *,
    actor: Actor,
    round: SurveyRound,
    content: bytes,
    filename: str,
    dry_run: bool = False,
    accept_rejections: bool = False,
    batch: ImportBatch | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportBatch:
    """Import one round's file for the actor's organisation; returns the batch with its counts.

    With `dry_run` nothing is written: the batch returned (unsaved, `dry_run` set) says what would happen.
    A file whose quarantined rows pass the threshold, or that would blank answers already recorded for the
    round, writes nothing (tabular.ImportRefused) unless `accept_rejections`. The background task passes the
    `batch` it queued and a `progress` callback (percent): the rows are read and checked first, outside the
    transaction, so how far that got is visible to the page that waits; then they are written in one go."""
    access.require(actor, "households.import")
    if actor.organisation is None:
        raise ValidationError({"file": [_("You act in no organisation.")]})
    table = read_rows(content, filename)
    if not len(table):
        raise ValidationError({"file": [_("The file holds no row.")]})
    table.require(REQUIRED_COLUMNS)
    checked = _check_rows(table, round, progress or (lambda percent: None))
    queued = batch is not None
    try:
        with transaction.atomic():
            batch = _import(actor=actor, round=round, checked=checked, filename=filename, batch=batch)
            batch.dry_run = dry_run
            if dry_run:
                raise _Rollback
            tabular.refuse_if_unsafe(
                rows=len(table),
                rejected=batch.quarantined,
                blanked=batch.blanked,
                accept=accept_rejections,
                summary=summary(batch),
            )
    except _Rollback:
        if not queued:
            batch.pk = None  # created inside the rolled-back transaction; a queued batch keeps its row
    return batch


def queue_import(
    *,
    actor: Actor,
    round: SurveyRound,
    content: bytes,
    filename: str,
    dry_run: bool = False,
    accept_rejections: bool = False,
) -> ImportBatch:
    """Check the file can be read (its header, at least one row) and queue its import as a background task;
    the batch returned is what its page shows while the task runs and once it has finished."""
    access.require(actor, "households.import")
    if actor.organisation is None:
        raise ValidationError({"file": [_("You act in no organisation.")]})
    table = read_rows(content, filename)
    if not len(table):
        raise ValidationError({"file": [_("The file holds no row.")]})
    table.require(REQUIRED_COLUMNS)
    batch = ImportBatch.objects.create(
        organisation=actor.organisation,
        membership=actor.membership,
        round=round,
        filename=filename[:255],
        imported_by=actor.user,
        status=ImportStatus.QUEUED,
        progress=0,
        rows_total=len(table),
        dry_run=dry_run,
        accept_rejections=accept_rejections,
        content=ImportBatch.encode(content),
    )
    from kinga.households.tasks import run_import_task  # noqa: PLC0415  (the task module imports this one)

    transaction.on_commit(lambda: tasks.enqueue(run_import_task, batch_id=batch.pk))
    return batch


def run_import(*, batch_id: int) -> ImportBatch:
    """The background task's work: import a queued batch's file as the person who sent it, keep the counts,
    or the reason nothing was saved (in French), and forget the file."""
    batch = ImportBatch.objects.select_related("round", "membership__organisation", "imported_by").get(
        pk=batch_id
    )

    def work(content: bytes, progress) -> str:
        import_round(
            actor=Actor(user=batch.imported_by, membership=batch.membership),
            round=batch.round,
            content=content,
            filename=batch.filename,
            dry_run=batch.dry_run,
            accept_rejections=batch.accept_rejections,
            batch=batch,
            progress=progress,
        )
        return summary(batch)

    return imports.run_queued(batch, work=work, nothing_saved=("quarantined",))


def summary(batch: ImportBatch) -> str:
    blanked = len(batch.blanked)
    text = _("%(c)s, %(u)s, %(q)s, %(b)s.") % {
        "c": ngettext("%(n)d created", "%(n)d created", batch.created) % {"n": batch.created},
        "u": ngettext("%(n)d updated", "%(n)d updated", batch.updated) % {"n": batch.updated},
        "q": ngettext("%(n)d quarantined", "%(n)d quarantined", batch.quarantined) % {"n": batch.quarantined},
        "b": ngettext("%(n)d recorded answer blanked", "%(n)d recorded answers blanked", blanked)
        % {"n": blanked},
    }
    if getattr(batch, "dry_run", False):
        return _("Dry run, nothing was saved: %(summary)s") % {"summary": text}
    return text


def _blanked(row: dict[str, str], survey, answers: dict[str, Any]) -> list[str]:
    """Answers already recorded for the round that this row leaves empty (the file lost a column or a value)."""
    if survey is None:
        return []
    lost = []
    for column in OPTIONAL_COLUMNS:
        if row.get(column, "") != "" or column in ("latitude", "longitude", "contact_phone"):
            continue
        if column.startswith("income_"):
            kind = column.removeprefix("income_")
            if survey.income_sources.filter(kind=kind).exclude(monthly_amount_usd=0).exists():
                lost.append(column)
            continue
        if getattr(survey, column, None) not in (None, "", 0, False, []):
            lost.append(column)
    return [f"{survey.household.survey_id} : {column}" for column in lost]


def _check_rows(table: tabular.Table, round: SurveyRound, progress: Callable[[int], None]) -> list:
    """Each row read and checked: (line, row, (fields, answers)) or (line, row, the problems by column)."""
    places: dict[str, Place | None] = {}
    seen: set[tuple[int, str]] = set()
    checked: list = []
    total, step = len(table), max(1, len(table) // 50)
    for n, (line, row) in enumerate(table, start=1):
        try:
            fields, answers = parse_row(row, places, round)
            key = (fields["place"].pk, fields["survey_id"].lower())
            if key in seen:
                raise ValidationError({"household_id": [_("This household appears twice in the file.")]})
            seen.add(key)
        except ValidationError as exc:
            checked.append((line, row, exc.message_dict))
        else:
            checked.append((line, row, (fields, answers)))
        if n % step == 0:
            progress(80 * n // total)  # reading and checking is most of the work; writing the rest
    return checked


def _import(
    *, actor: Actor, round: SurveyRound, checked: list, filename: str, batch: ImportBatch | None
) -> ImportBatch:
    if batch is None:
        batch = ImportBatch.objects.create(
            organisation=actor.organisation, round=round, filename=filename[:255], imported_by=actor.user
        )
    batch.created = batch.updated = batch.quarantined = 0
    batch.blanked = []
    touched: list[Household] = []
    for line, row, result in checked:
        if isinstance(result, dict):
            QuarantinedRow.objects.create(batch=batch, line=line, content=row, errors=result)
            batch.quarantined += 1
            continue
        fields, answers = result
        household = Household.objects.filter(
            organisation=actor.organisation, place=fields["place"], survey_id__iexact=fields["survey_id"]
        ).first()
        if household is None:
            household = Household.objects.create(
                organisation=actor.organisation,
                place_path=fields["place"].path,
                territory=fields["place"].territory,
                **fields,
            )
            audit.record_create(actor=actor, obj=household, note=f"import {batch.uuid}")
            batch.created += 1
        else:
            batch.blanked += _blanked(
                row, Survey.objects.filter(household=household, round=round).first(), answers
            )
            before = audit.snapshot(household)
            for name in ("head_name", "size"):
                setattr(household, name, fields[name])
            for name in ("contact_phone", "latitude", "longitude"):
                if fields[name] not in (None, ""):
                    setattr(household, name, fields[name])
            household.save()
            audit.record_update(actor=actor, obj=household, before=before, note=f"import {batch.uuid}")
            batch.updated += 1
        reindex_names(household)
        survey, created = save_survey(household, round, answers)
        if created:
            audit.record_create(actor=actor, obj=survey, note=f"import {batch.uuid}")
        touched.append(household)
    batch.save(update_fields=["created", "updated", "quarantined"])
    totals.refresh(organisation_id=actor.organisation.pk, round_id=round.pk)
    figures.refresh(organisation_id=actor.organisation.pk)
    version = index.current_version()
    for household in touched:
        scores.score_household(household, version)
    audit.record(
        actor=actor,
        action="create",
        target=batch,
        changes={"created": batch.created, "updated": batch.updated, "quarantined": batch.quarantined},
        note=f"round {round.code}",
    )
    return batch


def template_csv() -> str:
    """An empty file with the documented header in French, for enumerators (read back by the import)."""
    return spreadsheets.csv_text([[FRENCH_HEADERS[c] for c in COLUMNS]])
