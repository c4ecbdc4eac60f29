"""Reading the tables people bring to Kinga (CSV written by R, Excel, LibreOffice, pandas, Kobo; XLSX workbooks)
and the safety rules every file import follows.

One reading layer for every import, so that a file is read the same way everywhere:
- the encoding is detected (UTF-8, UTF-8 with BOM, UTF-16 with BOM, else cp1252/Latin-1 for a real CSV); a
  binary or undecodable file is refused with a French message, never a traceback;
- an XLSX workbook is recognised by its content (a ZIP), not by its name;
- the delimiter is the one of the header row (comma, semicolon, tab or bar);
- rows are split by the csv reader only: a line separator inside a quoted field (U+2028, CR, LF) stays in it;
- missing-value tokens (empty, NA, N/A, #N/A, No data, -, NaN, NULL) read as missing (""), so no import ever
  stores "NA" as a value;
- R's row-names column (an unnamed first column) and pandas' index ("Unnamed: 0") are ignored; columns are found
  by name, so reordered and extra columns are accepted;
- logicals are read in every spelling (TRUE/FALSE, True, 1/0, oui/non, yes/no, VRAI/FAUX...);
- bidirectional control characters are removed from every cell (kinga.core.text);
- the apostrophe a formula-safe export puts before = + - @ is removed (Kinga's exports import back unchanged).

The safety rule (`refuse_if_unsafe`): an import whose rejected rows pass a threshold, or that would blank values
already recorded, writes nothing and says why, unless the person accepts it after a dry run showed the changes.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import load_workbook

from kinga.core.text import strip_bidi

MISSING_TOKENS = frozenset(
    {"", "na", "n/a", "#n/a", "n.a.", "nan", "null", "no data", "-", "--", "—", "<na>", "#na"}
)
TRUE_TOKENS = frozenset({"1", "1.0", "true", "t", "yes", "y", "oui", "o", "vrai", "x"})
FALSE_TOKENS = frozenset({"0", "0.0", "false", "f", "no", "n", "non", "faux"})
DELIMITERS = (",", ";", "\t", "|")
# Share of rejected rows above which an import writes nothing (unless accepted after a dry run).
DEFAULT_REJECTION_THRESHOLD = 0.05
# Bytes that never occur in a text file (NUL and the C0 controls other than tab, LF, FF, CR and ESC).
_BINARY_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_NEUTRALISED = "=+-@\t\r"
_ROW_NAME_HEADERS = frozenset({"unnamed: 0", "row.names"})


def is_missing(value: object) -> bool:
    """True for None and every missing-value token."""
    return value is None or (isinstance(value, str) and value.strip().casefold() in MISSING_TOKENS)


def clean(value: object) -> str:
    """The text of a cell, stripped; "" when missing. The apostrophe that a spreadsheet-safe export puts before
    a cell starting with = + - @ (OWASP's rule against formula injection) is removed: Kinga's own exports read
    back as they were entered."""
    # the common case, read faster: ASCII holds no bidi control and casefolds as it lowers
    if type(value) is str and value.isascii():
        text = value.strip()
        if text.lower() in MISSING_TOKENS:
            return ""
        return text[1:] if len(text) > 1 and text[0] == "'" and text[1] in _NEUTRALISED else text
    if is_missing(value):
        return ""
    text = strip_bidi(str(value)).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in _NEUTRALISED:
        return text[1:]
    return text


def parse_bool(value: object) -> bool | None:
    """A logical in any spelling; None when missing. Raises ValueError for text that is not a logical."""
    if isinstance(value, bool):
        return value
    text = clean(value).casefold()
    if not text:
        return None
    if text in TRUE_TOKENS:
        return True
    if text in FALSE_TOKENS:
        return False
    raise ValueError(text)


def file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


@dataclass
class Table:
    """The rows of a file as {column: text} (missing values as ""), with the file's header and how it was read."""

    columns: list[str]
    rows: list[dict[str, str]]
    encoding: str
    delimiter: str = ""
    # sha256 of the file's bytes (the audit trail names the file read).
    digest: str = ""
    # The number of each row in the file as a person sees it (header = 1), for messages about a row.
    lines: list[int] = field(default_factory=list)
    # Lines of the CSV whose number of fields is not the header's (a broken row; such a row is read padded
    # with missing values or cut): an import that must not guess refuses them.
    ragged: set[int] = field(default_factory=set)

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return iter(zip(self.lines, self.rows, strict=True))

    def __len__(self) -> int:
        return len(self.rows)

    def require(self, required: Iterable[str]) -> None:
        missing = [c for c in required if c not in self.columns]
        if missing:
            raise file_error(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})


