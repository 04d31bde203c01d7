"""Gate reviews: routing by the gate policy, deciding, refusals that change nothing,
segregation of duties, notifications on commit, and every transition for every role."""

from decimal import Decimal

import pytest
from django.test.utils import CaptureQueriesContext

from governance.models import (
    Action,
    Decision,
    Gate,
    GatePolicy,
    GateReview,
    GateSignOff,
    ReviewStatus,
)
from governance.services import GateError, gate_review_decide, gate_review_submit
from portfolio.models import Programme, Stage
from tests.governance.conftest import approve_until_last, submit, write_document

pytestmark = pytest.mark.django_db


def decide_url(review: GateReview) -> str:
    return f"/gates/{review.pk}/"


def decide(client, review, outcome="approve", step=None, **extra):
    data = {"step": review.current_step if step is None else step, "outcome": outcome,
            "reasons": "Discussed at the board."}  # fmt: skip
    data.update(extra)
    return client.post(decide_url(review), data, follow=True)


# --- routing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gate", "category", "light_touch", "route"),
    [
        (Gate.GATE_1, "", False, ["stb"]),
        (Gate.GATE_1, "A", True, ["stb"]),
        (Gate.GATE_2, "A", False, ["sro", "delivery", "stb"]),
        (Gate.GATE_2, "B", False, ["sro", "delivery"]),
        (Gate.GATE_2, "C", False, ["sro", "delivery"]),
        (Gate.GATE_3, "A", False, ["sro", "delivery", "stb"]),
        (Gate.GATE_3, "B", True, ["sro", "delivery"]),
        (Gate.GATE_3, "C", True, ["sro", "delivery"]),
        (Gate.CLOSURE, "A", False, ["delivery", "stb"]),
        (Gate.CLOSURE, "B", False, ["delivery"]),
        (Gate.CLOSURE, "C", True, ["delivery"]),
    ],
)
def test_gate_policy_routes_by_gate_category_and_light_touch(
    make_programme, gate, category, light_touch, route
):
    programme = make_programme(category=category, light_touch=light_touch)
    assert GatePolicy.objects.route_for(gate, programme) == route


def test_light_touch_programme_goes_from_identify_straight_to_design(world, make_programme):
    programme = make_programme(category="", light_touch=True)
    review = submit(programme, world.manager)
    gate_review_decide(
        review=review, step=0, outcome="approve", reasons="Light touch.", actor=world.board,
        portfolio=world.portfolio, category="C",
    )  # fmt: skip
    programme.refresh_from_db()
    assert programme.stage == Stage.DESIGN
    assert programme.category == "C"


def test_pmo_edits_the_gate_policy_in_the_browser_and_new_reviews_follow_it(
    world, make_programme, client_as
):
    policy = GatePolicy.objects.get(gate=Gate.GATE_2, category="B", light_touch=False)
    client = client_as(world.pmo)
    response = client.post(
        f"/gates/policy/{policy.pk}/", {"sign_off_1": "sro", "sign_off_2": "stb"}, follow=True
    )
    assert "Gate policy for Gate 2, category B updated" in response.content.decode()
    programme = make_programme(stage=Stage.DEFINE, category="B")
    assert submit(programme, world.manager).route == ["sro", "stb"]


def test_only_the_pmo_may_change_the_gate_policy(world, client_as):
    policy = GatePolicy.objects.first()
    for user in (world.manager, world.board, world.viewer):
        assert (
            client_as(user).post(f"/gates/policy/{policy.pk}/", {"sign_off_1": "stb"}).status_code
            == 403
        )


def test_gate_policy_refuses_a_route_naming_a_sign_off_twice(world, client_as):
    policy = GatePolicy.objects.get(gate=Gate.CLOSURE, category="B", light_touch=False)
    response = client_as(world.pmo).post(
        f"/gates/policy/{policy.pk}/", {"sign_off_1": "stb", "sign_off_2": "stb"}
    )
    assert "Each sign-off can appear once in a route." in response.content.decode()
    policy.refresh_from_db()
    assert policy.sign_offs == ["delivery"]


# --- submitting --------------------------------------------------------------------------------


def test_submitting_an_incomplete_document_lists_what_is_missing(world, make_programme, client_as):
    programme = make_programme(category="")
    response = client_as(world.manager).post(f"/programmes/{programme.slug}/submit/", follow=True)
    text = response.content.decode()
    assert "Complete the required sections before submitting" in text
    assert "Strategic case" in text
    assert "Management case" in text
    assert not GateReview.objects.exists()


