"""Benefits held to their baseline, and tracked after closure until the PMO confirms them
(issue 21): Gate 3 locks the planned profile as the baseline; only a change request moves it;
after closure the owner marks each benefit realised (with evidence) or not (with a reason) and
the PMO confirms; the portfolio's benefits realisation view, paged."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benefits.models import Benefit, BenefitProfile, BenefitStatus
from benefits.services import ProfileRow, benefit_profile_save, benefit_realisation_claim
from benefits.views import REALISATION_PROGRAMMES
from governance.models import ChangeRequest
from governance.services import change_request_decide, gate_review_decide
from portfolio.models import Programme, Stage
from tests.benefits.factories import BenefitFactory, BenefitProfileFactory
from tests.governance.conftest import approve_until_last, submit

pytestmark = pytest.mark.django_db
D = Decimal


def through_gate_3(world, make_programme):
    programme = make_programme(stage=Stage.DESIGN, category="B", slug="income")
    benefit = BenefitFactory(programme=programme, title="Fees income", owner=world.board)
    BenefitProfileFactory(benefit=benefit, financial_year=2024, planned=D("80000"),
                          forecast=D("80000"))  # fmt: skip
    BenefitProfileFactory(benefit=benefit, financial_year=2025, planned=D("120000"),
                          forecast=D("100000"))  # fmt: skip
    review = approve_until_last(submit(programme, world.manager), world)
    gate_review_decide(review=review, step=review.current_step, outcome="approve",
                       reasons="Fine.", actor=world.board)  # fmt: skip
    programme.refresh_from_db()
    assert programme.stage == Stage.DELIVER
    return programme, benefit


def baselines(benefit) -> dict[int, Decimal | None]:
    return dict(
        BenefitProfile.objects.filter(benefit=benefit).values_list("financial_year", "baseline")
    )


def test_gate_3_locks_the_planned_profile_as_the_baseline(world, make_programme):
    _programme, benefit = through_gate_3(world, make_programme)
    assert baselines(benefit) == {2024: D("80000"), 2025: D("120000")}
    assert Benefit.objects.get(pk=benefit.pk).baselined_at is not None
    # The history names who approved the gate.
    assert benefit.profile.first().history.first().history_user == world.board


def test_only_a_change_request_moves_the_baseline(world, make_programme, client_as):
    programme, benefit = through_gate_3(world, make_programme)
    rows = [ProfileRow(2024, D("90000"), D("90000"), D("0"))]
    with pytest.raises(Exception, match="raise a change request"):
        benefit_profile_save(benefit=benefit, rows=rows, actor=world.manager)
    response = client_as(world.manager).post(
        "/programmes/income/change-requests/add/",
        {"title": "Fees rise later", "kind": "benefits", "description": "Tariff delayed.",
         "cost_impact": "0", "time_impact_days": "0", "benefits_impact": "-30000",
         "baseline": "benefit", "benefit": benefit.pk, "financial_year": "2025/26",
         "new_amount": "90000"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    change = ChangeRequest.objects.get()
    change_request_decide(change_request=change, approve=True, reasons="Agreed.",
                          actor=change.routed_to.members.first())  # fmt: skip
    assert baselines(benefit) == {2024: D("80000"), 2025: D("90000")}
    # After closure the owner may re-plan, but the baseline stays as agreed.
    from portfolio.models import Programme

    Programme.objects.filter(pk=programme.pk).update(stage=Stage.CLOSED)
    benefit.refresh_from_db()
    benefit_profile_save(benefit=benefit, actor=world.board,
                         rows=[ProfileRow(2025, D("50000"), D("50000"), D("10000"))])  # fmt: skip
    assert baselines(benefit) == {2024: D("80000"), 2025: D("90000")}


def test_after_closure_a_benefit_stays_on_its_owners_list_until_the_pmo_confirms(
    world, make_programme, client_as
):
    programme = make_programme(stage=Stage.CLOSED, slug="closed")
    benefit = BenefitFactory(programme=programme, owner=world.board, title="Fees income")
    url = f"/programmes/closed/benefits/{benefit.pk}/"

    def owner():
        return client_as(world.board)  # one test client: sign in as whom each request is for

    def pmo():
        return client_as(world.pmo)

    assert "Fees income" in owner().get("/benefits/mine/").content.decode()
    # Not realised needs its reason: nothing saved without it.
    response = owner().post(f"{url}realised/", {"claim": "not_realised", "note": " "})
    assert "Give the evidence or the reason" in response.content.decode()
    assert Benefit.objects.get(pk=benefit.pk).realisation_claim == ""
    owner().post(f"{url}realised/", {"claim": "not_realised", "note": "Service outsourced."})
    mine = owner().get("/benefits/mine/").content.decode()
    assert "Not realised: awaiting the PMO&#x27;s confirmation" in mine
    # Only the PMO confirms; a return needs a reason.
    assert owner().post(f"{url}realised/confirm/", {"decision": "confirm"}).status_code == 403
    refused = pmo().post(f"{url}realised/confirm/", {"decision": "return"})
    assert "Give the reason for returning it to the owner" in refused.content.decode()
    pmo().post(f"{url}realised/confirm/", {"decision": "return", "reason": "Which contract?"})
    benefit.refresh_from_db()
    assert (benefit.realisation_claim, benefit.realisation_confirmed_at) == ("", None)
    assert "Returned by the PMO: Which contract?" in benefit.realisation_note
    owner().post(f"{url}realised/", {"claim": "realised", "note": "Outturn 2024/25, line 12."})
    assert Benefit.objects.get(pk=benefit.pk).realisation_claimed_by == world.board
    response = pmo().post(f"{url}realised/confirm/", {"decision": "confirm"}, follow=True)
    assert "“Fees income” is confirmed." in response.content.decode()
    benefit.refresh_from_db()
    assert benefit.status == BenefitStatus.REALISED
    assert benefit.realisation_confirmed_by == world.pmo
    mine = owner().get("/benefits/mine/").content.decode()
    assert "Fees income" not in mine
    assert "1 benefit you own is confirmed" in mine


def test_the_realisation_view_shows_baseline_forecast_actual_and_what_is_owed(
    world, make_programme, client_as
):
    closed = make_programme(stage=Stage.CLOSED, name="Closed one", portfolio=world.portfolio)
    owed = BenefitFactory(programme=closed, title="Owed benefit", owner=world.board)
    BenefitProfileFactory(benefit=owed, planned=D("100000"), baseline=D("100000"),
                          forecast=D("70000"), actual=D("40000"))  # fmt: skip
    Benefit.objects.filter(pk=owed.pk).update(baselined_at="2024-01-01T00:00Z")
    done = BenefitFactory(programme=closed, title="Done benefit", owner=world.board)
    benefit_realisation_claim(benefit=done, claim="realised", note="x", actor=world.board)
    from benefits.services import benefit_realisation_confirm

    benefit_realisation_confirm(benefit=done, confirm=True, actor=world.pmo)
    viewer = client_as(world.viewer)
    text = viewer.get("/benefits/realisation/").content.decode()
    assert "£100,000" in text and "£70,000" in text and "£40,000" in text  # noqa: PT018
    assert "Owed after closure" in text
    assert "Realised (confirmed by the PMO)" in text
    owed_only = viewer.get("/benefits/realisation/?owed=on").content.decode()
    assert "Owed benefit" in owed_only
    assert "Done benefit" not in owed_only
    assert client_as(world.scrutiny).get("/benefits/realisation/").status_code == 403


def test_the_realisation_view_is_paged_by_programme_in_constant_queries(
    world, make_programme, client_as
):
    """A page and the count for its links read programmes, not every benefit: the same queries
    and the same rows on a page however many programmes and benefits there are."""
    viewer = client_as(world.viewer)
    existing = Programme.objects.count()

    def grow(n, start):
        for i in range(start, start + n):
            programme = make_programme(stage=Stage.CLOSED, name=f"Realiser {i:03d}")
            for title in ("Alpha", "Beta"):
                BenefitProfileFactory(benefit=BenefitFactory(programme=programme, title=title))

    grow(REALISATION_PROGRAMMES + 1, 0)
    viewer.get("/benefits/realisation/")
    with CaptureQueriesContext(connection) as few:
        viewer.get("/benefits/realisation/")
    grow(3 * REALISATION_PROGRAMMES, REALISATION_PROGRAMMES + 1)
    viewer.get("/benefits/realisation/")  # the navigation's counts, cached again
    with CaptureQueriesContext(connection) as many:
        text = viewer.get("/benefits/realisation/").content.decode()
    assert len(few.captured_queries) == len(many.captured_queries), "\n".join(
        q["sql"][:150] for q in many.captured_queries
    )
    programmes = existing + 4 * REALISATION_PROGRAMMES + 1
    assert f"{programmes} programmes; showing programmes 1 to {REALISATION_PROGRAMMES}" in text
    owed = viewer.get("/benefits/realisation/?owed=on").content.decode()
    assert f"{4 * REALISATION_PROGRAMMES + 1} closed programmes with benefits still owed" in owed


def test_every_page_of_the_realisation_view_together_lists_every_benefit_in_order(
    world, make_programme, client_as
):
    """Each benefit on exactly one page, by portfolio, programme name and title; a programme
    with no benefits says so; the summary's figures are those of every benefit and profile."""
    viewer = client_as(world.viewer)
    for i in range(2 * REALISATION_PROGRAMMES + 1):
        programme = make_programme(name=f"Realiser {i:03d}")
        for title in ("Beta", "Alpha"):
            benefit = BenefitFactory(programme=programme, title=f"{title} {i:03d}")
            BenefitProfileFactory(benefit=benefit, planned=D(1000 + i), forecast=D(900 + i),
                                  baseline=D(800 + i), actual=D(i))  # fmt: skip
    make_programme(name="Realiser 000a")
    pages = []
    number = 1
    while True:
        response = viewer.get(f"/benefits/realisation/?page={number}")
        pages.append(response.content.decode())
        if f'aria-label="Page {number + 1}"' not in pages[-1]:
            break
        number += 1
    assert "No benefits recorded" in "".join(pages)
    order = ("programme__portfolio__position", "programme__name", "title", "pk")
    expected = list(Benefit.objects.order_by(*order).values_list("pk", "title"))
    found = []
    for n, text in enumerate(pages):
        for pk, title in expected:
            if f"/benefits/{pk}/" in text:
                found.append((n, text.index(f"/benefits/{pk}/"), pk, title))
    assert [(pk, title) for *_, pk, title in sorted(found)] == expected
    profiles = BenefitProfile.objects.exclude(benefit__type="non_financial")
    summary = pages[0]
    for column in ("baseline", "planned", "forecast", "actual"):
        total = sum((getattr(p, column) or D(0) for p in profiles), D(0))
        assert f"£{total:,.0f}" in summary, column


