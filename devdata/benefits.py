"""Demo savings, MTFP targets and one-off costs from the Quarterly Review (Oct–Dec 2019).

How sums the seed gives over several years are spread (the seed gives no split):
- A sum over N years is split into equal amounts rounded down to £10,000, and the remaining
  £10,000s go one each to the latest years. Finance: £0.49m over 2020/21–2022/23 is £160k,
  £160k, £170k; Strategic Capability: £2.11m is £700k, £700k, £710k; Provision Cycle: £1.47m
  over 2020/21–2023/24 is £360k, £370k, £370k, £370k; Support Services: £2.32m over
  2020/21–2023/24 is £580k a year.
- The ICT business case (£2.2m investment, £6.2m savings over five years, payback "just over 2
  years") is profiled with investment front-loaded (2020/21 £1.2m, 2021/22 £0.6m, 2022/23
  £0.4m) and savings ramping up (£0.6m, £1.0m, £1.4m, £1.6m, £1.6m from 2020/21), which gives
  a payback of 2.2 years.
- The Transformation Programme's one-off costs (£17.9m business case, £7.9m spent by December
  2019) are programme-wide: the budget is spread over the three years of the implementation
  plan (2018/19–2020/21) and the spend split evenly over 2018/19 and 2019/20.
Each workstream's savings are its MTFP target ("figures are included within the proposed
Medium Term Financial Plan"), planned and forecast at the same value; no actuals are recorded.

After loading, the roll-up runs once so the dashboard has a snapshot; it is idempotent, so a
second load finds the same data and adds no snapshot.
"""

from datetime import date
from decimal import Decimal

from accounts.models import User
from benefits.models import (
    Benefit,
    BenefitProfile,
    BenefitStatus,
    BenefitType,
    MTFPLine,
    MTFPPlan,
    MTFPTarget,
    OneOffCost,
    PlanStatus,
)
from portfolio.models import Programme

TEN_THOUSAND = Decimal("10000")


def spread(total: Decimal, first_year: int, years: int) -> dict[int, Decimal]:
    """Split ``total`` over ``years`` financial years as the module docstring describes."""
    units = int(total / TEN_THOUSAND)
    base, remainder = divmod(units, years)
    amounts = [base + (1 if i >= years - remainder else 0) for i in range(years)]
    return {first_year + i: TEN_THOUSAND * a for i, a in enumerate(amounts)}


def m(value: str) -> Decimal:
    """£m as written in the seed, in pounds."""
    return Decimal(value) * Decimal("1000000")


# workstream slug -> {financial year start: savings}
SAVINGS = {
    "finance": {2019: m("0.18"), **spread(m("0.49"), 2020, 3)},
    "strategic-capability": {2019: m("0.16"), **spread(m("2.11"), 2020, 3)},
    "provision-cycle": spread(m("1.47"), 2020, 4),
    "support-services": {2019: m("0.03"), **spread(m("2.32"), 2020, 4)},
}

ICT_SAVINGS = dict(zip(range(2020, 2025), map(m, ["0.6", "1.0", "1.4", "1.6", "1.6"]), strict=True))
ICT_INVESTMENT = {2020: m("1.2"), 2021: m("0.6"), 2022: m("0.4")}

ICT_NON_FINANCIAL = [
    (
        "Disaster Recovery migrating from Data Centre to the Azure Cloud",
        "Power consumption per year",
        "63% reduction",
    ),
    (
        "Office 365 migration and removal of Data Centre hardware",
        "Power consumption per year",
        "81% reduction",
    ),
    (
        "Desktop PCs replaced with laptops in County Hall and elsewhere (Win10 Project)",
        "Power consumption per year",
        "30% reduction",
    ),
    ("IT Service operating revenue reduced", "IT Service revenue costs", "£1.9m (17%) lower"),
]


def load(people: dict[str, User], programmes: dict[str, Programme]) -> None:
    plan, _ = MTFPPlan.objects.get_or_create(
        slug="mtfp-2020-21-to-2023-24",
        defaults={
            "name": "MTFP 2020/21–2023/24",
            "first_year": 2019,
            "last_year": 2023,
            "approved_on": date(2020, 2, 11),
            "status": PlanStatus.APPROVED,
            "notes": "Approved by Full Council in February 2020. Carries the 2019/20 in-year "
            "savings of the Transformation Programme alongside 2020/21 to 2023/24.",
        },
    )
    for slug, profile in SAVINGS.items():
        programme = programmes[slug]
        line, _ = MTFPLine.objects.get_or_create(
            plan=plan,
            name=f"Transformation: {programme.name}",
            defaults={"programme": programme, "directorate": programme.directorate},
        )
        for year, amount in profile.items():
            MTFPTarget.objects.get_or_create(
                line=line, financial_year=year, defaults={"amount": amount}
            )
        benefit, created = Benefit.objects.get_or_create(
            programme=programme,
            title=f"Base budget savings from the redesigned {programme.name} function",
            defaults={
                "type": BenefitType.CASHABLE_SAVING,
                "owner": programme.sro,
                "directorate": programme.directorate,
                "mtfp_line": line,
                "measure": "Base budget reduction",
                "status": BenefitStatus.REALISING,
            },
        )
        if created:
            BenefitProfile.objects.bulk_create(
                BenefitProfile(
                    benefit=benefit, financial_year=year, planned=amount, forecast=amount
                )
                for year, amount in profile.items()
            )

    ict = programmes["ict-strategy"]
    benefit, created = Benefit.objects.get_or_create(
        programme=ict,
        title="ICT savings over five years (business case)",
        defaults={
            "type": BenefitType.CASHABLE_SAVING,
            "owner": ict.sro,
            "directorate": ict.directorate,
            "measure": "Savings over 5 years",
            "target": "£6.2m",
            "status": BenefitStatus.PLANNED,
        },
    )
    if created:
        BenefitProfile.objects.bulk_create(
            BenefitProfile(benefit=benefit, financial_year=year, planned=amount, forecast=amount)
            for year, amount in ICT_SAVINGS.items()
        )
    for title, measure, target in ICT_NON_FINANCIAL:
        Benefit.objects.get_or_create(
            programme=ict,
            title=title,
            defaults={
                "type": BenefitType.NON_FINANCIAL,
                "owner": ict.sro,
                "directorate": ict.directorate,
                "measure": measure,
                "baseline": "2019/20",
                "target": target,
                "status": BenefitStatus.PLANNED,
            },
        )
    for year, amount in ICT_INVESTMENT.items():
        OneOffCost.objects.get_or_create(
            programme=ict,
            financial_year=year,
            defaults={"budget": amount, "note": "ICT business case: investment over 5 years £2.2m"},
        )
    budget = spread(m("17.9"), 2018, 3)
    actual = spread(m("7.9"), 2018, 2)
    for year, amount in budget.items():
        OneOffCost.objects.get_or_create(
            programme=None,
            financial_year=year,
            defaults={
                "budget": amount,
                "actual": actual.get(year, Decimal("0")),
                "note": "Transformation business case (August 2018): one-off costs",
            },
        )
