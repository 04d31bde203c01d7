"""Demo boards (2024 governance model) and the Annex 2 risks (Quarterly Review, Oct–Dec 2019).

The seed gives each risk's residual rating only (Low, Medium, Medium/High, High). The demo
scores it on the 5×5 matrix as Low 2×2, Medium 3×3, Medium/High 3×4, High 4×4, with the
inherent rating one step of likelihood higher and the target one step lower: those inherent and
target scores are the demo's assumption. The High risks are escalated.
"""

from datetime import date

from accounts.models import User
from portfolio.models import Portfolio, Programme

from .models import Board, BoardKind, Risk, RiskResponse

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
