"""Demo boards (2024 governance model) and the Annex 2 risks (Quarterly Review, Oct–Dec 2019).

The seed gives each risk's residual rating only (Low, Medium, Medium/High, High). The demo
scores it on the 5×5 matrix as Low 2×2, Medium 3×3, Medium/High 3×4, High 4×4, with the
inherent rating one step of likelihood higher and the target one step lower: those inherent and
target scores are the demo's assumption. The High risks are escalated.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from governance.models import (
    Action,
    ActionStatus,
    Assumption,
    BaselineKind,
    Board,
    BoardKind,
    ChangeKind,
    ChangeRequest,
    Decision,
    Dependency,
    Issue,
    IssuePriority,
    RaciActivity,
    RaciAssignment,
    Risk,
    RiskResponse,
    TermsOfReference,
)
from portfolio.models import Milestone, Portfolio, Programme

BOARDS = [
    (
        "strategic-transformation-board",
        "Strategic Transformation Board",
        BoardKind.STB,
        "chief.executive",
        ["board", "cherie", "robin", "emily", "transformation.director"],
        "The design authority: reviews Strategic Outline Cases, assigns portfolio, category and "
        "guardrails, agrees investment and expected return on investment for category A "
        "programmes, and progresses programmes to delivery.",
    ),
    (
        "delivery-board",
        "Delivery Board",
        BoardKind.DELIVERY,
        "transformation.director",
        ["board", "cherie", "robin", "emily"],
        "Receives Initial and Full Programme Briefs signed off by SROs, oversees delivery through "
        "the Programme Workbooks and the Transformation Dashboard, and receives closure reports.",
    ),
]

PORTFOLIO_BOARDS = [
    ("employer-of-choice", "Employer of Choice Portfolio Board", "cherie"),
    ("partner-of-choice", "Partner of Choice Portfolio Board", "robin"),
    ("place-shaper-of-choice", "Place Shaper of Choice Portfolio Board", "emily"),
]

RATING = {"Low": (2, 2), "Medium": (3, 3), "Medium/High": (3, 4), "High": (4, 4)}

ANNEX_2_RISKS = [
    {
        "title": "Organisational Change and Service Design",
        "rating": "Medium/High",
        "cause": "Organisational Change and Service Design: the breadth of the programme means "
        "that it is built of many constituent parts.",
        "event": "Any one project fails; if so, it can be \u2018tied off\u2019, replaced or "
        "redesigned. Risk is managed across a wide portfolio but requires the right capacity, "
        "skills and governance to ensure delivery.",
        "effect": "Failure to realise improved service delivery, quality and inability to "
        "respond to growing demands. Furthermore inefficiencies may result in increased costs "
        "and/or lack of delivery of planned savings.",
        "controls": [
            "All projects clearly identify benefits to be delivered and the long-term financial "
            "implications (upfront costs and savings), supported by project plans and milestones "
            "where appropriate",
            "Clear financial benefits realisation articulated in all project plans, regularly "
            "monitored through monthly highlight reports and integrated with the council's "
            "business management monitoring report process",
            "Systematic service improvement activity focused on demand management, and "
            "developing a more preventative approach to our services",
            "All project resourcing considered monthly, roles allocated and additional 3rd party "
            "support commissioned where there is a lack of internal capacity or skills",
            "The Joint Audit & Governance and Performance Scrutiny (Transformation) "
            "Sub-Committee receives quarterly reviews of progress made, supplemented by detailed "
            "financial analysis that reflects the explicit link between the programme of work "
            "and the council's Medium Term Financial Plan",
            "Where joint activity is planned the Partnership Working Group review progress and "
            "delivery.",
            "Capacity and expertise are managed through inhouse resources (including development "
            "of new skills where necessary) and the use of external professional support where "
            "required \u2013 a mixed economy model of delivery.",
        ],
        "further": [
            "Ensure that the entirety of the council's change agenda, including all existing "
            "programmes are integrated into one overall portfolio of change programmes that "
            "lead and inform the emerging Service and Resource Planning Process, and expand in "
            "scope where further savings are required",
            "Continue to ensure that detailed planning and monitoring of projects fully "
            "understands interdependencies between projects",
            "Ensure all change activity is fully aligned to, and supportive of the corporate "
            "priority setting and medium term financial planning process",
            "CEDR to regularly review the council's full portfolio of change programmes' (both "
            "corporate and service focused) fitness for purpose and delivery, as part of "
            "quarterly reviews reported to members",
        ],
    },
    {
        "title": "Quality of services",
        "rating": "Medium",
        "event": "Transformation does not improve or maintain the quality of services for our "
        "residents and businesses",
        "controls": [
            "Quality and customer experience are key design principles that have "
            "informed the development of the implementation plan."
        ],
        "further": [
            "Service and Community Impact Assessments will be carried out as part of "
            "standard project processes."
        ],
    },
    {
        "title": "Scope and governance",
        "rating": "Low",
        "event": "Transformation is delayed through scope and governance not being in place "
        "quickly enough",
        "controls": [
            "Governance assessed against established programme methodology and plan "
            "for improvement put in place."
        ],
        "further": [
            "Further improvements to governance of the programme are being considered "
            "(particularly re links to existing OCC government processes e.g. capital "
            "approvals board)."
        ],
    },
    {
        "title": "Pace and capacity",
        "rating": "High",
        "event": "Lack of pace and OCC capacity limits ability of programme to progress "
        "against plan",
        "controls": [
            "Governance structures in place support fast escalation of resourcing "
            "concerns to leadership. Capacity needs for further phases of work are "
            "being scoped out in detail."
        ],
        "further": [
            "Additional external support has been procured to support programme pace. "
            "Further external support is currently being considered for Human "
            "Resources and Communications teams, including support for an "
            "Organisational Development Plan."
        ],
    },
    {
        "title": "Value for money",
        "rating": "High",
        "event": "Transformation does not deliver sufficient value for money for our residents "
        "and businesses",
        "controls": [
            "Detailed 3 year transformation implementation plan established that "
            "builds on the approved business case."
        ],
        "further": [
            "A corporate reserve / contingency has been established to support redundancy costs."
        ],
    },
    {
        "title": "HR as an enabler of change activity",
        "rating": "Medium",
        "event": "Enabling HR capabilities including leadership, culture and learning & "
        "development are not sufficiently in place to fully maximise impact of change programme",
        "controls": [
            "The Chief Executive's leadership team (CEDR) has scoped how the council's "
            "overall organisational culture, values and behaviours can be enhanced to "
            "support change activity."
        ],
        "further": [
            "CEDR, in conjunction with the Deputy Director for Human Resources and "
            "Organisational Development, are currently in the final stages of "
            "commissioning support for what is likely to be an 18 month programme of "
            "engagement, touching all staff and members. This is likely to go live in "
            "mid-February. Resourcing the right level of HR and OD support for the "
            "programme of change to be kept under constant review, especially the "
            "capacity of the HR service"
        ],
    },
    {
        "title": "Information Communication Technology (ICT) dependency",
        "rating": "Medium",
        "event": "Risk that ICT enablers aren't in place to support delivery of transformation "
        "projects resulting in poor services or stalled change activity",
        "controls": [
            "A new ICT Strategy and Framework for Digital Service Delivery was "
            "endorsed by Cabinet in December. The strategies include a strong focus on "
            "supporting the Council to deliver its services more effectively through a "
            "technological and digital roadmap that meet the current and future needs "
            "of the organisation, its partners and residents."
        ],
        "further": [
            "Future phases of the transformation programme will continue to involve "
            "close integration with ICT and alignment with the strategy and digital "
            "framework now agreed."
        ],
    },
]


def load(people: dict[str, User], programmes: dict[str, Programme]) -> None:
    _load_boards_and_annex_2(people)
    load_logs(people, programmes)


def _load_boards_and_annex_2(people: dict[str, User]) -> None:
    for slug, name, kind, chair, members, purpose in BOARDS:
        board, created = Board.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "kind": kind, "chair": people[chair], "purpose": purpose},
        )
        if created:
            board.members.set([people[m] for m in members])
    for slug, name, lead in PORTFOLIO_BOARDS:
        board, created = Board.objects.get_or_create(
            slug=f"{slug}-portfolio-board",
            defaults={
                "name": name,
                "kind": BoardKind.PORTFOLIO,
                "chair": people[lead],
                "portfolio": Portfolio.objects.get(slug=slug),
                "purpose": "Oversees the programmes of its portfolio.",
            },
        )
        if created:
            board.members.set([people[lead], people["board"]])
    for risk in ANNEX_2_RISKS:
        likelihood, impact = RATING[risk["rating"]]
        Risk.objects.get_or_create(
            title=risk["title"],
            programme=None,
            defaults={
                "cause": risk.get("cause", ""),
                "event": risk["event"],
                "effect": risk.get("effect", ""),
                "inherent_likelihood": min(likelihood + 1, 5),
                "inherent_impact": impact,
                "residual_likelihood": likelihood,
                "residual_impact": impact,
                "target_likelihood": max(likelihood - 1, 1),
                "target_impact": impact,
                "existing_controls": "\n".join(risk["controls"]),
                "further_action": "\n".join(risk["further"]),
                "owner": people["pmo"],
                "review_date": date(2020, 3, 31),
                "proximity": "Within the current MTFP period",
                "response": RiskResponse.TREAT,
                "escalated": risk["rating"] == "High",
            },
        )


# --- Programme logs (RAID, actions, decisions, change requests, RACI, terms of reference) -------
# Dates are relative to the day the demo is loaded, so "overdue" stays true whenever it is run.

TERMS_OF_REFERENCE = {
    "strategic-transformation-board": (
        "The Strategic Transformation Board (STB) is the design authority of the Transformation "
        "Programme.\n\nIt reviews Strategic Outline Cases (SOC) and decides whether each becomes "
        "part of the Employer, Partner or Place Shaper of Choice portfolio; assigns each programme "
        "its category (A: significant financial, political or reputational weight; B; C) and "
        "guardrails; agrees the investment and expected return on investment of category A "
        "programmes at Initial and Full Programme Brief; and agrees that programmes progress to "
        "delivery.\n\nIt decides change requests above the thresholds set by the PMO, and receives "
        "closure reports of category A programmes."
    ),
    "delivery-board": (
        "The Delivery Board receives the Initial Programme Brief (Section A) and the Full "
        "Programme Brief (Section B) once signed off by the SRO, and oversees delivery through "
        "the Programme Workbooks and the Transformation Dashboard.\n\nIt decides change requests "
        "above the Delivery Board thresholds set by the PMO, tracks escalated risks and overdue "
        "actions, and receives closure reports."
    ),
    "employer-of-choice-portfolio-board": (
        "Becoming an Employer of Choice: oversees the portfolio's programmes, their RAID logs, "
        "dependencies and benefits; decides change requests below the Delivery Board thresholds "
        "for programmes without their own Programme Board."
    ),
    "partner-of-choice-portfolio-board": (
        "Becoming a Partner of Choice: oversees the portfolio's programmes, their RAID logs, "
        "dependencies and benefits; decides change requests below the Delivery Board thresholds "
        "for programmes without their own Programme Board."
    ),
    "place-shaper-of-choice-portfolio-board": (
        "Becoming a Place Shaper of Choice: oversees the portfolio's programmes, their RAID logs, "
        "dependencies and benefits; decides change requests below the Delivery Board thresholds "
        "for programmes without their own Programme Board."
    ),
    "commercial-programme-board": (
        "A Programme Board is established to oversee the Commercial programme. It is chaired by "
        "the SRO, meets monthly, reviews the Programme Workbook and RAID log, and decides change "
        "requests below the Delivery Board thresholds."
    ),
}

# programme, title, cause, event, effect, (inherent L, I), (residual L, I), (target L, I),
# controls, further action, owner, review in days (negative: overdue), escalated
PROGRAMME_RISKS = [
    (
        "business-intelligence",
        "Data quality in source systems",
        "Source systems hold duplicate and incomplete records.",
        "Dashboards built on the data are not trusted by services.",
        "Decisions continue to be taken without data and insight.",
        (4, 4),
        (4, 4),
        (2, 3),
        "Data owners named for each source system.",
        "Data cleansing sprint before the first dashboards go live.",
        "manager",
        -14,
        True,
    ),
    (
        "business-intelligence",
        "Analyst capacity",
        "Two analyst posts are vacant.",
        "Work on the data platform slows.",
        "Delivery of the Full Programme Brief slips.",
        (4, 3),
        (3, 3),
        (2, 2),
        "Interim support from the IT, Innovation and Digital team.",
        "Recruit through the data and insight community of practice.",
        "manager",
        30,
        False,
    ),
    (
        "commercial",
        "Income assumptions not realised",
        "The market for new commercial offerings is untested.",
        "Income is lower than the business case assumes.",
        "The savings counted towards the MTFP are not delivered.",
        (5, 4),
        (4, 5),
        (3, 3),
        "Income profiled prudently; quarterly review with Finance.",
        "Market testing of the first two offerings before launch.",
        "sro",
        -7,
        True,
    ),
    (
        "commercial",
        "Reputational sensitivity",
        "Some commercial offerings compete with local businesses.",
        "Adverse publicity about the council trading.",
        "Reputational damage to the council.",
        (3, 4),
        (2, 4),
        (2, 3),
        "Communications plan agreed with the Portfolio Lead.",
        "Engagement with local business groups.",
        "manager",
        60,
        False,
    ),
    (
        "finance",
        "Finance team structure embedding",
        "The new corporate finance team structure went live in December 2019.",
        "Roles are not yet fully embedded.",
        "Business partnering is inconsistent.",
        (3, 3),
        (2, 3),
        (1, 2),
        "Monthly check-in with Finance business partners.",
        "Training plan for business partners.",
        "manager",
        21,
        False,
    ),
]


def load_logs(people: dict[str, User], programmes: dict[str, Programme]) -> None:
    from governance.services import change_request_raise, change_thresholds

    today = timezone.localdate()
    manager, sro, pmo = people["manager"], people["sro"], people["pmo"]
    change_thresholds()
    bi, commercial = programmes["business-intelligence"], programmes["commercial"]
    finance, ai = programmes["finance"], programmes["strategic-ai"]

    programme_board, created = Board.objects.get_or_create(
        slug="commercial-programme-board",
        defaults={
            "name": "Commercial Programme Board",
            "kind": BoardKind.PROGRAMME,
            "programme": commercial,
            "chair": sro,
            "purpose": "Oversees the Commercial programme (category A, Partner of Choice).",
        },
    )
    if created:
        programme_board.members.set([sro, manager, people["robin"]])
    for board in Board.objects.filter(next_meeting__isnull=True):
        board.next_meeting = today + timedelta(days=14)
        board.save(update_fields=["next_meeting"])
    for slug, text in TERMS_OF_REFERENCE.items():
        board = Board.objects.get(slug=slug)
        TermsOfReference.objects.get_or_create(
            board=board, version=1, defaults={"text": text, "saved_by": pmo}
        )

    for (
        slug,
        title,
        cause,
        event,
        effect,
        inherent,
        residual,
        target,
        controls,
        further,
        owner,
        review,
        escalated,
    ) in PROGRAMME_RISKS:
        programme = programmes[slug]
        Risk.objects.get_or_create(
            programme=programme,
            title=title,
            defaults={
                "portfolio": programme.portfolio,
                "cause": cause,
                "event": event,
                "effect": effect,
                "inherent_likelihood": inherent[0],
                "inherent_impact": inherent[1],
                "residual_likelihood": residual[0],
                "residual_impact": residual[1],
                "target_likelihood": target[0],
                "target_impact": target[1],
                "existing_controls": controls,
                "further_action": further,
                "owner": people[owner],
                "review_date": today + timedelta(days=review),
                "proximity": "Within the next two quarters",
                "response": RiskResponse.TREAT,
                "escalated": escalated,
            },
        )

    for programme, title, owner, days in [
        (bi, "Services share their data through the data platform", manager, 45),
        (commercial, "Commercial team recruited by the start of delivery", manager, -10),
        (finance, "Directorates adopt the business partnering model", sro, 90),
    ]:
        Assumption.objects.get_or_create(
            programme=programme,
            title=title,
            defaults={"owner": owner, "validation_date": today + timedelta(days=days)},
        )
    Issue.objects.get_or_create(
        programme=bi,
        title="Legacy reporting tool licence ends before the replacement is ready",
        defaults={
            "priority": IssuePriority.HIGH,
            "owner": manager,
            "resolution": "Three-month licence extension requested from the supplier.",
        },
    )
    Issue.objects.get_or_create(
        programme=commercial,
        title="Pricing policy not yet agreed",
        defaults={"priority": IssuePriority.MEDIUM, "owner": sro},
    )
    Dependency.objects.get_or_create(
        programme=ai,
        title="Trusted data from the Business Intelligence data platform",
        defaults={
            "depends_on": bi,
            "owner": ai.manager,
            "needed_by": today + timedelta(days=120),
            "description": "Strategic AI (previously AI/RPA) needs the data platform's cleansed "
            "datasets before automations can be trained.",
        },
    )
    Dependency.objects.get_or_create(
        programme=commercial,
        title="Marketing system delivered by IT, Innovation and Digital",
        defaults={
            "outside_body": "IT, Innovation and Digital",
            "owner": manager,
            "needed_by": today + timedelta(days=60),
        },
    )

    for programme, title, owner, days, status in [
        (bi, "Name a data owner for each source system", manager, -20, ActionStatus.OPEN),
        (
            bi,
            "Agree the dashboard priorities with the Delivery Board",
            manager,
            10,
            ActionStatus.IN_PROGRESS,
        ),
        (
            commercial,
            "Market-test the first two commercial offerings",
            manager,
            -5,
            ActionStatus.OPEN,
        ),
        (commercial, "Draft the pricing policy for Cabinet", sro, 30, ActionStatus.OPEN),
        (finance, "Publish the business partnering handbook", manager, -40, ActionStatus.DONE),
    ]:
        Action.objects.get_or_create(
            programme=programme,
            title=title,
            defaults={
                "owner": owner,
                "due_date": today + timedelta(days=days),
                "status": status,
                "created_by": pmo,
            },
        )

    stb = Board.objects.get(slug="strategic-transformation-board")
    delivery = Board.objects.get(slug="delivery-board")
    for programme, board, summary, text, rationale in [
        (
            commercial,
            stb,
            "Commercial joins the Partner of Choice portfolio as category A",
            "The Strategic Outline Case is agreed: Commercial becomes part of the Partner "
            "of Choice Portfolio and is categorised as an A programme.",
            "Significant income potential; politically and reputationally sensitive.",
        ),
        (
            bi,
            delivery,
            "Business Intelligence renamed from Data and Insights",
            "The programme previously called Data and Insights continues as Business Intelligence.",
            "The name reflects the programme's scope after the Initial Programme Brief.",
        ),
    ]:
        if not Decision.objects.filter(programme=programme, summary=summary).exists():
            Decision.objects.create(
                programme=programme,
                board=board,
                summary=summary,
                decision=text,
                rationale=rationale,
                recorded_by=pmo,
                decided_on=date(2024, 4, 19),
            )

    milestone, _ = Milestone.objects.get_or_create(
        programme=commercial,
        title="New commercial offerings launched",
        defaults={
            "due_date": today + timedelta(days=90),
            "baseline_date": today + timedelta(days=90),
        },
    )
    title = "Launch the commercial offerings after market testing"
    if not ChangeRequest.objects.filter(programme=commercial, title=title).exists():
        change_request_raise(
            change_request=ChangeRequest(
                programme=commercial,
                title=title,
                kind=ChangeKind.TIME,
                description="Market testing of the first two offerings (the further action on the "
                "income risk) needs six more weeks before launch.",
                cost_impact=Decimal("12000.00"),
                time_impact_days=42,
                benefits_impact=Decimal("0.00"),
                baseline=BaselineKind.MILESTONE,
                milestone=milestone,
                new_due_date=milestone.due_date + timedelta(days=42),
            ),
            actor=manager,
        )

    raci = [
        ("Maintain the RAID log", {manager: "A", sro: "C", pmo: "I"}),
        ("Sign off the Full Programme Brief", {sro: "A", manager: "R", pmo: "C"}),
        ("Report to the Transformation Dashboard", {manager: "A", pmo: "R", sro: "I"}),
        ("Track benefits realisation", {sro: "A", manager: "R", pmo: "C"}),
    ]
    for programme in (bi, commercial):
        for position, (name, cells) in enumerate(raci, start=1):
            activity, created = RaciActivity.objects.get_or_create(
                programme=programme, name=name, defaults={"position": position}
            )
            if created:
                for person, role in cells.items():
                    RaciAssignment.objects.create(activity=activity, person=person, role=role)
