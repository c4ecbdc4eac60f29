"""`tabular.stream_bytes`: the rows of a CSV one at a time, read exactly as `read_bytes` reads them (large files
of the registry's matcher are never held as rows)."""

import pytest
from django.core.exceptions import ValidationError

from kinga.core import tabular

TEXT = (
    "\ufeffId;Given_Name;Note\r\n"
    '1;Émilie;"two\nlines"\r\n'
    "2;NA;'=SUM(A1)\r\n"
    ";;\r\n"  # a blank row is skipped
    "3;Jean\u2028Pierre;\u202eflip\r\n"
    "4;Zoé\r\n"  # a field short: ragged
)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16"])
def test_a_stream_reads_the_rows_as_the_table_does(encoding):
    text = (
        TEXT if encoding != "cp1252" else TEXT.replace("\u2028", " ").replace("\u202e", "").lstrip("\ufeff")
    )
    content = text.encode(encoding)
    table = tabular.read_bytes(content, lower_header=True)
    stream = tabular.stream_bytes(content, lower_header=True)
    assert stream.columns == table.columns == ["id", "given_name", "note"]
    assert (stream.encoding, stream.delimiter, stream.digest) == (
        table.encoding,
        table.delimiter,
        table.digest,
    )
    rows = list(stream.rows)
    assert [(line, row) for line, row, _ragged in rows] == list(table)
    assert {line for line, _row, ragged in rows if ragged} == table.ragged == {7}
    assert rows[1][1] == {"id": "2", "given_name": "", "note": "=SUM(A1)"}


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 not really a zip", b"\x00\x01\x02binary"])
def test_what_is_not_a_csv_is_refused_as_read_bytes_refuses_it(content):
    with pytest.raises(ValidationError) as expected:
        tabular.read_bytes(content)
    with pytest.raises(ValidationError) as streamed:
        stream = tabular.stream_bytes(content)
        list(stream.rows)
    assert streamed.value.messages == expected.value.messages
