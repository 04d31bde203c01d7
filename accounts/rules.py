"""Who may do what: every role and object-level predicate, and every permission, in one place.

Views, templates ({% has_perm %}) and tests all ask ``user.has_perm(name, obj)``; the names
are registered here. Object-level permissions on a programme's documents, registers and gates
take the programme itself as the object.
"""

from typing import Any, cast

import rules
from rules import Predicate

from .roles import Role


def _in_role(role: Role) -> Predicate:
    """Membership of the role's group. ``rules.is_group_member`` returns a ``Predicate`` (so
    ``|``, ``&`` and ``~`` combine it) but is annotated as returning a plain callable."""
    return cast(Predicate, rules.is_group_member(role.group_name))


is_pmo = _in_role(Role.PMO)
has_manager_role = _in_role(Role.PROGRAMME_MANAGER)
has_sro_role = _in_role(Role.SRO)
is_board_member = _in_role(Role.BOARD_MEMBER)
is_scrutiny_member = _in_role(Role.SCRUTINY_MEMBER)
is_viewer = _in_role(Role.VIEWER)

# Anyone on the staff side of the portfolio may read it; scrutiny members may not.
is_portfolio_reader = is_pmo | has_manager_role | has_sro_role | is_board_member | is_viewer


@rules.predicate
def is_programme_manager(user, programme) -> bool:
    return programme is not None and programme.manager_id == user.pk


@rules.predicate
def is_programme_sro(user, programme) -> bool:
    return programme is not None and programme.sro_id == user.pk


is_programme_team = is_programme_manager | is_programme_sro

# --- duties: whom a person-picker may offer, and whom a service accepts ------------------------
# Each duty lists the roles whose holders may be given it. Scrutiny members ("published reports,
# nothing else") and people with no role hold none. ``people_for`` (accounts.queries) gives the
# queryset a form offers; ``may_hold`` is what the services check.
STAFF_ROLES = (Role.PMO, Role.PROGRAMME_MANAGER, Role.SRO, Role.BOARD_MEMBER, Role.VIEWER)
DUTY_ROLES: dict[str, tuple[Role, ...]] = {
    "programme_manager": (Role.PMO, Role.PROGRAMME_MANAGER),
    "sro": (Role.SRO,),
    "board_chair": STAFF_ROLES,
    "board_member": STAFF_ROLES,
    "owner": STAFF_ROLES,  # of a benefit, risk, assumption, issue, dependency; action assignee
}


def may_hold(user: Any, duty: str) -> bool:
    """Whether ``user`` may be given ``duty`` (a key of DUTY_ROLES): active, with a role for it."""
    if user is None or not user.is_active:
        return False
    names = {role.group_name for role in DUTY_ROLES[duty]}
    return user.groups.filter(name__in=names).exists()


@rules.predicate
def may_own_benefits(user) -> bool:
    return user.is_authenticated and may_hold(user, "owner")


# --- accounts / portfolio -----------------------------------------------------------------------
rules.add_perm("portfolio.view_portfolio", is_portfolio_reader)
rules.add_perm("portfolio.view_programme", is_portfolio_reader)
rules.add_perm("portfolio.add_programme", is_pmo)
rules.add_perm("portfolio.change_programme", is_pmo | is_programme_team)
# The programme's settings page: the PMO changes everything (people, portfolio, category, board);
# the programme's SRO changes its description and lead directorate.
rules.add_perm("portfolio.change_programme_settings", is_pmo | is_programme_sro)
rules.add_perm("portfolio.administer_programme", is_pmo)

# --- people and roles: the PMO's -----------------------------------------------------------------
rules.add_perm("accounts.view_people", is_pmo)
rules.add_perm("accounts.change_people", is_pmo)

