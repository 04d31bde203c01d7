"""Who may decide a gate step or record a board's decision: predicates in accounts/rules.py,
asked the same by views and templates (has_perm with the object) and by the services."""

import re
from pathlib import Path

import pytest

from accounts.rules import may_decide_review_step, may_record_board_decision
from portfolio.models import Stage
from tests.governance.conftest import submit

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_a_board_step_is_decided_by_its_members_and_the_pmo_never_the_team(world, make_programme):
    programme = make_programme(stage=Stage.DELIVER, category="B")
    review = submit(programme, world.manager)  # closure: Delivery Board only
    assert review.deciding_board == world.delivery
    for user, may in [
        (world.board, True),
        (world.pmo, True),
        (world.manager, False),
        (world.sro, False),
        (world.viewer, False),
    ]:
        assert may_decide_review_step(user, review) is may, user
        assert user.has_perm("governance.decide_gate_review_step", review) is may, user


def test_the_sro_step_is_the_programmes_own_sro_only(world, make_programme):
    programme = make_programme(stage=Stage.DEFINE, category="B")
    review = submit(programme, world.manager)  # Gate 2: SRO sign-off first
    assert review.awaits_sro
    assert review.deciding_board is None
    assert world.sro.has_perm("governance.decide_gate_review_step", review)
    assert not world.pmo.has_perm("governance.decide_gate_review_step", review)
    assert not world.board.has_perm("governance.decide_gate_review_step", review)


def test_a_closed_review_has_no_step_to_decide(world, make_programme):
    programme = make_programme(stage=Stage.DELIVER, category="B")
    review = submit(programme, world.manager)
    assert world.pmo.has_perm("governance.decide_gate_review_step", review)
    review.status = "approved"
    assert not world.pmo.has_perm("governance.decide_gate_review_step", review)


def test_a_boards_decision_is_recorded_by_its_members_or_the_pmo(world, make_user):
    assert may_record_board_decision(world.board, world.delivery)
    assert world.pmo.has_perm("governance.record_board_decision", world.delivery)
    assert not world.manager.has_perm("governance.record_board_decision", world.delivery)
    assert not world.outsider_board.has_perm("governance.record_board_decision", world.delivery)


@pytest.mark.parametrize(
    "path", ["governance/services.py", "governance/queries.py", "governance/views.py"]
)
def test_no_role_rule_is_written_outside_accounts_rules(path):
    text = (ROOT / path).read_text()
    assert not re.search(r"groups\.filter\(name=", text), f"{path} checks a role by hand"
    assert "members.filter(pk=" not in text, f"{path} checks board membership by hand"


def test_one_permission_changes_the_logs(world, make_programme):
    """``governance.change_logs`` replaces ``edit_logs`` and ``change_programme_logs``."""
    import rules

    from accounts.rules import PORTFOLIO_LOGS

    assert not rules.perm_exists("governance.edit_logs")
    assert not rules.perm_exists("governance.change_programme_logs")
    own = make_programme()
    other = make_programme(manager=None, sro=None)
    perm = "governance.change_logs"
    assert world.manager.has_perm(perm, own)
    assert not world.manager.has_perm(perm, other)
    assert world.pmo.has_perm(perm, other)
    assert not world.board.has_perm(perm, own)
    # The portfolio-wide register (risks of no programme) is the PMO's.
    assert world.pmo.has_perm(perm, PORTFOLIO_LOGS)
    assert not world.manager.has_perm(perm, PORTFOLIO_LOGS)
    # Without an object (a view's declared policy): the roles that change some log.
    assert world.manager.has_perm(perm)
    assert world.sro.has_perm(perm)
    assert not world.board.has_perm(perm)
    assert not world.viewer.has_perm(perm)
