from decimal import Decimal

import factory

from benefits.models import (
    Benefit,
    BenefitProfile,
    BenefitType,
    MTFPLine,
    MTFPPlan,
    MTFPTarget,
    OneOffCost,
    PlanStatus,
)
from tests.portfolio.factories import ProgrammeFactory


class MTFPPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MTFPPlan
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"MTFP {n}")
    slug = factory.Sequence(lambda n: f"mtfp-{n}")
    first_year = 2020
    last_year = 2023
    status = PlanStatus.APPROVED


class MTFPLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MTFPLine

    plan = factory.SubFactory(MTFPPlanFactory)
    name = factory.Sequence(lambda n: f"Line {n}")


class MTFPTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MTFPTarget

    line = factory.SubFactory(MTFPLineFactory)
    financial_year = 2020
    amount = Decimal("100000")


class BenefitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Benefit

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Benefit {n}")
    type = BenefitType.CASHABLE_SAVING
    directorate = factory.SelfAttribute("programme.directorate")


class BenefitProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BenefitProfile

    benefit = factory.SubFactory(BenefitFactory)
    financial_year = 2020
    planned = Decimal("100000")
    forecast = Decimal("100000")
    actual = Decimal("0")


class OneOffCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OneOffCost

    programme = factory.SubFactory(ProgrammeFactory)
    financial_year = 2020
    budget = Decimal("100000")
    actual = Decimal("0")
