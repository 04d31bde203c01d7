"""What the boards agree at the gates (seeds, "Governance Flow – Fictional example"): Gate 1 and
Gate 2 guardrails (versioned), the Gate 2 investment and expected return as the baseline beside
the computed ROI and payback, and the one-slide programme summary (PowerPoint and PDF)."""

import io
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from pptx import Presentation

from benefits.models import BenefitProfile, OneOffCost
from governance.models import AgreedInvestment, Decision, Guardrails
from governance.services import GateError, gate_review_decide
from portfolio.models import Stage
from tests.benefits.factories import BenefitFactory
from tests.governance.conftest import submit
from tests.portfolio.factories import MilestoneFactory

pytestmark = pytest.mark.django_db
D = Decimal


def _run(*command) -> str:
    return subprocess.run(  # noqa: S603 - a fixed command on a file the test wrote
        [str(part) for part in command], capture_output=True, text=True, check=True
    ).stdout


def _decide(review, actor, **extra):
    return gate_review_decide(
        review=review, step=review.current_step, outcome="approve", reasons="Agreed.",
        actor=actor, **extra,
    )  # fmt: skip


@pytest.fixture
def income(world, make_programme):
    programme = make_programme(slug="income", name="Income generation", category="", portfolio=None)
    review = submit(programme, world.manager)
    _decide(review, world.board, portfolio=world.portfolio, category="A",
            guardrails="No new borrowing.")  # fmt: skip
    programme.refresh_from_db()
    return programme


def _to_gate_2_stb(programme, world):
    review = submit(programme, world.manager)
    review = _decide(review, world.sro)
    return _decide(review, world.board)  # the Delivery Board; STB is next


def test_gate_1_guardrails_are_version_1_set_at_gate_1(world, income, client_as):
    version = Guardrails.objects.get(programme=income)
    assert (version.version, version.gate, version.text) == (1, "gate_1", "No new borrowing.")
    page = client_as(world.viewer).get("/programmes/income/").content.decode()
    assert "No new borrowing." in page
    assert "Version 1, set at Gate 1" in page


def test_stb_agrees_investment_return_and_new_guardrails_at_gate_2(world, income, client_as):
    review = _to_gate_2_stb(income, world)
    assert review.current_sign_off == "stb"
    page = client_as(world.board).get(f"/gates/{review.pk}/").content.decode()
    assert "The board agrees at Gate 2" in page
    assert "STB defines the guardrails and agrees the investment and expected RoI" in page
    response = client_as(world.board).post(
        f"/gates/{review.pk}/",
        {"step": review.current_step, "outcome": "approve", "reasons": "A good case.",
         "guardrails": "No new borrowing; income reinvested.", "investment": "£250,000",
         "expected_return": "1000000", "return_period_years": "4"},
    )  # fmt: skip
    assert response.status_code == 302
    agreed = AgreedInvestment.objects.get(programme=income)
    assert (agreed.investment, agreed.expected_return, agreed.return_period_years) == (
        D("250000"), D("1000000"), 4,
    )  # fmt: skip
    assert list(Guardrails.objects.filter(programme=income).values_list("version", "gate")) == [
        (2, "gate_2"),
        (1, "gate_1"),
    ]
    decision = Decision.objects.get(gate_review=review, board=world.stb)
    assert "an investment of £250,000 and an expected return of £1,000,000 over 4 years" in (
        decision.decision
    )
    income.refresh_from_db()
    assert income.stage == Stage.DESIGN
    programme_page = client_as(world.viewer).get("/programmes/income/").content.decode()
    assert "Version 2, set at Gate 2" in programme_page
    assert "1 earlier version" in programme_page


def test_gate_2_approval_without_the_figures_is_refused(world, income, client_as):
    review = _to_gate_2_stb(income, world)
    response = client_as(world.board).post(
        f"/gates/{review.pk}/",
        {"step": review.current_step, "outcome": "approve", "reasons": "Fine."},
    )
    text = response.content.decode()
    assert "Enter the investment the board agrees" in text
    assert "Enter over how many years the return is expected" in text
    with pytest.raises(GateError, match="agrees the investment"):
        _decide(review, world.board)
    assert not AgreedInvestment.objects.exists()