def test_submitting_freezes_a_numbered_version_and_locks_the_draft(
    world, make_programme, client_as
):
    programme = make_programme(category="")
    write_document(programme, "soc", world.manager)
    response = client_as(world.manager).post(f"/programmes/{programme.slug}/submit/", follow=True)
    review = GateReview.objects.get()
    assert "submitted for Gate 1: Strategic Outline Case" in response.content.decode()
    assert review.version.number == 1
    assert len(review.version.content_hash) == 64
    assert review.version.document.locked
    assert review.current_sign_off == "stb"


# --- deciding: refusals change nothing ---------------------------------------------------------


def _snapshot(programme):
    programme.refresh_from_db()
    return (programme.stage, Decision.objects.count(), GateSignOff.objects.count())


def test_deciding_twice_is_refused_and_changes_nothing(world, make_programme, client_as):
    programme = make_programme(stage=Stage.DELIVER, category="B")
    review = submit(programme, world.manager)
    client = client_as(world.board)
    decide(client, review)
    before = _snapshot(programme)
    assert before[0] == Stage.CLOSED
    response = decide(client, review, step=0)
    assert "already been decided" in response.content.decode()
    assert _snapshot(programme) == before


def test_deciding_out_of_turn_is_refused(world, make_programme, client_as):
    programme = make_programme(stage=Stage.DEFINE, category="B")
    review = submit(programme, world.manager)  # first step: SRO sign-off
    before = _snapshot(programme)
    response = decide(client_as(world.board), review)
    assert "This step is for the SRO sign-off to decide." in response.content.decode()
    assert _snapshot(programme) == before
    response = decide(client_as(world.sro), review, step=1)  # a crafted later step
    assert "already been decided" in response.content.decode()
    assert _snapshot(programme) == before


def test_deciding_a_withdrawn_review_is_refused(world, make_programme, client_as):
    programme = make_programme(stage=Stage.DESIGN, category="B")
    review = submit(programme, world.manager)
    response = client_as(world.manager).post(f"/gates/{review.pk}/withdraw/", follow=True)
    assert "Submission withdrawn" in response.content.decode()
    assert not review.version.document.__class__.objects.get(pk=review.version.document_id).locked
    before = _snapshot(programme)
    response = decide(client_as(world.sro), review)
    assert "This review was withdrawn" in response.content.decode()
    assert _snapshot(programme) == before


def test_withdrawal_is_refused_after_the_first_sign_off(world, make_programme, client_as):
    programme = make_programme(stage=Stage.DESIGN, category="B")
    review = submit(programme, world.manager)
    gate_review_decide(review=review, step=0, outcome="approve", reasons="Ok", actor=world.sro)
    response = client_as(world.manager).post(f"/gates/{review.pk}/withdraw/", follow=True)
    assert "a sign-off has already been recorded" in response.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


def test_a_crafted_stage_post_moves_nothing(world, make_programme, client_as):
    programme = make_programme(stage=Stage.IDENTIFY, category="")
    client = client_as(world.pmo)
    assert client.post(f"/programmes/{programme.slug}/", {"stage": "deliver"}).status_code == 405
    client.post(
        "/programmes/new/",
        {
            "name": "Crafted",
            "description": "An idea",
            "stage": "deliver",
            "manager": world.manager.pk,
        },
    )
    assert Programme.objects.get(name="Crafted").stage == Stage.IDENTIFY
    response = client.post(
        f"/programmes/{programme.slug}/status/",
        {"move": "resume", "board": world.stb.pk, "reasons": "Crafted"},
    )
    assert "cannot be resumed" in response.content.decode()
    programme.refresh_from_db()
    assert programme.stage == Stage.IDENTIFY
    assert not Decision.objects.exists()


def test_gate_1_approval_needs_portfolio_and_category(world, make_programme, client_as):
    programme = make_programme(category="", portfolio=None)
    review = submit(programme, world.manager)
    response = decide(client_as(world.board), review)
    assert "Choose the category STB assigns" in response.content.decode()
    assert _snapshot(programme)[0] == Stage.IDENTIFY


# --- segregation of duties ------------------------------------------------------------------------