# --- lifecycle and gates ------------------------------------------------------------------------
# Documents, submissions and decisions take the PROGRAMME as the object. Whether a draft is
# locked, and which step of a review a board may decide, is checked by the services, which
# give the user a message naming the reason.
rules.add_perm("portfolio.view_document", is_portfolio_reader)
rules.add_perm("portfolio.change_document", is_pmo | is_programme_team)
# The PMO's independent assurance rating beside the manager's self-assessment (issue 21).
rules.add_perm("portfolio.record_assurance_rating", is_pmo)
rules.add_perm("governance.view_gates", is_portfolio_reader)
rules.add_perm("governance.submit_gate_review", is_pmo | is_programme_team)
rules.add_perm("governance.withdraw_gate_review", is_pmo | is_programme_team)
rules.add_perm("governance.decide_gate_review", is_pmo | is_board_member | is_programme_sro)
rules.add_perm("governance.change_gate_policy", is_pmo)


@rules.predicate
def may_decide_review_step(user, review) -> bool:
    """Segregation of duties on a gate REVIEW's current step: the SRO signs off their own
    programme; boards decide the rest, never the programme's own SRO or manager; the PMO may
    decide any board's step."""
    if review is None or not review.is_open:
        return False
    programme = review.programme
    if review.awaits_sro:
        return programme.sro_id == user.pk
    if user.pk in (programme.sro_id, programme.manager_id):
        return False
    if is_pmo(user):
        return True
    board = review.deciding_board
    return board is not None and board.members.filter(pk=user.pk).exists()


@rules.predicate
def is_board_member_of(user, board) -> bool:
    return board is not None and board.members.filter(pk=user.pk).exists()


# A pause, resume or stop is recorded for a BOARD: by its members, or by the PMO.
may_record_board_decision = is_pmo | is_board_member_of

# Services call these predicates themselves (a superuser's has_perm is always true, and
# segregation of duties binds everyone); views and templates ask has_perm with the object.
rules.add_perm("governance.decide_gate_review_step", may_decide_review_step)
rules.add_perm("governance.record_board_decision", may_record_board_decision)
rules.add_perm(
    "governance.decide_programme_status", (is_pmo | is_board_member) & ~is_programme_team
)

# --- dashboard / reports ------------------------------------------------------------------------
rules.add_perm("dashboard.view_home", rules.is_authenticated)
rules.add_perm("dashboard.view_dashboard", is_portfolio_reader)
rules.add_perm("dashboard.view_inbox", is_portfolio_reader)
# "Your programmes' open actions and issues" (to escalate) on the dashboard and home page: for
# programme managers and SROs; the PMO's cached dashboard reads no programme data per person.
rules.add_perm("dashboard.view_own_open_items", has_manager_role | has_sro_role)
rules.add_perm("reports.view_published_reports", is_portfolio_reader | is_scrutiny_member)

# --- benefits and MTFP --------------------------------------------------------------------------
# Registers (benefits, one-off costs) take the PROGRAMME as the object; a benefit's profile takes
# the BENEFIT, because after closure its owner keeps tracking it. The programme team edits while
# the programme is open; the PMO always; the owner of a benefit always edits its profile.


@rules.predicate
def is_open_programme(user, programme) -> bool:
    return programme is not None and programme.is_open


@rules.predicate
def is_benefit_owner(user, benefit) -> bool:
    """Owns this benefit; with no benefit given, owns any benefit (for the "my benefits" page)."""
    if benefit is None:
        return user.is_authenticated and user.owned_benefits.exists()
    return benefit.owner_id == user.pk


@rules.predicate
def is_benefit_programme_team(user, benefit) -> bool:
    return benefit is not None and is_programme_team(user, benefit.programme)


@rules.predicate
def is_benefit_programme_open(user, benefit) -> bool:
    return benefit is not None and benefit.programme.is_open