def test_review_page_shows_computed_roi_and_payback_beside_the_agreed_figures(
    world, income, client_as
):
    review = _to_gate_2_stb(income, world)
    page = client_as(world.viewer).get(f"/gates/{review.pk}/").content.decode()
    assert "No investment is recorded, so there is no return to show." in page
    OneOffCost.objects.create(programme=income, financial_year=2024, budget=D("100000"))
    benefit = BenefitFactory(programme=income, type="income")
    BenefitProfile.objects.create(benefit=benefit, financial_year=2025, planned=D("150000"))
    _decide(review, world.board, investment=D("100000"), expected_return=D("150000"),
            return_period_years=2)  # fmt: skip
    page = client_as(world.viewer).get(f"/gates/{review.pk}/").content.decode()
    assert "Agreed investment" in page
    assert "£150,000 over 2 years" in page
    assert "£50,000 (50% of the investment)" in page
    assert "Payback period" in page


def test_the_summary_slide_is_a_pptx_with_the_briefs_text(world, income, client_as):
    review = _to_gate_2_stb(income, world)
    response = client_as(world.viewer).get(f"/gates/{review.pk}/summary.pptx")
    assert response.status_code == 200
    assert "income-generation-summary.pptx" in response["Content-Disposition"]
    deck = Presentation(io.BytesIO(response.content))
    assert len(deck.slides) == 1
    text = "\n".join(
        shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame
    )
    assert "Income generation" in text
    assert "Gate 2: Initial Programme Brief" in text
    assert "Written for the gate." in text  # the brief's sections
    assert "Guardrails: No new borrowing." in text
    assert "Return on investment: No investment recorded" in text


def test_the_summary_slide_pdf_renders_one_page(world, income, client_as, tmp_path):
    review = _to_gate_2_stb(income, world)
    response = client_as(world.viewer).get(f"/gates/{review.pk}/summary.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "slide.pdf"
    path.write_bytes(response.content)
    assert "Pages:           1" in _run("/usr/bin/pdfinfo", path)
    assert "Income generation" in _run("/usr/bin/pdftotext", path, "-")


def test_the_summary_pdf_prints_the_programmes_plan_on_a_second_page(
    world, income, client_as, tmp_path
):
    MilestoneFactory(programme=income, title="Fees and charges review agreed",
                     baseline_date=date(2026, 5, 1), due_date=date(2026, 7, 1))  # fmt: skip
    MilestoneFactory(programme=income, title="New charging live",
                     baseline_date=date(2026, 12, 1), due_date=date(2026, 12, 1))  # fmt: skip
    review = _to_gate_2_stb(income, world)
    response = client_as(world.viewer).get(f"/gates/{review.pk}/summary.pdf")
    path = tmp_path / "slide.pdf"
    path.write_bytes(response.content)
    assert "Pages:           2" in _run("/usr/bin/pdfinfo", path)
    text = _run("/usr/bin/pdftotext", path, "-")
    assert "Income generation: plan" in text
    assert "Fees and charges review agreed" in text
    assert "2026/27" in text  # the timeline's years, over its quarters
    assert "Q3" in text


def test_the_board_pack_shows_agreed_and_computed_figures_and_includes_the_slide(
    world, income, client_as, tmp_path
):
    review = _to_gate_2_stb(income, world)
    page = client_as(world.board).get("/boards/stb/pack/").content.decode()
    assert "Computed ROI and payback" in page
    assert "No investment recorded" in page
    assert f"/gates/{review.pk}/summary.pptx" in page
    from governance.models import Board
    from governance.packs import board_pack_html, print_pdf

    pdf = print_pdf(board_pack_html(Board.objects.get(slug="stb")))
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    assert "programme summary for Gate 2" in _run("/usr/bin/pdftotext", path, "-")


def test_an_unknown_slide_format_is_404(world, income, client_as):
    review = _to_gate_2_stb(income, world)
    assert client_as(world.viewer).get(f"/gates/{review.pk}/summary.docx").status_code == 404


def test_the_full_brief_starts_from_the_approved_initial_brief_marked_carried_over(
    world, income, client_as
):
    review = _to_gate_2_stb(income, world)
    _decide(review, world.board, investment=D("1"), expected_return=D("2"), return_period_years=1)
    income.refresh_from_db()
    assert income.stage == Stage.DESIGN
    page = client_as(world.manager).get("/programmes/income/full-brief/").content.decode()
    assert "Carried over" in page
    assert "from Initial Programme Brief (Section A) v1, as approved" in page
    assert "Strategic case: Written for the gate." in page
