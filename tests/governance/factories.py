import datetime as dt
from decimal import Decimal

import factory

from accounts.roles import Role
from governance.models import (
    Action,
    Assumption,
    Board,
    BoardKind,
    Dependency,
    Issue,
    Risk,
)
from tests.accounts.factories import UserFactory
from tests.portfolio.factories import PortfolioFactory, ProgrammeFactory


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Board {n}")
    slug = factory.Sequence(lambda n: f"board-{n}")
    kind = BoardKind.PROGRAMME

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if extracted:
            self.members.set(extracted)


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    programme = factory.SubFactory(ProgrammeFactory)
    portfolio = factory.SelfAttribute("programme.portfolio")
    title = factory.Sequence(lambda n: f"Risk {n}")
    inherent_likelihood = 4
    inherent_impact = 4
    residual_likelihood = 3
    residual_impact = 3
    target_likelihood = 2
    target_impact = 2
    owner = factory.SubFactory(UserFactory)
    review_date = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=30))


class AssumptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assumption

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Assumption {n}")
    owner = factory.SubFactory(UserFactory)


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Issue {n}")
    owner = factory.SubFactory(UserFactory)


class DependencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dependency

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Dependency {n}")
    outside_body = "A partner"


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("owner")
    due_date = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=10))


def build_logs_world(make_user):
    """Two programmes of one portfolio, a user per part and the three boards (also built once
    per module by tests/governance/test_permissions.py)."""
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
