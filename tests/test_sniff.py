"""What a file holds, before it is parsed: encodings, non-text files, size limits, header rows."""

import gzip
import io
import zipfile

import pytest

from classifier import sniff
from classifier.errors import UserError
from classifier.sniff import decode, find_header, limit, read_text, sniff_delimiter
from classifier.tables import read_table

TEXT = "id\tkommune\tsvar\r\n0301\tOslo\tSpråkpraksis og bedre oppfølging\r\n1103\tBø\tGodkjenning – NOKUT\r\n"


@pytest.mark.parametrize("encoding,bom", [
    ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-32-le", b"\xff\xfe\x00\x00"),
    ("utf-32-be", b"\x00\x00\xfe\xff"), ("utf-8", b"\xef\xbb\xbf"),
])
def test_byte_order_marks_decide_the_encoding(encoding, bom):
    text, found = decode(bom + TEXT.encode(encoding))
    assert text == TEXT
    assert found.startswith(encoding)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised_by_its_nul_bytes(encoding):
    text, found = decode(TEXT.encode(encoding))
    assert (text, found) == (TEXT, encoding)


def test_plain_text_still_decodes_as_before():
    assert decode("Bø;Åsnes".encode()) == ("Bø;Åsnes", "utf-8")
    assert decode("Bø;Åsnes".encode("cp1252")) == ("Bø;Åsnes", "cp1252")


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notes.txt", "hei")
    return buf.getvalue()


@pytest.mark.parametrize("content,what", [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "a PNG image"),
    (None, "a ZIP archive"),
    (gzip.compress(b"id;svar\n1;hei\n"), "a gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "old Excel .xls"),
    (bytes([7, 0, 200, 13, 0, 0, 1, 2, 3, 250] * 300), "binary data"),
])
def test_files_that_are_not_text_are_refused(tmp_path, content, what):
    path = tmp_path / "survey.csv"
    path.write_bytes(zip_bytes() if content is None else content)
    with pytest.raises(UserError, match="Cannot read") as e:
        read_table(path)
    assert what in str(e.value) and "\n" not in str(e.value)


def test_a_few_control_characters_in_real_text_are_fine(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes("id;svar\n1;Praksis\x0b og språk\n2;Bolig\n".encode())
    assert read_text(path)[0].startswith("id;svar")


def test_csv_over_the_size_limit_is_refused_and_the_variable_raises_it(tmp_path, monkeypatch):
    path = tmp_path / "s.csv"
    path.write_text("id;svar\n" + "1;Praksisplasser og språk\n" * 50_000, encoding="utf-8")  # about 1.3 MB
    monkeypatch.setenv("SURVEY_CODER_MAX_FILE_MB", "1")
    with pytest.raises(UserError, match="SURVEY_CODER_MAX_FILE_MB") as e:
        read_table(path)
    assert "more than the 1.0 MB" in str(e.value)
    monkeypatch.setenv("SURVEY_CODER_MAX_FILE_MB", "2")
    assert len(read_table(path).frame) == 50_000


@pytest.mark.parametrize("value", ["lots", "0", "-5"])
def test_a_bad_limit_variable_is_named(monkeypatch, value):
    monkeypatch.setenv("SURVEY_CODER_MAX_XLSX_MB", value)
    with pytest.raises(UserError, match="SURVEY_CODER_MAX_XLSX_MB must be a positive number"):
        limit("MAX_XLSX_MB")


def test_limits_are_module_constants_without_the_variables(monkeypatch):
    for var in sniff.LIMIT_ENV.values():
        monkeypatch.delenv(var, raising=False)
    assert limit("MAX_FILE_MB") == sniff.MAX_FILE_MB and limit("MAX_XLSX_MB") == sniff.MAX_XLSX_MB


def test_delimiter_is_found_below_title_lines():
    text = "Kommuneundersøkelsen 2020\nEksport fra Questback, 01.05.2020\n\nid;kommune;svar\n" + \
           "1;Oslo;Praksis, språk\n2;Bø;Bolig\n"
    assert sniff_delimiter(text) == ";"


TITLES = [("Kommuneundersøkelsen 2020",), ("Eksportert 2020-05-01", None, None), ()]
HEADER = ("id", "kommune", "innbyggere", "svar")
DATA = [(301, "Oslo", 709000, "Praksisplasser"), (1103, "Stavanger", 144000, "Bolig")]


def test_header_below_title_rows_is_found():
    assert find_header([*TITLES, HEADER, *DATA]) == 3
    assert find_header([HEADER, *DATA]) == 0
    assert find_header([(), HEADER, *DATA]) == 1  # a blank first row: the first filled row, as before


@pytest.mark.parametrize("header", [
    ("id", "id", "svar", "svar"),          # not distinct
    ("1", "2", "3", "4"),                  # numbers
    ("id", "kommune", "innbyggere", 2020),  # a number cell
])
def test_a_row_unlike_a_header_is_not_taken_for_one(header):
    assert find_header([*TITLES, header, *DATA]) == 0  # falls back to the first row, as before


def test_a_header_with_no_data_below_is_not_taken():
    assert find_header([*TITLES, HEADER]) == 0


def test_text_data_rows_are_never_mistaken_for_the_header():
    rows = [("id", "svar", "kommune"), ("K-1", "Praksis", "Oslo"), ("K-2", "Bolig", "Bø")]
    assert find_header(rows) == 0