def read_path(path: str | Path, **options) -> Table:
    """`read_bytes` of a file on disk (FileNotFoundError passes through: the caller names the file)."""
    path = Path(path)
    if path.is_dir():
        raise file_error(_("“%(name)s” is a folder, not a file.") % {"name": path.name})
    return read_bytes(path.read_bytes(), filename=path.name, **options)


def read_bytes(
    content: bytes,
    *,
    filename: str = "",
    allow_xlsx: bool = False,
    lower_header: bool = False,
    max_rows: int | None = None,
) -> Table:
    """The table in `content`: a CSV in any usual encoding and delimiter, or (if `allow_xlsx`) an XLSX workbook's
    first sheet. Raises ValidationError({"file": [...]}) in French for anything that is not such a table."""
    if not content.strip():
        raise file_error(_("The file is empty."))
    if content.startswith(b"PK\x03\x04") and zipfile.is_zipfile(io.BytesIO(content)):
        if not allow_xlsx:
            raise file_error(
                _("This file is a workbook (XLSX or another ZIP file), not a CSV: save it as CSV (UTF-8).")
            )
        columns, raw_rows = _xlsx_rows(content)
        encoding, delimiter = "xlsx", ""
    else:
        text, encoding = decode(content)
        delimiter = _delimiter(text)
        columns, raw_rows = _csv_rows(io.StringIO(text, newline=""), delimiter)
    table = _table(columns, raw_rows, encoding, delimiter, lower_header=lower_header, max_rows=max_rows)
    table.digest = hashlib.sha256(content).hexdigest()
    return table


@dataclass
class Stream:
    """A CSV's header and its rows read one at a time (`stream_bytes`): what a Table holds, without the rows
    in memory. Each row comes as (line, {column: text}, ragged)."""

    columns: list[str]
    rows: Iterator[tuple[int, dict[str, str], bool]]
    encoding: str
    delimiter: str
    digest: str


def stream_bytes(content: bytes, *, lower_header: bool = False) -> Stream:
    """`read_bytes` of a CSV (not a workbook) for files too large to hold as rows: the text is decoded as it is
    read (never whole in memory) and the rows are yielded one at a time, cleaned and checked as read_bytes
    does. Raises the same ValidationError for a file that is not such a table (a broken row: while reading)."""
    if not content.strip():
        raise file_error(_("The file is empty."))
    if content.startswith(b"PK\x03\x04") and zipfile.is_zipfile(io.BytesIO(content)):
        raise file_error(
            _("This file is a workbook (XLSX or another ZIP file), not a CSV: save it as CSV (UTF-8).")
        )
    text, encoding = decode(content)
    delimiter = _delimiter(text[:65536])
    del text  # the whole text would be a second copy of the file (four bytes a character in a StringIO)
    stream = io.TextIOWrapper(
        io.BytesIO(content), encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline=""
    )
    header, raw_rows = _csv_rows(stream, delimiter)
    names, keep, columns = _header(header, lower_header=lower_header)
    return Stream(
        columns=columns,
        rows=_clean_rows(names, keep, raw_rows, encoding),
        encoding=encoding,
        delimiter=delimiter,
        digest=hashlib.sha256(content).hexdigest(),
    )


