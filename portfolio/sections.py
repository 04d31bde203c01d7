"""The default sections of each stage document (installed as data; the PMO may change them).

The SOC and the briefs follow the Green Book five cases. The Initial Brief adds the response to
STB's guardrails and the investment and expected return on investment STB agrees; the Full Brief
adds the assessments the 2020 report says every change carries (SCIA, climate and
sustainability, staff implications) and Gate 3 requires them. The closure report records the
final sign-off, success against objectives, who tracks the benefits after closure and the
lessons learned.
"""

from .models import DocumentKind

FIVE_CASES = [
    ("strategic-case", "Strategic case", "The case for change: the problem or opportunity, how it "
     "fits the council's priorities and the Transformation goals, objectives and scope."),
    ("economic-case", "Economic case", "The options considered, including doing nothing, and the "
     "preferred option with its costs, benefits and risks."),
    ("commercial-case", "Commercial case", "How the preferred option will be sourced: partners, "
     "suppliers, procurement route and contract approach."),
    ("financial-case", "Financial case", "Costs (one-off and ongoing), savings or income by "
     "financial year, funding and affordability against the Medium Term Financial Plan."),
    ("management-case", "Management case", "How it will be delivered: SRO, programme manager, "
     "governance and reporting, resources and business partners (finance, HR, IT)."),
]  # fmt: skip

# document, key, title, guidance, required
DEFAULT_SECTIONS: list[tuple[str, str, str, str, bool]] = [
    *[(DocumentKind.SOC, k, t, g, True) for k, t, g in FIVE_CASES],
    (DocumentKind.SOC, "data-and-insight", "Data and insight",
     "The data and insight requested from the PMO, and what it shows.", False),
    *[(DocumentKind.INITIAL_BRIEF, k, t, g, True) for k, t, g in FIVE_CASES],
    (DocumentKind.INITIAL_BRIEF, "guardrails-response", "Response to the guardrails",
     "How the programme will work within the guardrails STB set at Gate 1.", True),
    (DocumentKind.INITIAL_BRIEF, "investment-and-roi", "Investment and expected return on "
     "investment", "The investment asked for and the expected return, for STB to agree.", True),
    *[(DocumentKind.FULL_BRIEF, k, t, g, True) for k, t, g in FIVE_CASES],
    (DocumentKind.FULL_BRIEF, "benefits-and-plan", "Plan and benefits", "A fully costed and "
     "resourced plan for how and when changes will be delivered, and the intended benefits.",
     True),
    (DocumentKind.FULL_BRIEF, "risks-and-dependencies", "Risks and dependencies",
     "The risks and how they are mitigated; dependencies on other programmes.", True),
    (DocumentKind.FULL_BRIEF, "scia", "Service and Community Impact Assessment (SCIA)",
     "The impact on services, residents and communities, and on groups with protected "
     "characteristics.", True),
    (DocumentKind.FULL_BRIEF, "climate", "Climate and sustainability assessment",
     "The effect on the council's climate action commitments.", True),
    (DocumentKind.FULL_BRIEF, "staff-implications", "Staff implications",
     "Staff consultation and redeployment.", True),
    (DocumentKind.CLOSURE_REPORT, "final-sign-off", "Final sign-off",
     "The final sign-off of the programme's outputs by the SRO and the receiving service.", True),
    (DocumentKind.CLOSURE_REPORT, "success-against-objectives", "Success against objectives",
     "How far each objective was met, with evidence.", True),
    (DocumentKind.CLOSURE_REPORT, "benefits-handover", "Benefits handed over for tracking",
     "Which benefits are still to be realised, and the owner who tracks them after closure.",
     True),
    (DocumentKind.CLOSURE_REPORT, "lessons-learned", "Lessons learned",
     "What went well, what did not, and what the PMO should share.", True),
]  # fmt: skip
