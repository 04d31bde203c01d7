"""The demo's Q3 2019/20 quarterly report draft, from the seed paper "Quarterly Review of the
Transformation Programme (October - December 2019)" to the Transformation Sub-Committee.

A draft only: the PMO generates and publishes it in the browser. Idempotent: an existing report
for the quarter is left as it is.
"""

from __future__ import annotations

from datetime import date

from accounts.models import User
from portfolio.models import Programme
from portfolio.periods import Quarter
from reports.models import ProgrammeProgress, QuarterlyReport, ReportSection
from reports.services import report_prefill

QUARTER = Quarter.parse("Q3 2019/20")

EXECUTIVE_SUMMARY = (
    "This is the fourth quarterly report on the progress of the Transformation Programme,"
    " covering the period October to December 2019. Since the third report brought to the"
    " Joint Sub-Committee on 17th October 2019, significant progress has been made across"
    " the programme.\n"
    "\n"
    "Collectively, our transformation work seeks to radically improve ways of working so "
    "that we can improve our efficiency and quality of services whilst delivering savings"
    " that will allow us to do more of what matters for residents.\n"
    "\n"
    "Significant progress has been made across the Transformation Programme over the last"
    " year – including delivering key elements of the 'Back Office' phase (especially "
    "Finance, Strategic Capability and Provision Cycle), mobilising the ambitious Front "
    "Office programme of work, as well as helping to ensure that other transformation "
    "activity contained explicitly within the Medium-Term Financial Plan is robustly "
    "planned and implemented.\n"
    "\n"
    "As reported in the previous Quarterly Review, it has become increasingly clear that "
    "in order to maximise the impact of all of the Council's improvement and development "
    "activity, its entire programme of change needs to be managed collectively. Over the "
    "next few weeks, CEDR will consider in greater detail the form, governance and design"
    " that the refreshed change programme should take: its scope, design and cost."
)

HEADLINE_PROGRESS = (
    "continuing our work to improve the efficiency and effectiveness of the Customer "
    "Services Centre, including implementing changes to deliver improved team "
    "performance, ways of working, culture, use of technology and overall customer "
    "experience;\n"
    "launching our work on Front Office Transformation which is seeking to improve the "
    "way we interact with residents when they first contact the Council for information, "
    "advice, guidance and support;\n"
    "implementation of our restructured corporate Finance team from 1st December 2019 "
    "which is supporting the delivery of a redesigned and improved finance function for "
    "the organisation;\n"
    "completing the formal staff consultation on Strategic Capability which will improve "
    "how we manage strategy and policy development, programme management, quality "
    "assurance, communications, consultation and engagement, and performance management;\n"
    "further developing the design and proposed structure of the council's Provision "
    "Cycle, which looks at the way we commission, procure and manage contracts with our "
    "supply chain;\n"
    "developing the approach to how the council delivers Support Services across its "
    "operational services;\n"
    "agreeing an Information and Communication Technology (ICT) strategy for the "
    "organisation, as well as a Framework for Digital Service Delivery; and\n"
    "continuing to develop our plans for refreshing the Transformation programme "
    "including looking at how we can embed the Council's development and improvement "
    'activity so that it becomes "business as usual" for us.'
)

NEW_PHASE = (
    "As the programme enters a new phase of work, it will start to consider the Council's"
    " entire programme of change needs and seek to lead and manage this collectively. It "
    "will be aligned with the new Medium Term Financial Plan for the period 2020/21 to "
    "23/24 and will incorporate any financial savings that the previous phase of the "
    "programme has not yet delivered. Indicative phasing of some of the key programmes of"
    " work is shown in Annex 1.\n"
    "\n"
    "During the next phase of activity, work that has already begun to address the "
    "Council's Front Office will continue. Consistent with the business case approved "
    "last year, and its associated implementation plan, this will focus on the experience"
    " of the Council's customers.\n"
    "\n"
    "Work undertaken to review the Council's Customer Service Centre and start "
    "implementing short-term opportunities for optimising performance will also continue."
    " Much of the work that will be taken forward under the next phase will be highly "
    "dependent on the Council's approach to technology, building on progress already made"
    " in relation to the Council's ICT and Digital Strategy.\n"
    "\n"
    "Consistent with the business case, further phases of work will also involve re-"
    "examining service areas, for example Communities, Adults and Children's services, "
    "and redesigning elements of them to ensure that they best meet the needs of "
    "residents."
)

ANNEX_3 = (
    "As part of the Council's contract with PwC to support the implementation of the "
    "transformation programme, PwC made a commitment to make a Corporate Social "
    "Responsibility (CSR) payment to benefit the Oxfordshire area, upon completion of the"
    " first phase of work.\n"
    "\n"
    "The payment is an opportunity to demonstrate the Council and PwC's commitment to "
    "partnership working. The Council and PwC agreed that the CSR payment should be used "
    "to fund, or part fund, an initiative or service that will be of benefit to the "
    "residents of Oxfordshire.\n"
    "\n"
    "A set of principles were agreed for guiding how the fund should be used: consistency"
    " with the intentions of the Public Services (Social Value) Act 2013; countywide "
    "impact rather than a focus on any locality; council-wide support for the joint "
    "decision; and additionality – the contribution should fund activity that would not "
    "have happened without it.\n"
    "\n"
    "In line with these principles, two initiatives have been identified to be funded: "
    "the Oxfordshire Care Leaver Association, supporting children and young people in "
    "Oxfordshire who have experience of being in care; and One Planet Living, supporting "
    "local Voluntary and Community Sector organisations to take appropriate action to "
    "increase their sustainability and lessen their environmental impact."
)