rules.add_perm("benefits.view_benefits", is_portfolio_reader)
# A programme's plan (its milestones) takes the programme, like its registers.
rules.add_perm("portfolio.change_plan", is_pmo | (is_programme_team & is_open_programme))
rules.add_perm("benefits.change_benefits", is_pmo | (is_programme_team & is_open_programme))
# A benefit's owner counts only while their role may own benefits: a scrutiny member or a
# no-role user made owner through the database gains nothing by it.
is_entitled_benefit_owner = is_benefit_owner & may_own_benefits
rules.add_perm("benefits.view_own_benefits", is_portfolio_reader | is_entitled_benefit_owner)
rules.add_perm("benefits.view_benefit", is_portfolio_reader | is_entitled_benefit_owner)
rules.add_perm(
    "benefits.change_benefit_profile",
    is_pmo | (is_benefit_programme_team & is_benefit_programme_open) | is_entitled_benefit_owner,
)
# After closure the benefit's owner tracks it (with the PMO) and marks it realised.
rules.add_perm(
    "benefits.mark_benefit_realised",
    is_pmo | is_benefit_owner | (is_benefit_programme_team & is_benefit_programme_open),
)
# The PMO confirms an owner's "realised" / "not realised" (issue 21); readers see the portfolio's
# benefits realisation view.
rules.add_perm("benefits.confirm_benefit_realisation", is_pmo)
rules.add_perm("benefits.view_realisation", is_portfolio_reader)
rules.add_perm("benefits.view_mtfp", is_portfolio_reader)
rules.add_perm("benefits.change_mtfp", is_pmo)
rules.add_perm("benefits.override_deliverability", is_pmo)
rules.add_perm("benefits.recalculate_rollup", is_pmo)

# --- governance logs (RAID, actions & decisions, change requests, RACI, boards) ---------------
# Object-level permissions on a programme's logs take the programme; a change request's decision
# takes the change request. Portfolio-wide risks (no programme) are the PMO's to edit.
has_team_role = is_pmo | has_manager_role | has_sro_role


@rules.predicate
def is_member_of_routed_board(user, change_request) -> bool:
    board = getattr(change_request, "routed_to", None)
    if board is None:
        return False
    return board.chair_id == user.pk or board.members.filter(pk=user.pk).exists()


@rules.predicate
def is_team_of_changed_programme(user, change_request) -> bool:
    programme = getattr(change_request, "programme", None)
    return programme is not None and user.pk in (programme.manager_id, programme.sro_id)


# The object of ``governance.change_logs`` for the portfolio-wide register (risks that belong
# to no programme), which only the PMO changes.
PORTFOLIO_LOGS = "portfolio-logs"


@rules.predicate
def may_change_logs(user, target) -> bool:
    """A programme's logs are changed by its team and the PMO; the portfolio-wide register
    (``PORTFOLIO_LOGS``) by the PMO. Asked without an object (a view's declared policy, before
    it has the programme): whether the user's role changes any log at all."""
    if target is None:
        return has_team_role(user)
    if isinstance(target, str):
        return target == PORTFOLIO_LOGS and is_pmo(user)
    return is_pmo(user) or is_programme_team(user, target)


rules.add_perm("governance.view_logs", is_portfolio_reader)
rules.add_perm("governance.change_logs", may_change_logs)
rules.add_perm(
    "governance.decide_change_request",
    is_portfolio_reader & is_member_of_routed_board & ~is_team_of_changed_programme,
)
rules.add_perm("governance.change_boards", is_pmo)


@rules.predicate
def is_member_of_escalated_board(user, escalation) -> bool:
    board = getattr(escalation, "board", None)
    if board is None:
        return False
    return board.chair_id == user.pk or board.members.filter(pk=user.pk).exists()


@rules.predicate
def is_team_of_escalated_programme(user, escalation) -> bool:
    programme = getattr(escalation, "programme", None)
    return programme is not None and user.pk in (programme.manager_id, programme.sro_id)


@rules.predicate
def is_open_item_of_open_programme(user, item) -> bool:
    """An action or issue still open (``item.is_open``), on a programme still open."""
    programme = getattr(item, "programme", None)
    return bool(programme is not None and programme.is_open and getattr(item, "is_open", False))