def test_the_programmes_own_sro_and_manager_cannot_record_a_boards_decision(
    world, make_programme, client_as
):
    world.stb.members.add(world.sro, world.manager)
    world.delivery.members.add(world.sro, world.manager)
    programme = make_programme(stage=Stage.DEFINE, category="B")
    review = submit(programme, world.manager)
    review = gate_review_decide(
        review=review, step=0, outcome="approve", reasons="Ok", actor=world.sro
    )
    assert review.current_sign_off == "delivery"
    before = _snapshot(programme)
    for user in (world.sro, world.manager):
        with pytest.raises(GateError, match="for the Delivery Board to decide"):
            gate_review_decide(review=review, step=1, outcome="approve", reasons="Mine", actor=user)
    assert _snapshot(programme) == before
    assert review not in GateReview.objects.awaiting_user(world.sro)


def test_the_pmo_cannot_give_the_sros_sign_off(world, make_programme):
    programme = make_programme(stage=Stage.DEFINE, category="B")
    review = submit(programme, world.manager)
    with pytest.raises(GateError, match="SRO sign-off"):
        gate_review_decide(review=review, step=0, outcome="approve", reasons="Ok", actor=world.pmo)


# --- outcomes ----------------------------------------------------------------------------------


def test_conditions_become_actions_with_owner_and_due_date(world, make_programme, client_as):
    programme = make_programme(stage=Stage.DESIGN, category="B")
    review = approve_until_last(submit(programme, world.manager), world)
    decide(
        client_as(world.board), review, outcome="approve_with_conditions",
        condition_1="Confirm the data-sharing agreement", condition_1_owner=world.manager.pk,
        condition_1_due="2026-03-31",
        condition_2="Report benefits baseline", condition_2_owner=world.sro.pk,
        condition_2_due="2026-04-30",
    )  # fmt: skip
    programme.refresh_from_db()
    assert programme.stage == Stage.DELIVER
    decision = Decision.objects.get(gate_review=review, gate_sign_off__step=1)
    actions = list(Action.objects.filter(decision=decision).order_by("due_date"))
    assert [(a.title, a.owner, str(a.due_date)) for a in actions] == [
        ("Confirm the data-sharing agreement", world.manager, "2026-03-31"),
        ("Report benefits baseline", world.sro, "2026-04-30"),
    ]


def test_approve_with_conditions_without_a_condition_is_refused(world, make_programme, client_as):
    programme = make_programme(stage=Stage.DELIVER, category="B")
    review = submit(programme, world.manager)
    response = decide(client_as(world.board), review, outcome="approve_with_conditions")
    assert "Enter at least one condition" in response.content.decode()
    assert _snapshot(programme)[1:] == (0, 0)


def test_defer_returns_the_document_to_draft_with_the_reasons_shown(
    world, make_programme, client_as
):
    programme = make_programme(stage=Stage.DESIGN, category="B")
    review = submit(programme, world.manager)
    client = client_as(world.sro)
    reasons = "The SCIA needs the consultation results."
    client.post(decide_url(review), {"step": 0, "outcome": "defer", "reasons": reasons})
    review.refresh_from_db()
    assert review.status == ReviewStatus.DEFERRED
    page = (
        client_as(world.manager).get(f"/programmes/{programme.slug}/full-brief/").content.decode()
    )
    assert "The SCIA needs the consultation results." in page
    assert "Save section" in page  # editable again
    assert _snapshot(programme)[0] == Stage.DESIGN


def test_reject_stops_the_programme(world, make_programme, client_as):
    programme = make_programme(stage=Stage.DELIVER, category="B")
    review = submit(programme, world.manager)
    decide(client_as(world.board), review, outcome="reject")
    programme.refresh_from_db()
    assert programme.stage == Stage.STOPPED
    assert Decision.objects.get(gate_review=review).summary.startswith(
        "Closure (Closure report v1): reject"
    )


def test_every_decision_records_who_when_which_board_and_version(world, make_programme):
    programme = make_programme(stage=Stage.DEFINE, category="A")
    review = submit(programme, world.manager)
    gate_review_decide(review=review, step=0, outcome="approve", reasons="Signed", actor=world.sro)
    gate_review_decide(review=review, step=1, outcome="approve", reasons="Good", actor=world.board)
    gate_review_decide(
        review=review, step=2, outcome="approve", reasons="Agreed", actor=world.board,
        investment=Decimal("250000"), expected_return=Decimal("1000000"), return_period_years=4,
    )  # fmt: skip
    decisions = list(Decision.objects.filter(gate_review=review).order_by("recorded_at", "pk"))
    assert [d.board for d in decisions] == [None, world.delivery, world.stb]
    assert [d.recorded_by for d in decisions] == [world.sro, world.board, world.board]
    assert all("Initial Programme Brief (Section A) v1" in d.summary for d in decisions)
    assert "agrees the investment and the expected return on investment" in decisions[2].decision
    programme.refresh_from_db()
    assert programme.stage == Stage.DESIGN


