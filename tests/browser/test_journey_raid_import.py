"""A manager uploads a large RAID spreadsheet: it is checked in the background (eager here),
the page following its progress, then says how many risks were imported."""

import io

from openpyxl import Workbook
from playwright.sync_api import expect

from governance import views as governance_views
from governance.imports import HEADERS
from governance.models import ImportStatus, RaidImport, Risk
from portfolio.models import Programme
from tests.browser.conftest import axe_violations, screenshot, sign_in
from tests.governance.test_import_export import row


def _spreadsheet(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Risks"
    sheet.append(HEADERS)
    for i in range(rows):
        sheet.append(row(Title=f"Imported risk {i}"))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_manager_imports_a_large_raid_file_in_the_background(demo_site, new_page, monkeypatch):
    monkeypatch.setattr(governance_views, "BACKGROUND_BYTES", 0)  # every file counts as large
    programme = Programme.objects.filter(manager__username="manager").order_by("name").first()
    before = Risk.objects.filter(programme=programme).count()
    page = new_page()
    sign_in(page, demo_site.url, "manager")
    page.goto(f"{demo_site.url}/programmes/{programme.slug}/raid/import/")
    page.get_by_label("Upload a RAID spreadsheet (.xlsx)").set_input_files(
        {"name": "raid.xlsx", "mimeType": "application/octet-stream", "buffer": _spreadsheet(3)}
    )
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", name="Importing risks from raid.xlsx")).to_be_visible()
    expect(page.get_by_role("heading", name="3 risks imported")).to_be_visible()
    assert Risk.objects.filter(programme=programme).count() == before + 3
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "raid-import-imported")

    # While a worker is still checking, the page shows how far it has got and polls.
    running = RaidImport.objects.create(
        programme=programme, filename="big.xlsx", status=ImportStatus.CHECKING, progress=55,
        requested_by=programme.manager,
    )  # fmt: skip
    page.goto(f"{demo_site.url}/programmes/{programme.slug}/raid/import/{running.pk}/")
    expect(page.get_by_text("Checking the rows: 55% done")).to_be_visible()
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "raid-import-running")
    failed = ["Row 7, column Title: enter the risk's title."]
    RaidImport.objects.filter(pk=running.pk).update(
        status=ImportStatus.FAILED, progress=100, errors=failed
    )
    expect(page.get_by_text("Row 7, column Title: enter the risk's title.")).to_be_visible(
        timeout=10_000
    )  # the poll brought the outcome without a reload
    assert page.console_errors == []
    screenshot(page, "raid-import-failed")
