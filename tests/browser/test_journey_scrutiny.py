"""Journey 4: the scrutiny member signs in to the quarterly reports page, where the demo's
published Q3 2019/20 review waits, and is refused everything else, by menu (nothing offered) and
by URL (the 403 page); the PMO publishes the Q4 2019/20 draft and scrutiny downloads it."""

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot, sign_in

REFUSED = [
    "/dashboard/",
    "/programmes/",
    "/programmes/commercial/",
    "/programmes/commercial/raid/",
    "/gates/",
    "/gates/policy/",
    "/raid/",
    "/mtfp/",
    "/boards/",
    "/boards/delivery-board/pack/",
    "/actions/mine/",
]


def test_scrutiny_member_reads_reports_and_is_refused_everything_else(demo_site, new_page):
    page = new_page()
    sign_in(page, demo_site.url, "scrutiny")
    expect(page.get_by_role("heading", name="Quarterly reports")).to_be_visible()
    # On the first visit there is a report to download: the seed's Q3 2019/20 review.
    expect(page.get_by_role("link", name="PDF of Q3 2019/20")).to_be_visible()
    menu = page.get_by_role("navigation", name="Menu")
    for name in ["Dashboard", "Programmes", "Gates", "MTFP", "RAID log", "Boards"]:
        expect(menu.get_by_role("link", name=name, exact=True)).to_have_count(0)
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "journey-scrutiny-reports")

    for url in REFUSED:
        response = page.goto(f"{demo_site.url}{url}")
        assert response.status == 403, url
        expect(
            page.get_by_role("heading", name="You do not have permission to see this page")
        ).to_be_visible()
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "forbidden-403")


def test_pmo_publishes_the_quarterly_report_and_scrutiny_downloads_the_pdf(
    demo_site, new_page, tmp_path
):
    """Journey 4: the PMO generates and publishes Q4 2019/20 in the browser; the scrutiny member
    signs in and downloads the published PDF, whose text carries the seeds' figures."""
    import subprocess

    pmo = new_page()
    sign_in(pmo, demo_site.url, "pmo")
    pmo.get_by_role("link", name="Reports", exact=True).click()
    pmo.get_by_role("link", name="Q4 2019/20 — January to March 2020").click()
    pmo.get_by_role("button", name="Generate the PDF and workbook").click()
    publish = pmo.get_by_role("button", name="Publish version 1 to the committee")
    publish.wait_for(timeout=120_000)
    publish.click()
    expect(pmo.get_by_role("link", name="Download the report (PDF)")).to_be_visible()

    scrutiny = new_page()
    sign_in(scrutiny, demo_site.url, "scrutiny")
    expect(scrutiny.get_by_role("heading", name="Quarterly reports")).to_be_visible()
    screenshot(scrutiny, "journey-scrutiny-published")
    assert axe_violations(scrutiny, demo_site.url) == []
    with scrutiny.expect_download() as download_info:
        scrutiny.get_by_role("link", name="PDF of Q4 2019/20").click()
    pdf = tmp_path / "report.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    raw = subprocess.run(  # noqa: S603 - a fixed command on our own download
        ["pdftotext", str(pdf), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = " ".join(raw.split())  # table cells wrap across lines
    assert "£17.9m" in text
    assert "£7.9m" in text
    assert "Value for money" in text
    assert "Organisational Change and Service Design" in text
