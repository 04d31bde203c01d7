"""core.archive writes the zip container of every XLSX: zipfile (as Excel and openpyxl do)
reads each part back whole, its checksum verified, from an archive written in pieces."""

import io
import os
import zipfile

from core.archive import Archive


def test_the_parts_written_in_pieces_read_back_with_their_checksums():
    sheet = [os.urandom(70_000), b"<row/>" * 50_000, b"", b"end"]
    target = io.BytesIO()
    with Archive(target) as archive:
        with archive.part("xl/worksheets/sheet1.xml") as write:
            for piece in sheet:
                write(piece)
        archive.write("xl/workbook.xml", "<workbook/>")
        archive.write("empty.xml", b"")
    with zipfile.ZipFile(io.BytesIO(target.getvalue())) as read:
        assert read.testzip() is None  # every part's CRC-32 checked
        assert read.namelist() == ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "empty.xml"]
        assert read.read("xl/worksheets/sheet1.xml") == b"".join(sheet)
        assert read.read("xl/workbook.xml") == b"<workbook/>"
        assert read.read("empty.xml") == b""
        info = read.getinfo("xl/worksheets/sheet1.xml")
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.compress_size < info.file_size


def test_the_same_parts_are_the_same_bytes():
    def archived() -> bytes:
        target = io.BytesIO()
        with Archive(target) as archive:
            archive.write("a.xml", b"<a/>" * 1000)
        return target.getvalue()

    assert archived() == archived()


def test_an_archive_left_by_an_error_has_no_directory():
    target = io.BytesIO()
    try:
        with Archive(target) as archive, archive.part("a.xml") as write:
            write(b"<a>")
            raise RuntimeError("the rows could not be read")
    except RuntimeError:
        pass
    assert b"PK\x05\x06" not in target.getvalue()  # no end of central directory
