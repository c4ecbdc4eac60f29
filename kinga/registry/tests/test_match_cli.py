"""`kinga registry match --csv FILE`: the evaluation entry point of the matcher."""

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kinga.registry.synthetic import generate

HEADER = "id,given_name,family_name,sex,birth_date,age,place,caregiver\n"


def run(tmp_path: Path, body: str, *args: str) -> tuple[list[dict], str]:
    path = tmp_path / "records.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("registry", "match", "--csv", str(path), *args, stdout=out, stderr=err)
    text = out.getvalue()
    assert text.splitlines()[0] == "id_a,id_b,score"
    return list(csv.DictReader(io.StringIO(text))), err.getvalue()


def pairs(rows):
    return {(r["id_a"], r["id_b"]) for r in rows}


def test_swapped_names_one_letter_edit_and_year_off_by_one_are_found(tmp_path):
    rows, _ = run(
        tmp_path,
        "a1,Mwamba,Ilunga,M,2012-03-05,,Kolwezi,Kabwe Marie\n"
        "b7,Ilunga,Mwamba,M,2012-03-05,,Kolwezi,Kabwe Marie\n"  # swapped order
        "c3,Jean,Tshibangu,M,2010-01-09,,Kanina,\n"
        "c4,Jean,Tshibamgu,M,2010-01-09,,Kanina,\n"  # one-letter edit
        "d5,Marie,Kabwe,F,2011-02-03,,Likasi,Ngoy Paul\n"
        "d6,Marie,Kabwe,F,2012-02-03,,Likasi,Ngoy Paul\n"  # birth year off by one
        "e1,Paul,Kasongo,M,2009-05-06,,Mutshatsha,\n",
    )
    assert pairs(rows) == {("a1", "b7"), ("c3", "c4"), ("d5", "d6")}
    for row in rows:
        assert 0.5 <= float(row["score"]) <= 1


def test_spelling_variants_and_an_age_instead_of_a_date(tmp_path):
    rows, _ = run(
        tmp_path,
        "1,Jean,Tshibangu,M,2010-01-01,,Kanina,\n2,Jean,Chibangou,M,,15,Village Kanina,\n",
        "--threshold",
        "0.2",
    )
    assert pairs(rows) == {("1", "2")}


def test_different_children_with_one_common_name_are_not_paired(tmp_path):
    rows, _ = run(
        tmp_path,
        "1,Jean,Ilunga,M,2010-01-01,,Kolwezi,\n"
        "2,Marie,Ilunga,F,2014-07-12,,Kanina,\n"
        "3,Jean,Kabwe,M,2008-11-30,,Likasi,\n",
        "--threshold",
        "0.05",
    )
    assert rows == []


def test_empty_fields_are_allowed_and_ids_are_ordered_as_strings(tmp_path):
    rows, err = run(
        tmp_path,
        "9,Grâce,Kalenga,,,,,\n10,Grace,Kalenga,,,,,\n11,,,,,,,\n",
        "--threshold",
        "0.01",
    )
    assert pairs(rows) == {("10", "9")}  # "10" < "9" as strings
    assert "ligne ignorée" not in err


def test_bad_rows_are_reported_with_their_line_number_and_skipped(tmp_path):
    rows, err = run(
        tmp_path,
        "1,Jean,Ilunga,M,2010-01-01,,Kolwezi,\n"
        "2,Jean,Ilunga,M,2010-13-45,,Kolwezi,\n"  # line 3: impossible date, kept as damaged
        ",Paul,Kasongo,M,,,,\n"  # line 4: no id
        "4,Paul,Kasongo,X,,,,\n"  # line 5: sex
        "5,Paul,Kasongo,M,,douze,,\n"  # line 6: age unreadable, ignored
        "6,too,few\n"  # line 7
        "1,Jean,Ilunga,M,2010-01-01,,Kolwezi,\n"  # line 8: duplicate id
        "7,Jean,Ilunga,M,2010-01-01,,Kolwezi,\n",
    )
    for line in (3, 4, 5, 6, 7, 8):
        assert f":{line}: " in err
    assert ":2: " not in err and ":9: " not in err
    assert ":3: date de naissance « 2010-13-45 » abîmée" in err and "ligne lue" in err
    assert ":6: âge « douze » illisible" in err
    # The damaged date's year is still compared: the record stays a duplicate of the other two.
    assert pairs(rows) == {("1", "2"), ("1", "7"), ("2", "7")}


def test_a_date_that_is_no_calendar_date_does_not_hide_a_duplicate(tmp_path):
    """30 February, a French date, a time after the date: each row is read, none is dropped (issue 17)."""
    rows, err = run(
        tmp_path,
        "a,Esther,Kapwasa,F,2014-02-30,,Kanina,Odile Ngoie\n"
        "b,Esther,Kapwasa,F,28/02/2014,,Kanina,Odile Ngoie\n"
        "c,Esther,Kapwasa,F,2014-02-28 00:00:00,,Kanina,Odile Ngoie\n"
        "d,Paul,Kasongo,M,inconnue,,Likasi,\n",
    )
    assert pairs(rows) == {("a", "b"), ("a", "c"), ("b", "c")}
    assert "ligne ignorée" not in err
    assert ":2: date de naissance « 2014-02-30 » abîmée" in err
    assert ":5: date de naissance « inconnue » abîmée" in err


