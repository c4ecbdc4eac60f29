"""The evaluation entry point on files: a CSV of records in, candidate pairs with scores out."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from kinga.core import clock, spreadsheets

from .frame import Frame
from .normalise import Record, make_record
from .pipeline import REVIEW_THRESHOLD, find_pairs

COLUMNS = ("id", "given_name", "family_name", "sex", "birth_date", "age", "place", "caregiver")


@dataclass
class ReadResult:
    records: list[Record] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


def read_records(lines: Iterable[str], *, reference_year: int | None = None) -> ReadResult:
    """Read the CSV; every unreadable row is reported with its line number and skipped."""
    result = ReadResult()
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        result.errors.append((1, "empty file: a header row is required"))
        return result
    except csv.Error as exc:
        result.errors.append((reader.line_num, f"unreadable header: {exc}"))
        return result
    names = [h.strip().lstrip("\ufeff").lower() for h in header]
    if "id" not in names:
        result.errors.append((1, "the header has no 'id' column"))
        return result
    index = {name: names.index(name) for name in COLUMNS if name in names}
    seen: set[str] = set()
    year = reference_year or clock.today().year
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.errors.append((reader.line_num, f"unreadable row: {exc}"))
            continue
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            result.errors.append((line, f"expected {len(names)} fields, found {len(row)}"))
            continue
        values = {name: row[i].strip() for name, i in index.items()}
        rid = values.get("id", "")
        if not rid:
            result.errors.append((line, "empty id"))
            continue
        if rid in seen:
            result.errors.append((line, f"duplicate id {rid!r}"))
            continue
        sex = values.get("sex", "")
        if sex and sex.upper() not in ("M", "F"):
            result.errors.append((line, "sex must be M, F or empty"))
            continue
        try:
            record = make_record(
                rid,
                given_name=values.get("given_name", ""),
                family_name=values.get("family_name", ""),
                sex=sex,
                birth_date=values.get("birth_date", ""),
                age=values.get("age", ""),
                place=values.get("place", ""),
                caregiver=values.get("caregiver", ""),
                reference_year=year,
            )
        except ValueError:
            result.errors.append((line, "birth_date must be YYYY-MM-DD and age a number of years"))
            continue
        seen.add(rid)
        result.records.append(record)
    return result


def match_rows(records: list[Record], *, threshold: float = REVIEW_THRESHOLD) -> list[tuple[str, str, float]]:
    frame = Frame.from_records(records)
    result = find_pairs(frame, threshold=threshold)
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
