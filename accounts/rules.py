"""Who may do what: every role and object-level predicate, and every permission, in one place.

Views, templates ({% has_perm %}) and tests all ask ``user.has_perm(name, obj)``; the names
are registered here. Object-level permissions on a programme's documents, registers and gates
take the programme itself as the object.
"""

import rules

from .roles import Role

is_pmo = rules.is_group_member(Role.PMO.group_name)
has_manager_role = rules.is_group_member(Role.PROGRAMME_MANAGER.group_name)
has_sro_role = rules.is_group_member(Role.SRO.group_name)
is_board_member = rules.is_group_member(Role.BOARD_MEMBER.group_name)
is_scrutiny_member = rules.is_group_member(Role.SCRUTINY_MEMBER.group_name)
is_viewer = rules.is_group_member(Role.VIEWER.group_name)

# Anyone on the staff side of the portfolio may read it; scrutiny members may not.
is_portfolio_reader = is_pmo | has_manager_role | has_sro_role | is_board_member | is_viewer


@rules.predicate
def is_programme_manager(user, programme) -> bool:
    return programme is not None and programme.manager_id == user.pk


@rules.predicate
def is_programme_sro(user, programme) -> bool:
    return programme is not None and programme.sro_id == user.pk


is_programme_team = is_programme_manager | is_programme_sro

# --- accounts / portfolio -----------------------------------------------------------------------
rules.add_perm("portfolio.view_portfolio", is_portfolio_reader)
rules.add_perm("portfolio.view_programme", is_portfolio_reader)
rules.add_perm("portfolio.add_programme", is_pmo)
rules.add_perm("portfolio.change_programme", is_pmo | is_programme_team)

# --- dashboard / reports ------------------------------------------------------------------------
rules.add_perm("dashboard.view_home", rules.is_authenticated)
rules.add_perm("dashboard.view_dashboard", is_portfolio_reader)
rules.add_perm("dashboard.view_published_reports", is_portfolio_reader | is_scrutiny_member)
