import factory

from portfolio.models import Directorate, Milestone, Portfolio, Programme


class DirectorateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directorate
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Directorate {n}")
    slug = factory.Sequence(lambda n: f"directorate-{n}")


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Portfolio {n}")
    slug = factory.Sequence(lambda n: f"portfolio-{n}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    portfolio = factory.SubFactory(PortfolioFactory)
    directorate = factory.SubFactory(DirectorateFactory)
    category = "B"
    description = "A programme made by the test factory."


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = factory.Faker("date_between", start_date="-1y", end_date="+1y")