def test_the_realisation_totals_are_kept_until_a_save_and_summed_afresh_after_it(
    world, make_programme, client_as
):
    """The totals read every benefit and profile, so they are cached (core.caching) until
    anything is saved: a second request does not sum again; an edit shows at once."""
    programme = make_programme(name="Kept totals")
    benefit = BenefitFactory(programme=programme, title="Fees")
    BenefitProfileFactory(benefit=benefit, financial_year=2025, planned=D(1000), forecast=D(1000),
                          actual=D(0))  # fmt: skip
    viewer = client_as(world.viewer)

    def totals_queries() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as captured:
            text = viewer.get("/benefits/realisation/").content.decode()
        totals = 'SUM("benefits_benefitprofile"."planned")'  # the sum over every profile
        return text, sum(totals in q["sql"] for q in captured.captured_queries)

    first, summed = totals_queries()
    assert summed == 1
    assert "£1,000" in first
    again, summed = totals_queries()
    assert summed == 0
    assert again.count("£1,000") == first.count("£1,000")
    benefit_profile_save(benefit=benefit, actor=world.manager,
                         rows=[ProfileRow(2025, D(4000), D(4000), D(0))])  # fmt: skip
    after, summed = totals_queries()
    assert summed == 1
    assert "£4,000" in after