@rules.predicate
def is_team_of_item_programme(user, item) -> bool:
    return is_programme_team(user, getattr(item, "programme", None))


# Escalating takes the PROGRAMME (a decision request, a highlight report) or the open ACTION or
# ISSUE escalated (``escalate_item``: the "Escalate" link on its row); only while the programme
# is open. Answering takes the ESCALATION: its board's members (or the PMO for it), never the
# programme's own team.
rules.add_perm("governance.escalate", (is_pmo | is_programme_team) & is_open_programme)
rules.add_perm(
    "governance.escalate_item",
    (is_pmo | is_team_of_item_programme) & is_open_item_of_open_programme,
)
rules.add_perm(
    "governance.respond_to_escalation",
    (is_pmo | (is_portfolio_reader & is_member_of_escalated_board))
    & ~is_team_of_escalated_programme,
)

# --- the lessons-learned library ---------------------------------------------------------------
# Staff read the library; scrutiny members see lessons only as published in a quarterly report's
# annex. A programme's manager and SRO (and the PMO) record lessons on it and correct them; the
# PMO curates: merges duplicates and marks lessons adopted into practice.
rules.add_perm("governance.view_lessons", is_portfolio_reader)
rules.add_perm("governance.record_lesson", is_pmo | is_programme_team)
rules.add_perm("governance.curate_lessons", is_pmo)


@rules.predicate
def is_lesson_programme_team(user, lesson) -> bool:
    return lesson is not None and is_programme_team(user, lesson.programme)


rules.add_perm("governance.change_lesson", is_pmo | is_lesson_programme_team)

# --- quarterly reports --------------------------------------------------------------------------
# The PMO writes, generates and publishes each quarter's scrutiny report and may download any
# version. Portfolio readers and scrutiny members read and download only published versions
# (``reports.view_published_reports`` above); ``view_report_version`` takes the VERSION.


@rules.predicate
def is_published_version(user, version) -> bool:
    return version is not None and version.is_published


rules.add_perm("reports.change_reports", is_pmo)
# Onboarding the portfolio from a workbook (and downloading it as one) is the PMO's.
rules.add_perm("onboarding.onboard_portfolio", is_pmo)
# A programme's deep-dive pack (issue 21): the PMO generates it; staff read it. Scrutiny members
# read what the PMO publishes in a quarterly report, not the packs themselves.
rules.add_perm("reports.generate_deep_dive", is_pmo)
rules.add_perm("reports.view_deep_dive", is_portfolio_reader)
# A board pack's PDF: whoever reads the board pack page (governance.view_logs) generates and
# downloads it.
rules.add_perm("reports.generate_board_pack_pdf", is_portfolio_reader)
rules.add_perm("reports.view_board_pack_pdf", is_portfolio_reader)
rules.add_perm(
    "reports.view_report_version",
    is_pmo | ((is_portfolio_reader | is_scrutiny_member) & is_published_version),
)

# --- data feeds (api/): personal access tokens --------------------------------------------------
# Anyone signed in may make tokens for themselves: a token reads exactly what its owner may read
# (the permissions above), no more. The PMO sees everyone's tokens and may revoke any of them.


@rules.predicate
def is_token_owner(user, token) -> bool:
    return token is not None and token.owner_id == user.pk


rules.add_perm("api.manage_own_tokens", rules.is_authenticated)
rules.add_perm("api.view_all_tokens", is_pmo)
rules.add_perm("api.revoke_token", is_pmo | is_token_owner)
rules.add_perm("api.view_data_help", rules.is_authenticated)


# --- Notifications ---------------------------------------------------------------------------
# The outbox names who was told what: the PMO's. Everyone chooses how they themselves are told.
rules.add_perm("notifications.view_outbox", is_pmo)
rules.add_perm("notifications.resend", is_pmo)
rules.add_perm("notifications.choose_own", rules.is_authenticated)