PROGRESS = {
    "customer-service-centre": (
        "The Customer Service Centre (CSC) programme of work seeks to identify and "
        "deliver improvements to the capacity, capability and performance of the CSCs at "
        "both OCC and Cherwell District Council (CDC). Following an extensive research "
        "and observation exercise, over 80 recommendations were put forward.\n"
        "\n"
        "During October, the CSCs participated in and celebrated the National Customer "
        "Service Week and carried out a customer satisfaction survey for the first time. "
        "During November, the programme started implementing some of the recommendations "
        "made, focusing on practical actions which will drive improved performance "
        "management and colleague engagement. The CSC teams have been brought together in"
        " one location with an improved office environment."
    ),
    "front-office-transformation": (
        "A new project began in December to improve the experience our residents have "
        "when contacting us, digitally or otherwise, as well as making the officer "
        "processes to fulfil their requests more efficient. This work builds on the "
        "ongoing Customer Service Centre optimisation work at OCC and Cherwell District "
        "Council.\n"
        "\n"
        "During December, the project set up a steering group representing a cross-"
        "section of relevant staff from CEDR, the customer service centre, IT and "
        "Digital. The 15 processes were identified and agreed at CEDR and a joint team of"
        " process and technology analysts was brought together. This work continues in "
        "January with a focus on finalising the operating model updates and redesigning "
        "the 15 prioritised processes."
    ),
    "finance": (
        "Following the redesign and restructuring of the Council's Finance function, "
        "including a period of staff consultation, a new corporate finance team structure"
        " went live from 1st December 2019. In parallel, work has been ongoing to "
        "implement a redesigned process for making payments to providers in both adults "
        "and children's social care.\n"
        "\n"
        "Base budget savings to be delivered from the redesigned Finance function in "
        "19/20 are £0.18m with a further £0.49m to be delivered between 20/21 and 22/23 "
        "(figures are included within the proposed Medium Term Financial Plan)."
    ),
    "strategic-capability": (
        "The formal staff consultation on our Strategic Capability function has now been "
        "completed and a structure agreed. Some key director posts have already been "
        "recruited to and it is planned that the new structure will go live from 1st "
        "March 2020. All functions will be jointly delivered across Oxfordshire County "
        "Council and Cherwell District Council.\n"
        "\n"
        "Base budget savings to be delivered from the redesigned Strategic Capability "
        "function in 19/20 are £0.16m with a further £2.11m to be delivered between 20/21"
        " and 22/23 (figures are included within the proposed Medium Term Financial "
        "Plan)."
    ),
    "provision-cycle": (
        "Work continues to progress the Provision Cycle (the way we commission, procure "
        "and manage contracts with our supply chain), a three-way piece of work with "
        "Cherwell District Council and the Oxfordshire Clinical Commissioning Group. Key "
        "to the approach will be the implementation of a category management approach to "
        "procurement. Programme Support has been secured and a detailed implementation "
        "plan produced; a key dependency is the emerging work to establish an Integrated "
        "Care System.\n"
        "\n"
        "Base budget savings to be delivered from the redesigned Provision Cycle function"
        " are £1.47m for the period 2020/21 to 2023/24 (figures are included within the "
        "proposed Medium Term Financial Plan)."
    ),
    "support-services": (
        "Work to review and revise the Council's approach to how we deliver Support "
        "Services has continued to progress. A Project Group with representatives from "
        "across Directorates continues to oversee the work; a short video explaining "
        "their work was shared with Senior Managers in November and with all staff in "
        "December.\n"
        "\n"
        "Base budget savings to be delivered from the redesigned Support Services "
        "function are £0.03m for 19/20 and £2.32m for the period 20/21 to 23/24 (figures "
        "are included within the proposed Medium Term Financial Plan)."
    ),
    "ict-strategy": (
        "In December, the Council's Cabinet agreed an Information Technology Strategy and"
        " a Framework for Digital Service Delivery for the organisation, as well as "
        "agreeing to become a signatory of the Local Digital Declaration. The Information"
        " Technology Strategy covers a five year period; the Digital Framework covers a "
        "three year period and sets out the Council's digital vision."
    ),
}


def load(people: dict[str, User], programmes: dict[str, Programme]) -> QuarterlyReport:
    report, created = QuarterlyReport.objects.get_or_create(
        financial_year=QUARTER.financial_year.start_year,
        quarter_number=QUARTER.number,
        defaults={
            "committee": "Transformation Sub-Committee",
            "meeting_date": date(2020, 1, 30),
            "author": "Corporate Director for Customer and Organisational Development",
            "recommendations": (
                "The Sub-Committee is RECOMMENDED to note and comment on the report"
            ),
            "executive_summary": EXECUTIVE_SUMMARY,
            "headline_progress": HEADLINE_PROGRESS,
            "new_phase": NEW_PHASE,
        },
    )
    if not created:
        return report
    ReportSection.objects.create(
        report=report,
        title="Corporate social responsibility contribution",
        body=ANNEX_3,
        annex=True,
        position=1,
    )
    for slug, paragraph in PROGRESS.items():
        ProgrammeProgress.objects.create(
            report=report, programme=programmes[slug], paragraph=paragraph
        )
    report_prefill(report=report)
    return report