# --- notifications --------------------------------------------------------------------------------


def test_notifications_go_to_the_next_approvers_and_the_team_on_commit(
    world, make_programme, mailoutbox, django_capture_on_commit_callbacks
):
    programme = make_programme(stage=Stage.DEFINE, category="B")
    write_document(programme, "initial-brief", world.manager)
    with django_capture_on_commit_callbacks() as callbacks:
        review = gate_review_submit(programme=programme, actor=world.manager)
        assert mailoutbox == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert [m.to for m in mailoutbox] == [[world.sro.email]]
    assert "awaiting your decision" in mailoutbox[0].subject

    with django_capture_on_commit_callbacks(execute=True):
        gate_review_decide(review=review, step=0, outcome="approve", reasons="Ok", actor=world.sro)
    assert mailoutbox[-1].to == [world.board.email]  # the Delivery Board's member
    assert "Delivery Board" in mailoutbox[-1].body

    with django_capture_on_commit_callbacks(execute=True):
        gate_review_decide(
            review=review, step=1, outcome="approve", reasons="Ok", actor=world.board
        )
    decided = mailoutbox[-2:]
    assert sorted(m.to[0] for m in decided) == sorted([world.manager.email, world.sro.email])
    assert all("Gate review decided" in m.subject for m in decided)


def test_no_email_when_the_transaction_rolls_back(
    world, make_programme, mailoutbox, django_capture_on_commit_callbacks
):
    programme = make_programme(category="")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(GateError):
        gate_review_submit(programme=programme, actor=world.manager)  # incomplete
    assert mailoutbox == []


# --- every transition for every role --------------------------------------------------------------

ROLES = ["pmo", "board", "outsider_board", "manager", "sro", "viewer", "scrutiny"]
BOARD_DECIDERS = {"pmo", "board"}
FORBIDDEN = {"manager", "viewer", "scrutiny"}  # no permission to decide at all: 403

