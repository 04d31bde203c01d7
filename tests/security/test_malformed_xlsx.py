"""Malformed spreadsheets uploaded to both importers (the RAID import and the MTFP targets import):
not a spreadsheet (random bytes, an empty file, a zip that is not a workbook), the wrong sheet,
bad cells, a file over the size limit. Each gets a clear error on the page (never a 500) and
nothing is imported: the database fingerprint, history included, is unchanged."""

import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import User
from benefits.models import MTFPPlan
from portfolio.models import Programme
from tests.security.fingerprint import portfolio_fingerprint

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(sheet: str, rows: list[list[object]]) -> bytes:
    book = Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def not_a_workbook_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "This is a zip, not a workbook.")
    return out.getvalue()


BAD_FILES = {
    "random bytes": os.urandom(4096),
    "an empty file": b"",
    "a zip that is not a workbook": not_a_workbook_zip(),
    "the wrong sheet": workbook("Sheet1", [["Nothing", "to", "see"], [1, 2, 3]]),
    "bad cells": workbook(
        "Risks",
        [
            ["Title", "Likelihood", "Impact", "Financial year", "Target"],
            ["<script>alert(1)</script>", "very", -7, "2019/2O", "lots"],
        ],
    ),
    "over the size limit": b"PK\x03\x04" + os.urandom(5 * 1024 * 1024 + 10),
}


def importers() -> list[tuple[str, str, str, str]]:
    """(importer, URL, file field, username) for both importers."""
    commercial = Programme.objects.select_related("manager").get(slug="commercial")
    plan = MTFPPlan.objects.order_by("pk").first()
    return [
        ("RAID", reverse("governance:raid_import", kwargs={"slug": commercial.slug}), "file",
         commercial.manager.username),
        ("MTFP", reverse("benefits:mtfp_import", kwargs={"slug": plan.slug}), "workbook", "pmo"),
    ]  # fmt: skip


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_malformed_spreadsheet_gets_a_clear_error_and_imports_nothing(demo, kind):
    for importer, url, field, username in importers():
        client = Client()
        client.force_login(User.objects.get(username=username))
        before = portfolio_fingerprint()
        upload = SimpleUploadedFile("upload.xlsx", BAD_FILES[kind], content_type=XLSX)
        response = client.post(url, {field: upload})
        assert response.status_code in (200, 400), f"{importer}, {kind}: {response.status_code}"
        page = response.content.decode()
        assert "govuk-error-summary" in page, f"{importer}, {kind}: no error shown"
        assert "<script>alert(1)</script>" not in page
        assert portfolio_fingerprint() == before, f"{importer}, {kind}: something was imported"
