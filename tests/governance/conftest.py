"""A small governance world: two programmes with their teams, the boards, one user per role."""

from decimal import Decimal

import pytest

from accounts.roles import Role
from governance.models import BoardKind
from tests.governance.factories import BoardFactory
from tests.portfolio.factories import PortfolioFactory, ProgrammeFactory


@pytest.fixture(autouse=True)
def fast_passwords(settings):  # type: ignore[no-untyped-def]
    """These tests make several users each; a fast hasher keeps the role matrix quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(make_user):  # type: ignore[no-untyped-def]
    portfolio = PortfolioFactory(slug="partner", name="Partner of Choice")
    people = {
        "pmo": make_user(Role.PMO, username="pmo"),
        "manager": make_user(Role.PROGRAMME_MANAGER, username="manager"),
        "other_manager": make_user(Role.PROGRAMME_MANAGER, username="other.manager"),
        "sro": make_user(Role.SRO, username="sro"),
        "board": make_user(Role.BOARD_MEMBER, username="board"),
        "scrutiny": make_user(Role.SCRUTINY_MEMBER, username="scrutiny"),
        "viewer": make_user(Role.VIEWER, username="viewer"),
    }
    programme = ProgrammeFactory(
        slug="commercial",
        name="Commercial",
        portfolio=portfolio,
        manager=people["manager"],
        sro=people["sro"],
    )
    other = ProgrammeFactory(
        slug="strategic-ai", name="Strategic AI", portfolio=portfolio,
        manager=people["other_manager"],
    )  # fmt: skip
    boards = {
        "stb": BoardFactory(
            slug="stb", name="Strategic Transformation Board", kind=BoardKind.STB,
            members=[people["board"]],
        ),
        "delivery": BoardFactory(
            slug="delivery-board", name="Delivery Board", kind=BoardKind.DELIVERY,
            members=[people["board"]],
        ),
        "portfolio": BoardFactory(
            slug="partner-board", name="Partner of Choice Portfolio Board",
            kind=BoardKind.PORTFOLIO, portfolio=portfolio, members=[people["board"]],
        ),
    }  # fmt: skip
    return {
        "people": people,
        "programme": programme,
        "other": other,
        "portfolio": portfolio,
        "boards": boards,
        "money": Decimal,
    }