GATE_CASES = {
    # name: (programme kwargs, target stage)
    "pass_gate_1": ({"stage": Stage.IDENTIFY, "category": ""}, Stage.DEFINE),
    "pass_gate_1_light_touch": (
        {"stage": Stage.IDENTIFY, "category": "", "light_touch": True}, Stage.DESIGN
    ),
    "pass_gate_2": ({"stage": Stage.DEFINE, "category": "B"}, Stage.DESIGN),
    "pass_gate_3": ({"stage": Stage.DESIGN, "category": "B"}, Stage.DELIVER),
    "close": ({"stage": Stage.DELIVER, "category": "B"}, Stage.CLOSED),
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("transition", list(GATE_CASES))
def test_gate_transition_matrix(world, make_programme, client_as, transition, role):
    kwargs, target = GATE_CASES[transition]
    programme = make_programme(**kwargs)
    review = approve_until_last(submit(programme, world.manager), world)
    start = programme.stage
    extra = {"portfolio": world.portfolio.pk, "category": "B"} if start == Stage.IDENTIFY else {}
    response = decide(client_as(getattr(world, role)), review, **extra)
    programme.refresh_from_db()
    if role in FORBIDDEN or (role == "scrutiny"):
        assert response.status_code == 403
    if role in BOARD_DECIDERS:
        assert programme.stage == target
    else:
        assert programme.stage == start
        assert not Decision.objects.filter(
            gate_review=review, gate_sign_off__step=review.current_step
        ).exists()


@pytest.mark.parametrize("role", ROLES)
def test_sro_sign_off_matrix(world, make_programme, client_as, role):
    programme = make_programme(stage=Stage.DEFINE, category="B")
    review = submit(programme, world.manager)
    decide(client_as(getattr(world, role)), review)
    review.refresh_from_db()
    assert (review.current_step == 1) == (role == "sro")


STATUS_CASES = {
    "pause": (Stage.DELIVER, "", Stage.PAUSED),
    "resume": (Stage.PAUSED, Stage.DESIGN, Stage.DESIGN),
    "stop": (Stage.DEFINE, "", Stage.STOPPED),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("move", list(STATUS_CASES))
def test_pause_resume_stop_matrix(world, make_programme, client_as, move, role):
    stage, before_pause, target = STATUS_CASES[move]
    programme = make_programme(stage=stage, stage_before_pause=before_pause, category="B")
    response = client_as(getattr(world, role)).post(
        f"/programmes/{programme.slug}/status/",
        {"move": move, "board": world.delivery.pk, "reasons": "Board decision."},
    )
    programme.refresh_from_db()
    if role in BOARD_DECIDERS:
        assert response.status_code == 302
        assert programme.stage == target
        assert Decision.objects.get(programme=programme).board == world.delivery
    else:
        assert response.status_code in (200, 403)
        assert programme.stage == stage
        assert not Decision.objects.exists()


# --- pages -------------------------------------------------------------------------------------


def test_board_member_queue_lists_what_awaits_their_board_oldest_first(
    world, make_programme, client_as
):
    first = make_programme(name="Alpha", stage=Stage.DELIVER, category="B")
    second = make_programme(name="Beta", stage=Stage.DELIVER, category="B")
    sro_step = make_programme(name="Gamma", stage=Stage.DEFINE, category="B")
    submit(first, world.manager)
    submit(second, world.manager)
    submit(sro_step, world.manager)
    text = client_as(world.board).get("/gates/").content.decode()
    queue = text.split("Awaiting your decision")[1].split("</table>")[0]
    assert queue.index("Alpha") < queue.index("Beta")
    assert "Gamma" not in queue
    sro_text = client_as(world.sro).get("/gates/").content.decode()
    assert "Gamma" in sro_text.split("Awaiting your decision")[1].split("</table>")[0]
    assert client_as(world.scrutiny).get("/gates/").status_code == 403


def test_awaiting_board_lists_open_reviews_whose_current_step_is_that_board(world, make_programme):
    at_delivery = submit(make_programme(stage=Stage.DELIVER, category="B"), world.manager)
    at_stb = submit(make_programme(stage=Stage.IDENTIFY, category=""), world.manager)
    assert list(GateReview.objects.awaiting_board(world.delivery)) == [at_delivery]
    assert list(GateReview.objects.awaiting_board(world.stb)) == [at_stb]


def test_review_page_shows_the_frozen_document_registers_and_decide_form(
    world, make_programme, client_as
):
    programme = make_programme(stage=Stage.DELIVER, category="B")
    review = submit(programme, world.manager)
    text = client_as(world.board).get(f"/gates/{review.pk}/").content.decode()
    assert "Final sign-off: Written for the gate." in text
    assert "The registers behind it" in text
    assert "Record decision" in text
    viewer_text = client_as(world.viewer).get(f"/gates/{review.pk}/").content.decode()
    assert "Record decision" not in viewer_text
    assert "This step is for the Delivery Board to decide." in viewer_text


def _seed_reviews(world, make_programme, count):
    for _ in range(count):
        programme = make_programme(stage=Stage.DEFINE, category="A")
        review = submit(programme, world.manager)
        gate_review_decide(review=review, step=0, outcome="approve", reasons="Ok", actor=world.sro)


@pytest.mark.parametrize("who", ["pmo", "board", "manager"])
def test_gates_page_query_count_is_constant(
    world, make_programme, client_as, django_assert_max_num_queries, who
):
    from django.db import connection

    client = client_as(getattr(world, who))
    _seed_reviews(world, make_programme, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/gates/").status_code == 200
    _seed_reviews(world, make_programme, 6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/gates/").status_code == 200


def test_gate_policy_page_lists_gates_in_lifecycle_order(world, client_as):
    text = client_as(world.viewer).get("/gates/policy/").content.decode()
    positions = [text.index(label) for label in ("Gate 1:", "Gate 2:", "Gate 3:", "Closure")]
    assert positions == sorted(positions)
    assert "Change" not in text.split("<table")[1]  # only the PMO changes the policy


def test_all_open_reviews_come_a_page_at_a_time_oldest_first(world, make_programme, client_as):
    from governance.queries import PAGE_SIZE

    for i in range(PAGE_SIZE + 2):
        submit(
            make_programme(name=f"Queue {i:02d}", stage=Stage.DELIVER, category="B"), world.manager
        )
    client = client_as(world.pmo)
    first = client.get("/gates/").content.decode().split("All open gate reviews")[1]
    assert "Queue 00" in first
    assert f"Queue {PAGE_SIZE:02d}" not in first
    assert f"Showing 1 to {PAGE_SIZE} of {PAGE_SIZE + 2} open gate reviews." in first
    second = client.get("/gates/?page=2").content.decode().split("All open gate reviews")[1]
    assert f"Queue {PAGE_SIZE + 1:02d}" in second
    assert "Queue 00" not in second
    assert client.get("/gates/?page=999").status_code == 200  # the last page, not an error
