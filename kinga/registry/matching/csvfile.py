"""The evaluation entry point on files: a CSV of records in, candidate pairs with scores out."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from kinga.core import clock, spreadsheets, tabular

from .frame import Frame, FrameBuilder
from .normalise import make_record, read_birth_date
from .pipeline import REVIEW_THRESHOLD, find_pairs

COLUMNS = ("id", "given_name", "family_name", "sex", "birth_date", "age", "place", "caregiver")


@dataclass
class ReadResult:
    """What a file gave: its records as a frame being built (never as rows: a million-row file stays a few
    hundred megabytes), the rows not read and the values kept as unknown."""

    records: FrameBuilder = field(default_factory=FrameBuilder)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason): row not read
    # (line number, what): row read, one value kept as unknown or damaged (a date that is no calendar date)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    def frame(self) -> Frame:
        return self.records.build()


def read_records(lines: Iterable[str], *, reference_year: int | None = None) -> ReadResult:
    """`read_file` of CSV text already decoded."""
    return read_file("".join(lines).encode("utf-8"), reference_year=reference_year)


def read_file(content: bytes, *, filename: str = "", reference_year: int | None = None) -> ReadResult:
    """The records of a file's bytes, read through kinga.core.tabular (UTF-8 with or without BOM, Latin-1,
    comma or semicolon, missing-value tokens) one row at a time; every unusable row is reported (French) with
    its line number and skipped. ValidationError ({"file": [...]}, French) for a file that is not a CSV table."""
    stream = tabular.stream_bytes(content, lower_header=True)
    result = ReadResult()
    if "id" not in stream.columns:
        result.errors.append((1, "l'en-tête n'a pas de colonne « id »"))
        return result
    seen: set[str] = set()
    year = reference_year or clock.today().year
    width = len(stream.columns)
    for line, row, ragged in stream.rows:
        if ragged:
            result.errors.append((line, f"nombre de champs différent de l'en-tête ({width})"))
            continue
        values = {name: row.get(name, "") for name in COLUMNS}
        rid = values["id"]
        if not rid:
            result.errors.append((line, "id vide"))
            continue
        if rid in seen:
            result.errors.append((line, f"id « {rid} » en double"))
            continue
        sex = values["sex"]
        if sex and sex.upper() not in ("M", "F"):
            result.errors.append((line, "le sexe doit être M, F ou vide"))
            continue
        birth_date, age = values["birth_date"], values["age"]
        if read_birth_date(birth_date)[3]:
            # Kept, not dropped: its readable parts are still compared (a typo must not hide a duplicate).
            result.warnings.append(
                (
                    line,
                    f"date de naissance « {birth_date[:20]} » abîmée : ses parties lisibles sont comparées",
                )
            )
        if age and not _is_age(age):
            result.warnings.append((line, f"âge « {age[:10]} » illisible : ignoré"))
            age = ""
        record = make_record(
            rid,
            given_name=values["given_name"],
            family_name=values["family_name"],
            sex=sex,
            birth_date=birth_date,
            age=age,
            place=values["place"],
            caregiver=values["caregiver"],
            reference_year=year,
        )
        seen.add(rid)
        result.records.add(record)
    return result


def _is_age(text: str) -> bool:
    try:
        return 0 <= float(text.replace(",", ".")) < 120
    except ValueError:
        return False


def match_rows(frame: Frame, *, threshold: float = REVIEW_THRESHOLD) -> list[tuple[str, str, float]]:
    # A file is a registry never seen: its own errors are learnt from its own pairs.
    result = find_pairs(frame, threshold=threshold, learnt=True)
    rows = []
    for a, b, score in zip(result.a.tolist(), result.b.tolist(), result.score.tolist(), strict=True):
        ida, idb = str(frame.ids[a]), str(frame.ids[b])
        if idb < ida:
            ida, idb = idb, ida
        rows.append((ida, idb, min(max(score, 0.0), 1.0)))
    rows.sort()
    return rows


def write_pairs(rows: list[tuple[str, str, float]], out: io.TextIOBase) -> None:
    writer = spreadsheets.CsvWriter(out, lineterminator="\n")
    writer.writerow(["id_a", "id_b", "score"])
    for ida, idb, score in rows:
        writer.writerow([ida, idb, f"{score:.4f}"])
