"""Demo portfolio from the seeds.

The 2024 programmes ("Delivering the future together", 19 April 2024) at the stage the Forward
Look gives, with their Programme Snapshots; and the 2019/20 Transformation Programme workstreams
(Quarterly Review, October–December 2019) with the Annex 1 roadmap milestones. Where the seeds
do not say which portfolio or category a programme is in, the demo assigns one (see PORTFOLIO
and CATEGORY below): that assignment is the demo's, not the council's.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from accounts.models import User
from portfolio.models import Directorate, Milestone, Portfolio, Programme, Stage, WorkstreamGroup

LONDON = ZoneInfo("Europe/London")

PORTFOLIOS = [
    (
        "employer-of-choice",
        "Employer of Choice",
        "cherie",
        "We create the conditions to inspire values-driven talent from diverse backgrounds to both "
        "seek employment with the Council and then thrive within our organisation.",
    ),
    (
        "partner-of-choice",
        "Partner of Choice",
        "robin",
        "We actively seek and develop mature and purposeful relationships with our strategic "
        "partners that drive improved outcomes for Oxfordshire's residents.",
    ),
    (
        "place-shaper-of-choice",
        "Place Shaper of Choice",
        "emily",
        "We act as a convener across public, private and community groups to shape and lead an "
        "ambitious and more equal future for our place and our residents.",
    ),
]

DIRECTORATES = [
    "Customer and Organisational Development",
    "Finance",
    "Children, Education and Families",
    "Communities",
    "Property, Investment and Facilities Management",
    "IT, Innovation and Digital",
    "Human Resources",
]

E, P, S = "employer-of-choice", "partner-of-choice", "place-shaper-of-choice"

# slug, name, stage, portfolio, category, light touch, directorate, manager, sro, started, snapshot
PROGRAMMES_2024 = [
    (
        "corporate-landlord",
        "Corporate Landlord",
        Stage.IDENTIFY,
        None,
        "",
        False,
        "Property, Investment and Facilities Management",
        "manager",
        "sro",
        date(2024, 3, 1),
        "Strategic Outline Case to STB (Forward Look, April 2024).",
    ),
    (
        "one-fleet",
        "One Fleet",
        Stage.IDENTIFY,
        None,
        "",
        False,
        "Communities",
        "chris.doyle",
        "lee.brooks",
        date(2024, 3, 1),
        "Strategic Outline Case to STB (Forward Look, April 2024).",
    ),
    (
        "send",
        "SEND",
        Stage.DESIGN,
        P,
        "A",
        True,
        "Children, Education and Families",
        "jo.patel",
        "dana.khan",
        date(2024, 2, 1),
        "Enables CYP with SEND to have better outcomes by delivering the right provision and "
        "support at the right time, every time. This will increase parent carer trust and "
        "confidence in locally available provision.",
    ),
    (
        "htst",
        "HtST",
        Stage.DESIGN,
        P,
        "B",
        True,
        "Children, Education and Families",
        "jo.patel",
        "dana.khan",
        date(2024, 2, 1),
        "Home to School Transport: Full Programme Brief signed off by SRO to Delivery Board "
        "(Forward Look, April 2024).",
    ),
    (
        "oxfordshire-way",
        "Oxfordshire Way",
        Stage.DESIGN,
        S,
        "B",
        False,
        "Communities",
        "chris.doyle",
        "lee.brooks",
        date(2024, 1, 15),
        "The Oxfordshire Way is committed to \u201cdoing the right thing\u201d by fostering "
        "strength and sustainability. The aim is to redefine the role of communities as "
        "collaborative hubs, "
        "where integrated efforts tackle challenges collectively. Our vision is to build "
        "resilience, offering support that empowers individuals to take their next steps towards "
        "personal and communal growth.",
    ),
    (
        "business-intelligence",
        "Business Intelligence",
        Stage.DESIGN,
        P,
        "B",
        False,
        "IT, Innovation and Digital",
        "manager",
        "sro",
        date(2024, 1, 8),
        "A central \u2018Data, Insights and Delivery Hub\u2019 known as \u2018Business "
        "Intelligence\u2019 that supports the delivery of programmes within \u2018Delivering the "
        "Future Together\u2019. This will help realise Oxfordshire County Council's vision of "
        "becoming an insight driven organisation, enabling informed decision making, strategic "
        "planning and prioritisation of resource. (Previously Data and Insights.)",
    ),
    (
        "business-service-transformation",
        "Business Service Transformation",
        Stage.DELIVER,
        E,
        "A",
        False,
        "Finance",
        "alex.hughes",
        "sro",
        date(2023, 10, 2),
        "Empowerment and accountability of the workforce through ownership and control of our data "
        "using best practice workflow self-service. Allowing the HR, finance and procurement "
        "services to focus on their key professional areas working with reliable and trusted data "
        "to inform decisions and reduce risk.",
    ),
    (
        "strategic-ai",
        "Strategic AI",
        Stage.DELIVER,
        E,
        "A",
        False,
        "IT, Innovation and Digital",
        "alex.hughes",
        "lee.brooks",
        date(2023, 11, 1),
        "The AI programme will set out how we work together to transform OCC through AI. In line "
        "with corporate objectives this will enable the council to become smaller, leaner and "
        "enable significant improvements. Supporting DTFT wider objectives. (Previously AI/RPA.)",
    ),
    (
        "commercial",
        "Commercial",
        Stage.DELIVER,
        P,
        "A",
        False,
        "Finance",
        "manager",
        "sro",
        date(2023, 9, 4),
        "To leverage Oxfordshire's unique assets and strengths to optimise organisational "
        "efficiency, generate sustainable revenue, support economic growth, and enhance public "
        "services through innovative and responsible commercial activities.",
    ),
    (
        "agile-accommodation",
        "Agile Accommodation",
        Stage.DELIVER,
        S,
        "B",
        False,
        "Property, Investment and Facilities Management",
        "chris.doyle",
        "lee.brooks",
        date(2023, 7, 3),
        "The long-term vision is to create an efficient, innovative and accessible property estate "
        "which delivers our climate action objectives and generates social value for our "
        "residents, workforce and customers of the property service. Where possible we will set "
        "our estate to support regeneration and the long-term financial sustainability of the "
        "council.",
    ),
    (
        "improving-customer-experience",
        "Improving Customer Experience",
        Stage.DELIVER,
        P,
        "B",
        False,
        "Customer and Organisational Development",
        "jo.patel",
        "dana.khan",
        date(2023, 9, 1),
        "To establish the BEST Customer Experience Function, this programme seeks to deliver a "
        "holistic approach to demand reduction of customer complaints and provide an optimal "
        "customer experience. This will be achieved by a new culture of always keeping the "
        "customer (individual, family and household) at the centre for the Council.",
    ),
    (
        "our-people-and-culture-strategy",
        "Our People and Culture Strategy",
        Stage.DELIVER,
        E,
        "B",
        False,
        "Human Resources",
        "alex.hughes",
        "dana.khan",
        date(2023, 6, 1),
        "How we enable our employees to improve how they carry out their roles by assessing and "
        "nurturing employees' capabilities, as well as managing the relationship between the "
        "employees and the organisation. This puts skilled people in the right position to "
        "deliver what it takes to achieve the business goals.",
    ),
    (
        "organisational-design",
        "Organisational Design",
        Stage.DELIVER,
        E,
        "C",
        False,
        "Human Resources",
        "alex.hughes",
        "dana.khan",
        date(2023, 8, 1),
        "Reduces the layers of management and duplication of effort while streamlining "
        "reporting. Ensures that pay is equal, and roles are structured to ensure clarity, "
        "fairness, and transparency through a review of the current structures that will produce "
        "recommendations on the future state of the council to be implemented across the "
        "organisation.",
    ),
]

# The 2019/20 Transformation Programme workstreams (Quarterly Review Oct–Dec 2019).
WORKSTREAMS_2019 = [
    (
        "finance",
        "Finance",
        Stage.DELIVER,
        E,
        "A",
        WorkstreamGroup.BACK_OFFICE,
        "Finance",
        date(2019, 12, 1),
        "Redesign and restructuring of the Council's Finance function: a new corporate finance "
        "team structure went live from 1st December 2019, with a redesigned process for making "
        "payments to providers in adults and children's social care.",
    ),
    (
        "strategic-capability",
        "Strategic Capability",
        Stage.DELIVER,
        E,
        "A",
        WorkstreamGroup.BACK_OFFICE,
        "Customer and Organisational Development",
        date(2019, 11, 1),
        "Improves how we manage strategy and policy development, programme management, quality "
        "assurance, communications, consultation and engagement, and performance management, "
        "jointly delivered across Oxfordshire County Council and Cherwell District Council.",
    ),
    (
        "provision-cycle",
        "Provision Cycle",
        Stage.DESIGN,
        P,
        "A",
        WorkstreamGroup.BACK_OFFICE,
        "Finance",
        date(2019, 9, 2),
        "The way we commission, procure and manage contracts with our supply chain: a three-way "
        "piece of work with Cherwell District Council and the Oxfordshire Clinical Commissioning "
        "Group, implementing a category management approach to procurement.",
    ),
    (
        "support-services",
        "Support Services",
        Stage.DESIGN,
        E,
        "B",
        WorkstreamGroup.BACK_OFFICE,
        "Customer and Organisational Development",
        date(2019, 9, 2),
        "Makes it easier and simpler for our Support Services to make the council be the best it "
        "can be, increasing efficiency through better use of technology and removing duplicative "
        "or unnecessary processes.",
    ),
    (
        "front-office-transformation",
        "Front Office Transformation",
        Stage.DEFINE,
        P,
        "A",
        WorkstreamGroup.FRONT_OFFICE,
        "Customer and Organisational Development",
        date(2019, 12, 2),
        "Improves the experience residents have when contacting us, digitally or otherwise, and "
        "makes the officer processes that fulfil their requests more efficient; fifteen "
        "prioritised front office processes are being redesigned.",
    ),
    (
        "customer-service-centre",
        "Customer Service Centre",
        Stage.DELIVER,
        P,
        "B",
        WorkstreamGroup.FRONT_OFFICE,
        "Customer and Organisational Development",
        date(2019, 11, 1),
        "Improvements to the capacity, capability and performance of the Customer Service Centres "
        "at OCC and Cherwell District Council, from over 80 recommendations.",
    ),
    (
        "ict-strategy",
        "ICT Strategy",
        Stage.DELIVER,
        E,
        "A",
        WorkstreamGroup.FRONT_OFFICE,
        "IT, Innovation and Digital",
        date(2019, 12, 17),
        "The Information Technology Strategy and Framework for Digital Service Delivery agreed by "
        "Cabinet in December 2019, delivered by the ICT Transformation Programme commencing in "
        "February 2020.",
    ),
]

# Annex 1: Transformation dashboard roadmap (Q4 2019/20 to Q3 2020/21).
MILESTONES = [
    ("finance", "New corporate finance team structure live", date(2019, 12, 1), date(2019, 12, 1)),
    ("strategic-capability", "Structure go-live for corporate team", date(2020, 3, 1), None),
    (
        "provision-cycle",
        "Directors develop new organisational structures ready for staff consultation",
        date(2020, 3, 31),
        None,
    ),
    ("provision-cycle", "Anticipated go-live of new structures", date(2020, 9, 30), None),
    (
        "support-services",
        "Directors develop new organisational structures ready for staff consultation",
        date(2020, 3, 31),
        None,
    ),
    ("support-services", "Anticipated go-live of new structures", date(2020, 9, 30), None),
    ("front-office-transformation", "Phase 1 – planning complete", date(2020, 3, 31), None),
    (
        "front-office-transformation",
        "Phase 2 – implementation (to be confirmed)",
        date(2020, 6, 30),
        None,
    ),
    ("customer-service-centre", "End of Phase 1", date(2020, 2, 29), None),
    ("customer-service-centre", "Phase 2 begins", date(2020, 6, 30), None),
    (
        "ict-strategy",
        "Sign up to Local Digital Declaration",
        date(2019, 12, 17),
        date(2019, 12, 17),
    ),
    ("ict-strategy", "Establish the ICT Transformation Programme", date(2020, 2, 3), None),
]


def _aware(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=LONDON)


def load(people: dict[str, User]) -> dict[str, Programme]:
    from django.utils.text import slugify

    portfolios = {}
    for position, (slug, name, lead, description) in enumerate(PORTFOLIOS):
        portfolios[slug], _ = Portfolio.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "lead": people[lead],
                "position": position,
            },
        )
    directorates = {
        name: Directorate.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in DIRECTORATES
    }
    programmes: dict[str, Programme] = {}
    for (
        slug,
        name,
        stage,
        portfolio,
        category,
        light_touch,
        directorate,
        manager,
        sro,
        started,
        description,
    ) in PROGRAMMES_2024:
        programmes[slug], _ = Programme.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "stage": stage,
                "category": category,
                "light_touch": light_touch,
                "portfolio": portfolios.get(portfolio),
                "directorate": directorates[directorate],
                "manager": people[manager],
                "sro": people[sro],
                "description": description,
                "stage_entered_at": _aware(started),
            },
        )
    for (
        slug,
        name,
        stage,
        portfolio,
        category,
        group,
        directorate,
        started,
        description,
    ) in WORKSTREAMS_2019:
        programmes[slug], _ = Programme.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "stage": stage,
                "category": category,
                "workstream_group": group,
                "portfolio": portfolios[portfolio],
                "directorate": directorates[directorate],
                "manager": people["manager"] if slug == "finance" else people["jo.patel"],
                "sro": people["sro"] if slug == "finance" else people["dana.khan"],
                "description": description,
                "stage_entered_at": _aware(started),
            },
        )
    for slug, title, due, completed in MILESTONES:
        Milestone.objects.get_or_create(
            programme=programmes[slug],
            title=title,
            defaults={"due_date": due, "baseline_date": due, "completed_on": completed},
        )
    return programmes