@pytest.mark.parametrize("others", [6, 12_000, pytest.param(100_000, marks=pytest.mark.slow)])
def test_a_ten_year_typo_with_identical_names_is_found_whatever_the_files_size(tmp_path, others):
    """The pair's fate must not depend on the number of unrelated records: 8 records are compared
    exhaustively, 12,002 and 100,002 go through the blocks (issue 17)."""
    lines = [
        f"o{r.id},{r.given_name},{r.family_name},{r.sex},{r.birth_date or ''},,{r.place},{r.caregiver}\n"
        for r in generate(others, seed=5)[:others]
    ]
    rows, _ = run(
        tmp_path,
        "".join(lines)
        + "p1,Esther,Kapwasa,F,2012-03-05,,Kanina,Odile Ngoie\n"
        + "p2,Esther,Kapwasa,F,2021-03-05,,Kanina,Odile Ngoie\n",
    )
    assert ("p1", "p2") in pairs(rows)


def test_help_names_the_columns_the_date_formats_and_the_output():
    out = subprocess.run(
        [sys.executable, "-m", "kinga.manage", "registry", "match", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for column in ("given_name", "family_name", "sex", "birth_date", "age", "place", "caregiver"):
        assert column in out
    assert "AAAA-MM-JJ" in out and "JJ/MM/AAAA" in out and "id_a,id_b,score" in out


def test_threshold_and_output_file(tmp_path):
    body = "1,Jean,Ilunga,M,2010-01-01,,Kolwezi,\n2,Jean,Ilunga,M,2010-01-01,,Kolwezi,\n"
    out = tmp_path / "pairs.csv"
    (tmp_path / "r.csv").write_text(HEADER + body, encoding="utf-8")
    call_command("registry", "match", "--csv", str(tmp_path / "r.csv"), "-o", str(out), stderr=io.StringIO())
    assert out.read_text().splitlines()[0] == "id_a,id_b,score"
    assert out.read_text().splitlines()[1].startswith("1,2,")
    rows, _ = run(tmp_path, body, "--threshold", "1")
    assert len(rows) <= 1
    with pytest.raises(CommandError):
        call_command("registry", "match", "--csv", str(out), "--threshold", "2")


def test_columns_in_any_order_and_missing_optional_columns(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("family_name,id,given_name\nIlunga,1,Mwamba\nMwamba,2,Ilunga\n", encoding="utf-8")
    out = io.StringIO()
    call_command(
        "registry", "match", "--csv", str(path), "--threshold", "0.1", stdout=out, stderr=io.StringIO()
    )
    assert out.getvalue().splitlines()[1].startswith("1,2,")


def test_no_usable_row_fails(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(HEADER + ",Jean,,,,,,\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("registry", "match", "--csv", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    path.write_text("", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("registry", "match", "--csv", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command("registry", "match", "--csv", str(tmp_path / "absent.csv"), stderr=io.StringIO())


def test_exit_status_of_the_command_line(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "1,Jean,Ilunga,M,2010-01-01,,,\nbad row\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "bad row\n", encoding="utf-8")
    kinga = Path(sys.executable).with_name("kinga")
    ok = subprocess.run([kinga, "registry", "match", "--csv", good], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines() == ["id_a,id_b,score"]
    assert "good.csv:3:" in ok.stderr
    failed = subprocess.run([kinga, "registry", "match", "--csv", bad], capture_output=True, text=True)
    assert failed.returncode != 0
    assert "bad.csv:2:" in failed.stderr


@pytest.mark.parametrize(
    ("encoding", "delimiter", "newline"),
    [("utf-8-sig", ",", "\n"), ("cp1252", ";", "\r\n"), ("latin-1", ";", "\n")],
    ids=["utf8-bom", "cp1252-semicolon-crlf", "latin1-semicolon"],
)
def test_encodings_delimiters_and_missing_value_tokens(tmp_path, encoding, delimiter, newline):
    rows = [
        HEADER.strip(),
        "1,Grâce,Kalenga,F,2012-03-05,NA,Kolwezi,N/A",
        "2,Grâce,Kalenga,F,2012-03-05,-,Kolwezi,NA",
        "3,Désiré,Mbuyu,M,NA,No data,Likasi,",
    ]
    path = tmp_path / "records.csv"
    path.write_bytes(
        newline.join(r.replace(",", delimiter) for r in rows).encode(encoding) + newline.encode()
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("registry", "match", "--csv", str(path), "--threshold", "0.5", stdout=out, stderr=err)
    assert pairs(csv.DictReader(io.StringIO(out.getvalue()))) == {("1", "2")}
    assert "ligne ignorée" not in err.getvalue()  # NA is no date and no age: missing, not an error
    assert "3 fiche(s) lue(s)" in err.getvalue()


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"PK\x03\x04\x14\x00workbook", b""],
    ids=["binary", "zip", "empty"],
)
def test_a_file_that_is_not_a_csv_ends_in_a_french_error(tmp_path, content):
    path = tmp_path / "records.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError) as err:
        call_command("registry", "match", "--csv", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    message = str(err.value)
    assert message.startswith(str(path)) and "Traceback" not in message
    assert any(word in message for word in ("binaires", "classeur", "vide")), message


def test_standard_input(tmp_path, monkeypatch):
    body = HEADER + "1,Jean,Ilunga,M,2010-01-01,,Kolwezi,\n2,Jean,Ilunga,M,2010-01-01,,Kolwezi,\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(body.encode("utf-8-sig"))))
    out = io.StringIO()
    call_command("registry", "match", "--csv", "-", stdout=out, stderr=io.StringIO())
    assert out.getvalue().splitlines()[1].startswith("1,2,")
