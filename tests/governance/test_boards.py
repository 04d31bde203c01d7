"""Boards, versioned terms of reference, and the board pack (page and PDF)."""

import datetime as dt
import subprocess

import pytest

from governance import services
from governance.models import ChangeRequest, TermsOfReference
from tests.governance.factories import ActionFactory, RiskFactory

pytestmark = pytest.mark.django_db


def test_terms_of_reference_versions_are_all_kept_with_who_and_when(logs_world, client_as):
    client = client_as(logs_world["people"]["pmo"])
    url = "/boards/delivery-board/terms-of-reference/"
    assert client.post(url, {"text": "Version one text"}).status_code == 302
    assert client.post(url, {"text": "Version two text"}).status_code == 302
    versions = list(TermsOfReference.objects.order_by("version"))
    assert [(v.version, v.text) for v in versions] == [
        (1, "Version one text"),
        (2, "Version two text"),
    ]
    assert versions[1].saved_by == logs_world["people"]["pmo"]
    text = client.get("/boards/delivery-board/").content.decode()
    assert "Version 2, saved by" in text
    assert "Version two text" in text
    assert "Previous versions" in text
    assert "Version one text" in text


def test_saving_the_same_terms_again_makes_no_new_version(logs_world):
    board, pmo = logs_world["boards"]["delivery"], logs_world["people"]["pmo"]
    services.terms_of_reference_save(board=board, text="Same", actor=pmo)
    services.terms_of_reference_save(board=board, text="Same", actor=pmo)
    assert board.terms_of_reference.count() == 1


def test_empty_terms_of_reference_are_refused(logs_world, client_as):
    response = client_as(logs_world["people"]["pmo"]).post(
        "/boards/delivery-board/terms-of-reference/", {"text": ""}
    )
    assert "There is a problem" in response.content.decode()
    assert not TermsOfReference.objects.exists()


def test_pmo_changes_a_boards_chair_and_members(logs_world, client_as):
    people = logs_world["people"]
    response = client_as(people["pmo"]).post(
        "/boards/delivery-board/edit/",
        {"chair": people["board"].pk, "members": [people["board"].pk, people["viewer"].pk],
         "purpose": "Oversees delivery", "next_meeting": "2030-05-01"},
    )  # fmt: skip
    assert response.status_code == 302
    board = logs_world["boards"]["delivery"]
    board.refresh_from_db()
    assert board.chair == people["board"]
    assert set(board.members.all()) == {people["board"], people["viewer"]}


def _pack_content(logs_world):
    past = dt.date.today() - dt.timedelta(days=5)
    RiskFactory(programme=logs_world["programme"], title="Insolvency", escalated=True)
    RiskFactory(programme=logs_world["programme"], title="Quiet risk")
    ActionFactory(programme=logs_world["programme"], title="Late action", due_date=past)
    services.change_request_raise(
        change_request=ChangeRequest(programme=logs_world["programme"], title="Postponement",
                                     kind="time", description="x", time_impact_days=40),
        actor=logs_world["people"]["manager"],
    )  # fmt: skip


def test_board_pack_lists_what_awaits_the_board(logs_world, client_as):
    _pack_content(logs_world)
    text = (
        client_as(logs_world["people"]["pmo"]).get("/boards/delivery-board/pack/").content.decode()
    )
    assert "Gate reviews awaiting the board" in text
    assert "Postponement" in text
    assert "Insolvency" in text
    assert "Quiet risk" not in text
    assert "Late action" in text


def test_a_portfolio_board_pack_shows_only_its_portfolios_escalations(logs_world, client_as):
    from tests.portfolio.factories import ProgrammeFactory

    RiskFactory(programme=logs_world["programme"], title="Inside", escalated=True)
    RiskFactory(programme=ProgrammeFactory(), title="Elsewhere", escalated=True)
    text = (
        client_as(logs_world["people"]["pmo"]).get("/boards/partner-board/pack/").content.decode()
    )
    assert "Inside" in text
    assert "Elsewhere" not in text


def test_board_pack_prints_as_a_pdf_with_the_board_name(logs_world, tmp_path):
    """The printable pack (built in the background by reports, tests/reports/
    test_board_pack_pdf.py); the page itself never prints it inside the request."""
    from governance.packs import board_pack_html, print_pdf

    _pack_content(logs_world)
    content = print_pdf(board_pack_html(logs_world["boards"]["delivery"]))
    assert content.startswith(b"%PDF")
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(content)
    text = subprocess.run(  # noqa: S603 - a fixed command on a file the test wrote
        ["/usr/bin/pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # pdftotext may emit a wrapped table cell's lines apart: look for single words.
    words = set(text.split())
    assert "Delivery Board" in " ".join(text.split())
    assert {"Postponement", "Insolvency"} <= words


def test_board_pack_query_count_does_not_grow_with_rows(
    logs_world, client_as, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(logs_world["people"]["pmo"])
    _pack_content(logs_world)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/boards/delivery-board/pack/").status_code == 200
    for _ in range(10):
        _pack_content(logs_world)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/boards/delivery-board/pack/").status_code == 200
