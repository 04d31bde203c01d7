"""Workbooks altered part by part, for the tests of the bounded spreadsheet reader and of the
importers that use it."""

from __future__ import annotations

import io
import zipfile


def with_part(base: bytes, name: str, content: bytes) -> bytes:
    """The workbook ``base`` with one part replaced (or added)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info.filename))
        target.writestr(name, content)
    return out.getvalue()
