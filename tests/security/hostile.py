"""The hostile-input registry: every form a user can submit, with who submits it and where.

test_hostile_inputs.py generates hostile values for each registered form's fields by field type
(huge and negative numbers, unicode with RTL and emoji, NUL bytes, HTML/JS, bad dates,
over-long strings), submits them, and asserts the response is never a 500 and no hostile markup
comes back unescaped, in that response or in the next GET of the page.

Registering a form is one entry in REGISTRY:

    HostileForm(
        "RAID risk",                               # the name printed in failures
        url=lambda demo: reverse("governance:risk_add", kwargs={"slug": demo.programme.slug}),
        form=RiskForm,                             # its fields choose the strategies
        actor="own_manager",                       # anonymous, pmo, own_manager, viewer, ...
    ),

``fixed`` pins fields that must not be generated (e.g. a version number); ``form_kwargs``
gives the arguments a form needs to be built (e.g. ``lambda demo: {"programme": demo.programme}``)
so its fields can be read; ``method`` is "GET" for filter forms. File fields are left out
(XLSX imports get their own malformed-file tests).

Grids (a whole table saved at once: the benefit profile, one-off costs, the RACI matrix) are in
GRIDS: besides those checks, a grid post must save every cell it carries or none, with the error
on the page (tests/security/grids.py builds their posts). UNREGISTERED_FORMS names the form
classes that need no entry, and why; test_out_of_range_ids.py fails on any other form class the
apps define that is in neither list.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.urls import reverse
from hypothesis import strategies as st

from accounts.forms import (
    PersonAddForm,
    PersonFilterForm,
    PersonRolesForm,
    RoleMappingForm,
    ThrottledAdminAuthenticationForm,
    ThrottledAuthenticationForm,
)
from accounts.models import User
from api.forms import AccessTokenForm
from benefits.forms import (
    BenefitForm,
    CostFormSet,
    DeliverabilityOverrideForm,
    ProfileFormSet,
    RealisationClaimForm,
    RealisationConfirmForm,
    RealisationFilterForm,
    TargetGridForm,
)
from benefits.models import Benefit, MTFPPlan
from dashboard.forms import DashboardFilterForm, PersonBoardsForm, ReassignForm
from governance import forms as gf
from governance.models import GatePolicy
from notifications.forms import ChoicesForm, OutboxFilterForm, WebhookForm
from portfolio.forms import (
    AssuranceRatingForm,
    HighlightReportForm,
    MilestoneCompleteForm,
    MilestoneForm,
    MilestoneMoveForm,
    PlanImportConfirmForm,
    ProgrammeCreateForm,
    ProgrammeFilterForm,
    SectionForm,
)
from reports.forms import LessonsAnnexForm, NarrativeForm, ProgressForm, QuarterForm
from reports.forms import SectionForm as ReportSectionForm
from tests.security import grids, samples


@dataclass(frozen=True)
class HostileForm:
    name: str
    url: Callable[[Any], str]
    form: type[forms.BaseForm]
    actor: str = "pmo"
    method: str = "POST"
    fixed: dict[str, Any] = field(default_factory=dict)
    form_kwargs: Callable[[Any], dict[str, Any]] = lambda demo: {}


@dataclass(frozen=True)
class HostileGrid:
    name: str
    url: Callable[[Any], str]
    form: type  # the formset or form class behind the grid
    post: Callable[[Any], st.SearchStrategy[grids.GridPost]]
    stored: Callable[[Any], dict[Any, Any]]
    actor: str = "own_manager"


REGISTRY: list[HostileForm] = [
    HostileForm(
        "sign-in",
        url=lambda demo: reverse("login"),
        form=ThrottledAuthenticationForm,
        actor="anonymous",
    ),
    # --- people (the PMO's) ----------------------------------------------------------------
    HostileForm("add a person", url=lambda demo: reverse("people:add"), form=PersonAddForm),
    HostileForm(
        "person's roles",
        url=lambda demo: reverse("people:roles", kwargs=samples.person(demo)),
        form=PersonRolesForm,
    ),
    HostileForm(
        "person's boards",
        url=lambda demo: reverse("people:boards", kwargs=samples.person(demo)),
        form=PersonBoardsForm,
    ),
    HostileForm(
        "reassign a person's work",
        url=lambda demo: reverse("people:reassign", kwargs=samples.person(demo)),
        form=ReassignForm,
        form_kwargs=lambda demo: {"person": User.objects.get(**samples.person(demo))},
    ),
    HostileForm(
        "role from a sign-in group",
        url=lambda demo: reverse("people:role_mappings"),
        form=RoleMappingForm,
    ),
    HostileForm(
        "people search",
        url=lambda demo: reverse("people:list"),
        form=PersonFilterForm,
        method="GET",
    ),
    HostileForm(
        "personal access token",
        url=lambda demo: reverse("api:token_list"),
        form=AccessTokenForm,
        actor="viewer",
    ),
    HostileForm(
        "admin sign-in",
        url=lambda demo: reverse("admin:login"),
        form=ThrottledAdminAuthenticationForm,
        actor="anonymous",
    ),
    HostileForm(
        "programme filter",
        url=lambda demo: reverse("portfolio:programme_list"),
        form=ProgrammeFilterForm,
        actor="viewer",
        method="GET",
    ),
    HostileForm(
        "quarterly report: open a quarter",
        url=lambda demo: reverse("reports:report_list"),
        form=QuarterForm,
    ),
    HostileForm(
        "quarterly report: narrative",
        url=lambda demo: reverse("reports:report_edit", kwargs={"quarter": "2019-20-q4"}),
        form=NarrativeForm,
        fixed={"version": "0"},
    ),
    HostileForm(
        "quarterly report: programme progress",
        url=lambda demo: reverse(
            "reports:progress_edit",
            kwargs={
                "quarter": "2019-20-q4",
                "pk": _report_progress_pk(),
            },
        ),
        form=ProgressForm,
    ),
    HostileForm(
        "quarterly report: section or annex",
        url=lambda demo: reverse("reports:section_add", kwargs={"quarter": "2019-20-q4"}),
        form=ReportSectionForm,
    ),
    # --- portfolio and lifecycle ---------------------------------------------------------------
    HostileForm(
        "programme new",
        url=lambda demo: reverse("portfolio:programme_new"),
        form=ProgrammeCreateForm,
    ),
    HostileForm(
        "document section save",
        url=lambda demo: reverse("portfolio:section_update", kwargs=samples.section(demo)),
        form=SectionForm,
        actor="own_manager",
    ),
    HostileForm(
        "highlight report",
        url=lambda demo: reverse("portfolio:workbook", kwargs=samples.programme(demo)),
        form=HighlightReportForm,
        actor="own_manager",
    ),
    HostileForm(
        "independent assurance rating",
        url=lambda demo: reverse("portfolio:assurance_rating_new", kwargs=samples.programme(demo)),
        form=AssuranceRatingForm,
    ),
    HostileForm(
        "plan: add a milestone",
        url=lambda demo: reverse("portfolio:plan", kwargs=samples.programme(demo)),
        form=MilestoneForm,
        actor="own_manager",
        form_kwargs=lambda demo: {"programme": demo.programme},
    ),
    HostileForm(
        "plan: change a milestone",
        url=lambda demo: reverse("portfolio:milestone_edit", kwargs=samples.milestone(demo)),
        form=MilestoneForm,
        actor="own_manager",
        form_kwargs=lambda demo: {"programme": demo.programme},
    ),
    HostileForm(
        "plan: complete a milestone",
        url=lambda demo: reverse("portfolio:milestone_complete", kwargs=samples.milestone(demo)),
        form=MilestoneCompleteForm,
        actor="own_manager",
    ),
    HostileForm(
        "plan: move a milestone",
        url=lambda demo: reverse("portfolio:milestone_move", kwargs=samples.milestone(demo)),
        form=MilestoneMoveForm,
        actor="own_manager",
    ),
    HostileForm(
        "plan: confirm a Project import",
        url=lambda demo: reverse("portfolio:plan_import_confirm", kwargs=samples.programme(demo)),
        form=PlanImportConfirmForm,
        actor="own_manager",
    ),
    HostileForm(
        "gate decide",
        url=lambda demo: reverse("governance:review_detail", kwargs=samples.gate_review(demo)),
        form=gf.DecideForm,
    ),
    HostileForm(
        "programme status",
        url=lambda demo: reverse("governance:programme_status", kwargs=samples.programme(demo)),
        form=gf.ProgrammeStatusForm,
    ),
    HostileForm(
        "programme settings",
        url=lambda demo: reverse("governance:programme_settings", kwargs=samples.programme(demo)),
        form=gf.ProgrammeSettingsForm,
        form_kwargs=lambda demo: {"instance": demo.programme, "administer": True},
    ),
    HostileForm(
        "programme settings (SRO)",
        url=lambda demo: reverse("governance:programme_settings", kwargs=samples.programme(demo)),
        form=gf.ProgrammeSettingsForm,
        actor="sro",
        form_kwargs=lambda demo: {"instance": demo.programme, "administer": False},
    ),
    HostileForm(
        "closure checklist",
        url=lambda demo: reverse("governance:closure_checklist", kwargs=samples.programme(demo)),
        form=gf.ClosureChecklistForm,
        actor="own_manager",
        form_kwargs=lambda demo: {"programme": demo.programme},
    ),
    HostileForm(
        "escalation (decision request)",
        url=lambda demo: reverse("governance:escalation_add", kwargs=samples.programme(demo)),
        form=gf.EscalationForm,
        actor="own_manager",
        form_kwargs=lambda demo: {"decision_request": True},
    ),
    HostileForm(
        "escalation response",
        url=lambda demo: reverse("governance:escalation_detail", kwargs=samples.escalation(demo)),
        form=gf.EscalationResponseForm,
        actor="board",
    ),
    HostileForm(
        "board new",
        url=lambda demo: reverse("governance:board_new"),
        form=gf.BoardCreateForm,
    ),
    HostileForm(
        "gate policy",
        url=lambda demo: reverse("governance:gate_policy_edit", kwargs=samples.gate_policy(demo)),
        form=gf.GatePolicyForm,
        form_kwargs=lambda demo: {"policy": GatePolicy.objects.order_by("pk").first()},
    ),
    # --- governance logs ------------------------------------------------------------------------
    *[
        HostileForm(
            f"RAID {kind}",
            url=lambda demo, kind=kind: reverse(
                f"governance:{kind}_add", kwargs=samples.programme(demo)
            ),
            form=form,
            actor="own_manager",
            form_kwargs=(lambda demo: {"programme": demo.programme})
            if kind == "dependencies"
            else (lambda demo: {}),
        )
        for kind, form in [
            ("risks", gf.RiskForm),
            ("assumptions", gf.AssumptionForm),
            ("issues", gf.IssueForm),
            ("dependencies", gf.DependencyForm),
            ("actions", gf.ActionForm),
        ]
    ],
    HostileForm(
        "decision",
        url=lambda demo: reverse("governance:decision_add", kwargs=samples.programme(demo)),
        form=gf.DecisionForm,
        actor="own_manager",
    ),
    HostileForm(
        "change request",
        url=lambda demo: reverse("governance:change_request_add", kwargs=samples.programme(demo)),
        form=gf.ChangeRequestForm,
        actor="own_manager",
        form_kwargs=lambda demo: {"programme": demo.programme},
    ),
    HostileForm(
        "change request decision",
        url=lambda demo: reverse(
            "governance:change_request_detail", kwargs=samples.change_request(demo)
        ),
        form=gf.ChangeDecisionForm,
        actor="board",
    ),
    HostileForm(
        "change thresholds",
        url=lambda demo: reverse("governance:thresholds"),
        form=gf.ThresholdsForm,
    ),
    HostileForm(
        "reporting calendar",
        url=lambda demo: reverse("governance:reporting_calendar"),
        form=gf.ReportingCalendarForm,
    ),
    HostileForm(
        "board",
        url=lambda demo: reverse("governance:board_edit", kwargs=samples.board(demo)),
        form=gf.BoardForm,
    ),
    HostileForm(
        "terms of reference",
        url=lambda demo: reverse("governance:terms_of_reference_edit", kwargs=samples.board(demo)),
        form=gf.TermsOfReferenceForm,
    ),
    HostileForm(
        "board's Teams channel",
        url=lambda demo: reverse("governance:board_teams", kwargs=samples.board(demo)),
        form=WebhookForm,
    ),
    # --- notifications --------------------------------------------------------------------------
    HostileForm(
        "notification choices",
        url=lambda demo: reverse("notifications:choices"),
        form=ChoicesForm,
        actor="viewer",
    ),
    HostileForm(
        "outbox filter",
        url=lambda demo: reverse("notifications:outbox"),
        form=OutboxFilterForm,
        method="GET",
    ),
    # --- benefits -------------------------------------------------------------------------------
    HostileForm(
        "benefit",
        url=lambda demo: reverse("benefits:benefit_add", kwargs=samples.programme(demo)),
        form=BenefitForm,
        actor="own_manager",
    ),
    HostileForm(
        "benefit deliverability override",
        url=lambda demo: reverse("benefits:benefit_deliverability", kwargs=samples.benefit(demo)),
        form=DeliverabilityOverrideForm,
    ),
    HostileForm(
        "benefit realisation claim",
        url=lambda demo: reverse("benefits:benefit_realised", kwargs=samples.benefit(demo)),
        form=RealisationClaimForm,
        actor="own_manager",
    ),
    HostileForm(
        "benefit realisation confirm",
        url=lambda demo: reverse(
            "benefits:benefit_realisation_confirm", kwargs=samples.benefit(demo)
        ),
        form=RealisationConfirmForm,
    ),
    HostileForm(
        "benefits realisation filter",
        url=lambda demo: reverse("benefits:realisation"),
        form=RealisationFilterForm,
        method="GET",
    ),
    HostileForm(
        "MTFP line deliverability override",
        url=lambda demo: reverse("benefits:line_deliverability", kwargs=samples.mtfp_line(demo)),
        form=DeliverabilityOverrideForm,
    ),
    HostileForm(
        "MTFP targets grid",
        url=lambda demo: reverse("benefits:mtfp_targets", kwargs=samples.mtfp_plan(demo)),
        form=TargetGridForm,
        form_kwargs=lambda demo: _plan_and_lines(),
    ),
]


REGISTRY.append(
    HostileForm(
        "RACI grid: add a column",
        url=lambda demo: reverse("governance:raci_edit", kwargs=samples.programme(demo)),
        form=gf.RaciColumnsForm,
        actor="own_manager",
        method="GET",
    )
)

# --- filters (GET) on the governance logs and the dashboard ---------------------------------------
REGISTRY += [
    HostileForm(
        f"{kind} filter",
        url=lambda demo, kind=kind: reverse(
            f"governance:{kind}_list", kwargs=samples.programme(demo)
        ),
        form=form,
        actor="viewer",
        method="GET",
    )
    for kind, form in [
        ("risks", gf.RiskFilterForm),
        ("assumptions", gf.AssumptionFilterForm),
        ("issues", gf.IssueFilterForm),
        ("dependencies", gf.DependencyFilterForm),
        ("actions", gf.ActionFilterForm),
        ("decisions", gf.DecisionFilterForm),
        ("change_requests", gf.ChangeRequestFilterForm),
    ]
] + [
    HostileForm(
        "dashboard filter",
        url=lambda demo: reverse("dashboard:dashboard"),
        form=DashboardFilterForm,
        actor="viewer",
        method="GET",
    ),
]


def _benefit(kwargs: dict[str, Any]) -> Benefit:
    return Benefit.objects.get(pk=kwargs["pk"])


GRIDS: list[HostileGrid] = [
    HostileGrid(
        "benefit profile grid (MTFP plan years)",
        url=lambda demo: reverse("benefits:profile_save", kwargs=samples.planned_benefit(demo)),
        form=ProfileFormSet,
        post=lambda demo: grids.formset_post(
            money=("planned", "forecast", "actual"),
            years=[
                y.start_year
                for y in _benefit(samples.planned_benefit(demo)).mtfp_line.plan.financial_years
            ],
        ),
        stored=lambda demo: grids.profile_stored(_benefit(samples.planned_benefit(demo))),
    ),
    HostileGrid(
        "benefit profile grid (no plan)",
        url=lambda demo: reverse("benefits:profile_save", kwargs=samples.benefit(demo)),
        form=ProfileFormSet,
        post=lambda demo: grids.formset_post(
            money=("planned", "forecast", "actual"), years=list(range(2015, 2031))
        ),
        stored=lambda demo: grids.profile_stored(_benefit(samples.benefit(demo))),
    ),
    HostileGrid(
        "one-off costs grid",
        url=lambda demo: reverse("benefits:one_off_costs", kwargs=samples.programme(demo)),
        form=CostFormSet,
        post=lambda demo: grids.formset_post(
            money=("budget", "actual"), years=list(range(2015, 2031))
        ),
        stored=lambda demo: grids.costs_stored(demo.programme),
    ),
    HostileGrid(
        "RACI grid",
        url=lambda demo: reverse("governance:raci_edit", kwargs=samples.programme(demo)),
        form=gf.RaciGridForm,
        post=lambda demo: grids.raci_post(demo.programme),
        stored=lambda demo: grids.raci_stored(demo.programme),
    ),
]

# --- the lessons-learned library, and the report's lessons annex -------------------------------
REGISTRY += [
    HostileForm(
        "lesson (record)",
        url=lambda demo: reverse("governance:lesson_add", kwargs=samples.programme(demo)),
        form=gf.LessonForm,
        actor="own_manager",
    ),
    HostileForm(
        "lesson (correct)",
        url=lambda demo: reverse("governance:lesson_edit", kwargs=samples.lesson(demo)),
        form=gf.LessonForm,
        actor="own_manager",
    ),
    HostileForm(
        "lessons library filter",
        url=lambda demo: reverse("governance:lesson_list"),
        form=gf.LessonFilterForm,
        actor="viewer",
        method="GET",
    ),
    HostileForm(
        "lesson adopted into practice",
        url=lambda demo: reverse("governance:lesson_adopt", kwargs=samples.lesson(demo)),
        form=gf.LessonAdoptForm,
    ),
    HostileForm(
        "lesson merge",
        url=lambda demo: reverse("governance:lesson_merge", kwargs=samples.lesson(demo)),
        form=gf.LessonMergeForm,
    ),
    HostileForm(
        "quarterly report: lessons annex",
        url=lambda demo: reverse("reports:lessons_edit", kwargs={"quarter": "2019-20-q4"}),
        form=LessonsAnnexForm,
        form_kwargs=lambda demo: {"chosen": []},
    ),
]

# Form classes with no entry of their own, and why.
UNREGISTERED_FORMS = {
    "benefits.forms.ProfileRowForm": "a row of ProfileFormSet (GRIDS)",
    "benefits.forms.CostRowForm": "a row of CostFormSet (GRIDS)",
    "benefits.forms.BaseGridFormSet": "the base of the grid formsets (GRIDS)",
    "benefits.forms.TargetImportForm": "a file upload: test_malformed_xlsx.py",
    "governance.forms.RaidImportForm": "a file upload: test_malformed_xlsx.py",
    "portfolio.forms.PlanImportForm": "a file upload: tests/portfolio/test_plan_import.py",
    "onboarding.forms.UploadForm": "a file upload: tests/onboarding/test_bad_input.py",
}


def _report_progress_pk() -> int:
    from reports.models import ProgrammeProgress

    return ProgrammeProgress.objects.filter(report__quarter_number=4).order_by("pk").first().pk


def _plan_and_lines() -> dict[str, Any]:
    plan = MTFPPlan.objects.order_by("pk").first()
    return {"plan": plan, "lines": list(plan.lines.all())}