def decode(content: bytes) -> tuple[str, str]:
    """(text, encoding) of a text file; ValidationError for a binary or undecodable one."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if content.startswith(bom):
            try:
                return content.decode(encoding), encoding
            except UnicodeDecodeError:
                raise file_error(
                    _("The file cannot be decoded as %(encoding)s.") % {"encoding": encoding}
                ) from None
    sample = content[:65536]
    if any(b in sample for b in _BINARY_BYTES):
        raise file_error(
            _("This file is not a text table (CSV): it holds binary data. Export the table as CSV or XLSX.")
        )
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Windows saves "CSV" in cp1252; its undefined bytes (0x81, 0x8D...) mean Latin-1.
        return content.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return content.decode("latin-1"), "latin-1"


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(stream: io.TextIOBase, delimiter: str) -> tuple[list[str], Iterator[tuple[int, list]]]:
    # newline="" (the stream's): the csv reader alone decides where a row ends, so a U+2028 or a CR inside quotes
    # stays in its field.
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise file_error(_("The file cannot be read as CSV: %(error)s.") % {"error": exc}) from None
    if header is None:
        raise file_error(_("The file is empty."))

    def rows() -> Iterator[tuple[int, list]]:
        try:
            start = reader.line_num + 1
            for values in reader:
                yield start, values
                start = reader.line_num + 1
        except csv.Error as exc:
            raise file_error(
                _("The file cannot be read as CSV (line %(line)d): %(error)s.")
                % {"line": reader.line_num, "error": exc}
            ) from None

    return header, rows()


def _xlsx_rows(content: bytes) -> tuple[list[str], Iterator[tuple[int, list]]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_xlsx_text(v) for v in next(rows, ())]
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise file_error(_("This file is not a readable XLSX workbook.")) from exc

    def values() -> Iterator[tuple[int, list]]:
        try:
            for line, row in enumerate(rows, start=2):
                yield line, [_xlsx_text(v) for v in row]
        except Exception as exc:
            raise file_error(_("This file is not a readable XLSX workbook.")) from exc

    return header, values()


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _header(header: list[str], *, lower_header: bool) -> tuple[list[str], list[int], list[str]]:
    """(every header cell's name, the positions of the columns kept, their names)."""
    names = [(h or "").strip().lstrip("\ufeff").strip() for h in header]
    if lower_header:
        names = [n.lower() for n in names]
    # R's write.csv and pandas' to_csv write the row names / index as a first column without a name.
    keep = [i for i, n in enumerate(names) if n and not (i == 0 and n.lower() in _ROW_NAME_HEADERS)]
    if not keep:
        raise file_error(_("The first row must hold the column names."))
    seen: set[str] = set()
    for i in keep:
        if names[i] in seen:
            raise file_error(_("The column “%(name)s” appears twice.") % {"name": names[i][:60]})
        seen.add(names[i])
    return names, keep, [names[i] for i in keep]


def _clean_rows(
    names: list[str], keep: list[int], raw_rows: Iterator[tuple[int, list]], encoding: str
) -> Iterator[tuple[int, dict[str, str], bool]]:
    """(line, {column: clean text}, ragged) of every row that is not blank."""
    for line, values in raw_rows:
        row = {names[i]: clean(values[i]) if i < len(values) else "" for i in keep}
        if not any(row.values()):
            continue
        yield line, row, len(values) != len(names) and encoding != "xlsx"


def _table(
    header: list[str],
    raw_rows: Iterator[tuple[int, list]],
    encoding: str,
    delimiter: str,
    *,
    lower_header: bool,
    max_rows: int | None,
) -> Table:
    names, keep, columns = _header(header, lower_header=lower_header)
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    ragged: set[int] = set()
    for line, row, broken in _clean_rows(names, keep, raw_rows, encoding):
        if broken:
            ragged.add(line)
        if max_rows is not None and len(rows) >= max_rows:
            raise file_error(_("Too many rows (more than %(n)d): split the file.") % {"n": max_rows})
        rows.append(row)
        lines.append(line)
    return Table(
        columns=columns, rows=rows, encoding=encoding, delimiter=delimiter, lines=lines, ragged=ragged
    )


class ImportRefused(ValidationError):
    """An import that would have corrupted good data: nothing was written. `summary` says what it would have
    done, in French."""

    def __init__(self, message: str, *, summary: str = "") -> None:
        super().__init__({"file": [message]})
        self.summary = summary


def refuse_if_unsafe(
    *,
    rows: int,
    rejected: int,
    blanked: list[str],
    accept: bool,
    threshold: float = DEFAULT_REJECTION_THRESHOLD,
    summary: str = "",
) -> None:
    """Raise ImportRefused when more than `threshold` of the rows were rejected or values already recorded
    would be blanked, unless the person accepted it (`accept`, after a dry run showed what would change)."""
    if accept:
        return
    reasons = []
    if rows and rejected / rows > threshold:
        reasons.append(
            _("%(rejected)d of %(rows)d rows rejected (%(share).0f %%, above the %(limit).0f %% threshold)")
            % {"rejected": rejected, "rows": rows, "share": 100 * rejected / rows, "limit": 100 * threshold}
        )
    if blanked:
        examples = "; ".join(blanked[:5])
        reasons.append(
            ngettext(
                "%(n)d value already recorded would be blanked (%(examples)s)",
                "%(n)d values already recorded would be blanked (%(examples)s)",
                len(blanked),
            )
            % {"n": len(blanked), "examples": examples}
        )
    if reasons:
        raise ImportRefused(
            _(
                "Nothing was imported: %(reasons)s. Check the file; to import it anyway, first run a dry run "
                "(--dry-run, or the dry-run box) to see what would change, then confirm (--accept-rejections, or "
                "the box to import anyway)."
            )
            % {"reasons": "; ".join(reasons)},
            summary=summary,
        )
