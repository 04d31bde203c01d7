import datetime as dt

import factory

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
from tests.portfolio.factories import ProgrammeFactory


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
