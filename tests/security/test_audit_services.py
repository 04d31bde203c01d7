"""Every service that takes an ``actor`` attributes what it writes to that actor, outside any
request too (a Celery task, a management command, the shell).

The services are found by introspection: a new public function taking ``actor`` in a write
module fails ``test_every_service_has_an_entry`` until it is given an entry in ``CASES`` below.
"""

from __future__ import annotations

import importlib
import inspect
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone
from openpyxl import Workbook
from simple_history.models import HistoricalRecords

from accounts import services as accounts
from accounts.models import RoleMapping, User
from accounts.roles import Role
from api import services as api
from api.models import AccessToken
from benefits import baselines
from benefits import services as benefits
from benefits.models import (
    Benefit,
    BenefitProfile,
    Deliverability,
    MTFPLine,
    MTFPTarget,
    OneOffCost,
)
from core.audit import acting_as, current_actor
from governance import administration, closure, escalations, lessons
from governance import imports as governance_imports
from governance import services as governance
from governance.models import (
    Action,
    Board,
    BoardKind,
    ChangeKind,
    ChangeRequest,
    ChangeThresholds,
    ClosureHandover,
    Decision,
    Escalation,
    Gate,
    GatePolicy,
    GateReview,
    Issue,
    Lesson,
    RaciActivity,
    RaciAssignment,
    RaidImport,
    ReportingCalendar,
    Risk,
    TermsOfReference,
)
from notifications import services as notifications
from onboarding import services as onboarding
from onboarding.models import OnboardingUpload, UploadStatus
from portfolio import services as portfolio
from portfolio.models import (
    AssuranceRating,
    DocumentKind,
    DocumentSection,
    HighlightReport,
    Milestone,
    Programme,
    SectionTemplate,
    Stage,
    StageDocument,
)
from portfolio.periods import Quarter
from portfolio.project_xml import PlanRow
from reports import services as reports
from reports.models import (
    BoardPackPdf,
    DeepDivePack,
    ProgrammeProgress,
    QuarterlyReport,
    ReportSection,
    ReportVersion,
    VersionStatus,
)
from tests.benefits.factories import (
    BenefitFactory,
    BenefitProfileFactory,
    MTFPLineFactory,
    MTFPPlanFactory,
)
from tests.governance.factories import BoardFactory, RiskFactory
from tests.portfolio.factories import MilestoneFactory, PortfolioFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

# Write modules that are not called services.py but hold services taking an actor.
EXTRA_WRITE_MODULES = [
    "benefits.baselines",
    "governance.imports",
    "governance.administration",
    "governance.closure",
    "governance.escalations",
    "governance.lessons",
]


def write_modules() -> list[ModuleType]:
    modules = []
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)):
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.services"))
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.services":
                raise
    return modules + [importlib.import_module(name) for name in EXTRA_WRITE_MODULES]


def services_taking_an_actor() -> list[str]:
    found = []
    for module in write_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            if "actor" in inspect.signature(function).parameters:
                found.append(f"{module.__name__}.{name}")
    return sorted(found)


SERVICES = services_taking_an_actor()


@dataclass
class Expect:
    """How to call one service as ``actor``, and what it writes.

    ``history``: models whose new history rows must all name the actor (at least one each).
    ``records``: append-only records (no history) and the field that names who made them.
    """

    actor: Any
    call: Callable[[], object]
    history: list[type[models.Model]] = field(default_factory=list)
    records: list[tuple[type[models.Model], str]] = field(default_factory=list)


CASES: dict[str, Callable[[SimpleNamespace], Expect]] = {}


def case(*names: str) -> Callable[[Callable[[SimpleNamespace], Expect]], Any]:
    def register(build: Callable[[SimpleNamespace], Expect]) -> Any:
        for name in names:
            CASES[name] = build
        return build

    return register


@pytest.fixture
def w(make_user, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    portfolio.section_templates_install()
    governance.gate_policy_install_defaults()
    world = SimpleNamespace(
        pmo=make_user(Role.PMO, username="audit-pmo"),
        manager=make_user(Role.PROGRAMME_MANAGER, username="audit-manager"),
        sro=make_user(Role.SRO, username="audit-sro"),
        board=make_user(Role.BOARD_MEMBER, username="audit-board"),
    )
    world.portfolio = PortfolioFactory()
    world.stb = BoardFactory(kind=BoardKind.STB, members=[world.board])
    world.delivery = BoardFactory(kind=BoardKind.DELIVERY, members=[world.board])
    world.programme = ProgrammeFactory(
        portfolio=world.portfolio, manager=world.manager, sro=world.sro
    )
    return world


def written_soc(w: SimpleNamespace) -> Programme:
    """A programme in Identify whose SOC is complete (written by the manager)."""
    programme = ProgrammeFactory(portfolio=w.portfolio, manager=w.manager, sro=w.sro)
    for template in SectionTemplate.objects.filter(document=DocumentKind.SOC, required=True):
        portfolio.section_save(
            programme=programme, kind=DocumentKind.SOC, key=template.key, text="Written.",
            base_version=0, actor=w.manager,
        )  # fmt: skip
    return programme


def open_review(w: SimpleNamespace) -> GateReview:
    return governance.gate_review_submit(programme=written_soc(w), actor=w.manager)


def change_request(w: SimpleNamespace, **fields: Any) -> ChangeRequest:
    change = ChangeRequest(
        programme=w.programme, title="Move the go-live", kind=ChangeKind.TIME,
        description="The supplier is late.", cost_impact=Decimal(0), time_impact_days=10,
        benefits_impact=Decimal(0), **fields,
    )  # fmt: skip
    return governance.change_request_raise(change_request=change, actor=w.manager)


def current_quarter() -> Quarter:
    return Quarter.from_date(timezone.localdate())


# --- governance ---------------------------------------------------------------------------


@case("governance.services.decision_record")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.pmo,
        lambda: governance.decision_record(
            programme=w.programme, board=w.stb, summary="Agreed", decision="Agreed.", actor=w.pmo
        ),
        records=[(Decision, "recorded_by")],
    )


@case("governance.services.action_create")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.pmo,
        lambda: governance.action_create(
            programme=w.programme,
            title="Check",
            owner=w.manager,
            due_date=date(2030, 1, 1),
            actor=w.pmo,
        ),
        history=[Action],
    )


@case("governance.services.gate_policy_update")
def _(w: SimpleNamespace) -> Expect:
    policy = GatePolicy.objects.filter(gate=Gate.GATE_2).first()
    return Expect(
        w.pmo,
        lambda: governance.gate_policy_update(policy=policy, sign_offs=["delivery"], actor=w.pmo),
        history=[GatePolicy],
    )


@case("governance.services.gate_review_submit")
def _(w: SimpleNamespace) -> Expect:
    programme = written_soc(w)
    return Expect(
        w.manager,
        lambda: governance.gate_review_submit(programme=programme, actor=w.manager),
        history=[GateReview, StageDocument],
    )


@case("governance.services.gate_review_withdraw")
def _(w: SimpleNamespace) -> Expect:
    review = open_review(w)
    return Expect(
        w.sro,
        lambda: governance.gate_review_withdraw(review=review, actor=w.sro),
        history=[GateReview, StageDocument],
    )


@case("governance.services.gate_review_decide")
def _(w: SimpleNamespace) -> Expect:
    review = open_review(w)
    return Expect(
        w.board,
        lambda: governance.gate_review_decide(
            review=review,
            step=0,
            outcome="approve",
            reasons="A good case.",
            actor=w.board,
            portfolio=w.portfolio,
            category="B",
        ),
        history=[GateReview, Programme, StageDocument],
        records=[(Decision, "recorded_by")],
    )


@case("governance.services.programme_status_decide")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.board,
        lambda: governance.programme_status_decide(
            programme=w.programme,
            move="pause",
            board=w.delivery,
            reasons="Funding paused.",
            actor=w.board,
        ),
        history=[Programme],
        records=[(Decision, "recorded_by")],
    )


@case("governance.services.log_entry_save")
def _(w: SimpleNamespace) -> Expect:
    risk = Risk(
        title="Supplier fails", inherent_likelihood=3, inherent_impact=3, residual_likelihood=2,
        residual_impact=2, target_likelihood=1, target_impact=1, owner=w.manager,
    )  # fmt: skip
    return Expect(
        w.manager,
        lambda: governance.log_entry_save(instance=risk, programme=w.programme, actor=w.manager),
        history=[Risk],
    )


@case("governance.services.risk_to_issue")
def _(w: SimpleNamespace) -> Expect:
    risk = RiskFactory(programme=w.programme, owner=w.manager)
    return Expect(
        w.manager,
        lambda: governance.risk_to_issue(risk=risk, actor=w.manager),
        history=[Issue, Risk],
    )


@case("governance.services.reporting_calendar_set")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.pmo,
        lambda: governance.reporting_calendar_set(highlight_report_due_day=7, actor=w.pmo),
        history=[ReportingCalendar],
    )


@case("governance.services.change_thresholds_set")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.pmo,
        lambda: governance.change_thresholds_set(
            delivery_board_cost=Decimal(1000),
            delivery_board_days=5,
            stb_cost=Decimal(5000),
            stb_days=20,
            actor=w.pmo,
        ),
        history=[ChangeThresholds],
    )


@case("governance.services.change_request_raise")
def _(w: SimpleNamespace) -> Expect:
    return Expect(w.manager, lambda: change_request(w), history=[ChangeRequest])


@case("governance.services.change_request_decide")
def _(w: SimpleNamespace) -> Expect:
    milestone = MilestoneFactory(programme=w.programme, due_date=date(2030, 1, 1))
    change = change_request(
        w, baseline="milestone", milestone=milestone, new_due_date=date(2030, 2, 1)
    )
    return Expect(
        w.board,
        lambda: governance.change_request_decide(
            change_request=change, approve=True, reasons="Agreed.", actor=w.board
        ),
        history=[ChangeRequest, type(milestone)],
        records=[(Decision, "recorded_by")],
    )


@case("governance.services.raci_save")
def _(w: SimpleNamespace) -> Expect:
    activity = RaciActivity.objects.create(programme=w.programme, name="Maintain the RAID log")
    RaciAssignment.objects.create(activity=activity, person=w.manager, role="A")
    RaciAssignment.objects.create(activity=activity, person=w.pmo, role="I")
    cells = {activity.pk: {w.manager.pk: "R", w.sro.pk: "A", w.pmo.pk: ""}}
    return Expect(
        w.manager,
        lambda: governance.raci_save(
            programme=w.programme, cells=cells, new_activity="Sign off", actor=w.manager
        ),
        history=[RaciAssignment, RaciActivity],
    )


@case("governance.services.terms_of_reference_save")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.pmo,
        lambda: governance.terms_of_reference_save(board=w.stb, text="Decides.", actor=w.pmo),
        records=[(TermsOfReference, "saved_by")],
    )


@case("governance.imports.raid_import")
def _(w: SimpleNamespace) -> Expect:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = governance_imports.SHEET
    sheet.append(governance_imports.HEADERS)
    row = dict.fromkeys(governance_imports.HEADERS, "")
    row.update({"Title": "Imported risk", **dict.fromkeys(governance_imports.SCORES, 2)})
    sheet.append([row[h] for h in governance_imports.HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("raid.xlsx", buffer.getvalue())

    def run() -> object:
        result = governance_imports.raid_import(
            programme=w.programme, upload=upload, actor=w.manager
        )
        assert result.ok, result.errors
        return result

    return Expect(w.manager, run, history=[Risk])


# --- benefits -----------------------------------------------------------------------------


@case("benefits.services.benefit_create")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.manager,
        lambda: benefits.benefit_create(
            programme=w.programme,
            title="Fewer agency staff",
            type="cashable_saving",
            directorate=w.programme.directorate,
            actor=w.manager,
        ),
        history=[Benefit],
    )


@case("benefits.services.benefit_update")
def _(w: SimpleNamespace) -> Expect:
    benefit = BenefitFactory(programme=w.programme)
    return Expect(
        w.manager,
        lambda: benefits.benefit_update(benefit=benefit, title="Renamed", actor=w.manager),
        history=[Benefit],
    )


@case("benefits.services.benefit_profile_save")
def _(w: SimpleNamespace) -> Expect:
    benefit = BenefitFactory(programme=w.programme)
    BenefitProfileFactory(benefit=benefit, financial_year=2020)
    rows = [
        benefits.ProfileRow(year, Decimal(100), Decimal(90), Decimal(0)) for year in (2020, 2021)
    ]
    return Expect(
        w.manager,
        lambda: benefits.benefit_profile_save(benefit=benefit, rows=rows, actor=w.manager),
        history=[BenefitProfile],
    )


@case("benefits.services.benefit_deliverability_override")
def _(w: SimpleNamespace) -> Expect:
    benefit = BenefitFactory(programme=w.programme)
    return Expect(
        w.pmo,
        lambda: benefits.benefit_deliverability_override(
            benefit=benefit, rating=Deliverability.RED, reason="Supplier late.", actor=w.pmo
        ),
        history=[Benefit],
    )


@case("benefits.services.mtfp_line_deliverability_override")
def _(w: SimpleNamespace) -> Expect:
    line = MTFPLineFactory()
    return Expect(
        w.pmo,
        lambda: benefits.mtfp_line_deliverability_override(
            line=line, rating=Deliverability.AMBER, reason="Needs work.", actor=w.pmo
        ),
        history=[MTFPLine],
    )


@case("benefits.services.one_off_costs_save")
def _(w: SimpleNamespace) -> Expect:
    rows = [benefits.CostRow(2020, Decimal(1000), Decimal(10))]
    return Expect(
        w.manager,
        lambda: benefits.one_off_costs_save(programme=w.programme, rows=rows, actor=w.manager),
        history=[OneOffCost],
    )


@case("benefits.services.mtfp_targets_save")
def _(w: SimpleNamespace) -> Expect:
    line = MTFPLineFactory()
    return Expect(
        w.pmo,
        lambda: benefits.mtfp_targets_save(
            plan=line.plan, amounts={(line.pk, 2020): Decimal(500)}, actor=w.pmo
        ),
        history=[MTFPTarget],
    )


@case("benefits.services.mtfp_import")
def _(w: SimpleNamespace) -> Expect:
    plan = MTFPPlanFactory()
    rows = [benefits.TargetImportRow("Adults", None, w.programme, 2021, Decimal(700))]
    return Expect(
        w.pmo,
        lambda: benefits.mtfp_import(plan=plan, rows=rows, actor=w.pmo),
        history=[MTFPLine, MTFPTarget],
    )


@case("benefits.baselines.one_off_budget_set")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.board,
        lambda: baselines.one_off_budget_set(
            programme=w.programme, financial_year=2021, budget=Decimal(900), actor=w.board
        ),
        history=[OneOffCost],
    )


@case("benefits.baselines.benefit_planned_set")
def _(w: SimpleNamespace) -> Expect:
    benefit = BenefitFactory(programme=w.programme)
    return Expect(
        w.board,
        lambda: baselines.benefit_planned_set(
            benefit=benefit, financial_year=2021, planned=Decimal(900), actor=w.board
        ),
        history=[BenefitProfile],
    )


# --- portfolio ----------------------------------------------------------------------------


@case("portfolio.services.programme_create")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.pmo,
        lambda: portfolio.programme_create(name="Smarter travel", manager=w.manager, actor=w.pmo),
        history=[Programme],
    )


@case("portfolio.services.section_save")
def _(w: SimpleNamespace) -> Expect:
    key = SectionTemplate.objects.filter(document=DocumentKind.SOC).first().key
    return Expect(
        w.manager,
        lambda: portfolio.section_save(
            programme=w.programme,
            kind=DocumentKind.SOC,
            key=key,
            text="Why.",
            base_version=0,
            actor=w.manager,
        ),
        history=[DocumentSection],
    )


@case("portfolio.services.document_freeze")
def _(w: SimpleNamespace) -> Expect:
    programme = written_soc(w)
    return Expect(
        w.manager,
        lambda: portfolio.document_freeze(
            programme=programme, kind=DocumentKind.SOC, actor=w.manager
        ),
        history=[StageDocument],
    )


@case("portfolio.services.document_unlock")
def _(w: SimpleNamespace) -> Expect:
    programme = written_soc(w)
    version = portfolio.document_freeze(programme=programme, kind=DocumentKind.SOC, actor=w.manager)
    return Expect(
        w.board,
        lambda: portfolio.document_unlock(document=version.document, actor=w.board),
        history=[StageDocument],
    )


@case("portfolio.services.milestone_save")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.manager,
        lambda: portfolio.milestone_save(
            programme=w.programme, title="Go live", due_date=date(2030, 1, 1), actor=w.manager
        ),
        history=[Milestone],
    )


@case("portfolio.services.milestone_complete")
def _(w: SimpleNamespace) -> Expect:
    milestone = MilestoneFactory(programme=w.programme, due_date=date(2024, 1, 1))
    return Expect(
        w.manager,
        lambda: portfolio.milestone_complete(
            milestone=milestone, completed_on=date(2024, 1, 2), actor=w.manager
        ),
        history=[Milestone],
    )


@case("portfolio.services.milestone_move")
def _(w: SimpleNamespace) -> Expect:
    MilestoneFactory(programme=w.programme, position=1)
    second = MilestoneFactory(programme=w.programme, position=2)
    return Expect(
        w.manager,
        lambda: portfolio.milestone_move(milestone=second, up=True, actor=w.manager),
        history=[Milestone],
    )


@case("portfolio.services.plan_import")
def _(w: SimpleNamespace) -> Expect:
    row = PlanRow(reference="MSP-1", title="Go live", due_date="2030-01-01")
    return Expect(
        w.manager,
        lambda: portfolio.plan_import(programme=w.programme, rows=[row], actor=w.manager),
        history=[Milestone],
    )


@case("portfolio.services.highlight_report_save")
def _(w: SimpleNamespace) -> Expect:
    Programme.objects.filter(pk=w.programme.pk).update(stage=Stage.DELIVER)
    w.programme.refresh_from_db()
    return Expect(
        w.manager,
        lambda: portfolio.highlight_report_save(
            programme=w.programme,
            month=date(2024, 5, 1),
            delivery_confidence="green",
            schedule_rag="green",
            budget_rag="green",
            benefits_rag="amber",
            risk_rag="green",
            actor=w.manager,
        ),
        history=[HighlightReport],
    )


@case("portfolio.services.assurance_rating_record")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.pmo,
        lambda: portfolio.assurance_rating_record(
            programme=w.programme, delivery_confidence="red", rationale="Capacity.", actor=w.pmo
        ),
        history=[AssuranceRating],
    )


# --- reports ------------------------------------------------------------------------------


def started_report(w: SimpleNamespace) -> QuarterlyReport:
    return reports.report_start(quarter=current_quarter(), actor=w.pmo)


def generated_version(report: QuarterlyReport, by: Any) -> ReportVersion:
    return ReportVersion.objects.create(
        report=report, number=1, status=VersionStatus.GENERATED, as_of=timezone.now(),
        requested_by=by,
    )  # fmt: skip


@case("reports.services.report_start")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.pmo,
        lambda: reports.report_start(quarter=current_quarter(), actor=w.pmo),
        history=[QuarterlyReport, ProgrammeProgress],
    )


@case("reports.services.report_update")
def _(w: SimpleNamespace) -> Expect:
    report = started_report(w)
    return Expect(
        w.manager,
        lambda: reports.report_update(
            report=report, executive_summary="Going well.", actor=w.manager
        ),
        history=[QuarterlyReport],
    )


@case("reports.services.report_progress_update")
def _(w: SimpleNamespace) -> Expect:
    progress = started_report(w).progress.first()
    return Expect(
        w.manager,
        lambda: reports.report_progress_update(
            progress=progress, paragraph="On track.", actor=w.manager
        ),
        history=[ProgrammeProgress],
    )


@case("reports.services.report_section_save")
def _(w: SimpleNamespace) -> Expect:
    report = started_report(w)
    return Expect(
        w.pmo,
        lambda: reports.report_section_save(
            report=report, title="Resourcing", body="Two posts filled.", actor=w.pmo
        ),
        history=[ReportSection],
    )


@case("governance.services.raid_import_request")
def _(w: SimpleNamespace) -> Expect:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = governance_imports.SHEET
    sheet.append(governance_imports.HEADERS)
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("raid.xlsx", buffer.getvalue())
    return Expect(
        w.manager,
        lambda: governance.raid_import_request(
            programme=w.programme, upload=upload, actor=w.manager
        ),
        records=[(RaidImport, "requested_by")],
    )


@case("onboarding.services.onboarding_upload")
def _(w: SimpleNamespace) -> Expect:
    upload = SimpleUploadedFile("onboarding.xlsx", b"checked by the worker, after commit")
    return Expect(
        w.pmo,
        lambda: onboarding.onboarding_upload(file=upload, actor=w.pmo),
        records=[(OnboardingUpload, "uploaded_by")],
    )


def checked_upload(w: SimpleNamespace) -> OnboardingUpload:
    return OnboardingUpload.objects.create(
        filename="onboarding.xlsx", data=b"x", status=UploadStatus.PREVIEWED, uploaded_by=w.manager
    )


@case("onboarding.services.onboarding_confirm")
def _(w: SimpleNamespace) -> Expect:
    upload = checked_upload(w)
    return Expect(
        w.pmo,
        lambda: onboarding.onboarding_confirm(upload=upload, actor=w.pmo),
        records=[(OnboardingUpload, "confirmed_by")],
    )


@case("onboarding.services.onboarding_discard")
def _(w: SimpleNamespace) -> Expect:
    upload = checked_upload(w)
    return Expect(
        w.pmo,
        lambda: onboarding.onboarding_discard(upload=upload, actor=w.pmo),
        records=[(OnboardingUpload, "discarded_by")],
    )


@case("reports.services.deep_dive_request")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.pmo,
        lambda: reports.deep_dive_request(programme=w.programme, actor=w.pmo),
        records=[(DeepDivePack, "requested_by")],
    )


@case("reports.services.board_pack_pdf_request")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.board,
        lambda: reports.board_pack_pdf_request(board=w.delivery, actor=w.board),
        records=[(BoardPackPdf, "requested_by")],
    )


@case("reports.services.report_generate")
def _(w: SimpleNamespace) -> Expect:
    report = started_report(w)
    return Expect(
        w.pmo,
        lambda: reports.report_generate(report=report, actor=w.pmo),
        records=[(ReportVersion, "requested_by")],
    )


@case("reports.services.report_publish")
def _(w: SimpleNamespace) -> Expect:
    version = generated_version(started_report(w), w.pmo)
    return Expect(
        w.pmo,
        lambda: reports.report_publish(version=version, actor=w.pmo),
        history=[QuarterlyReport],
        records=[(ReportVersion, "published_by")],
    )


@case("reports.services.report_correct")
def _(w: SimpleNamespace) -> Expect:
    version = generated_version(started_report(w), w.pmo)
    reports.report_publish(version=version, actor=w.pmo)
    return Expect(
        w.manager,
        lambda: reports.report_correct(report=version.report, actor=w.manager),
        history=[QuarterlyReport],
    )


# --- the tests ----------------------------------------------------------------------------


# --- people, access tokens, programme administration, closure, escalation ----------------------


@case("accounts.services.person_add")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.pmo,
        lambda: accounts.person_add(
            first_name="Ann",
            last_name="New",
            email="ann.new@example.org",
            username="ann.new",
            roles=[Role.VIEWER],
            actor=w.pmo,
        ),
        history=[User],
    )


@case("accounts.services.person_roles_set")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.pmo,
        lambda: accounts.person_roles_set(person=w.board, roles=[Role.VIEWER], actor=w.pmo),
        history=[User],
    )


@case("accounts.services.person_deactivate")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.pmo, lambda: accounts.person_deactivate(person=w.board, actor=w.pmo), history=[User]
    )


@case("accounts.services.person_reactivate")
def _(w: SimpleNamespace) -> Expect:
    User.objects.filter(pk=w.board.pk).update(is_active=False)
    w.board.refresh_from_db()
    return Expect(
        w.pmo, lambda: accounts.person_reactivate(person=w.board, actor=w.pmo), history=[User]
    )


@case("accounts.services.role_mapping_add")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.pmo,
        lambda: accounts.role_mapping_add(
            claim_value="group-1", role=Role.VIEWER, description="", actor=w.pmo
        ),
        history=[RoleMapping],
    )


@case("accounts.services.role_mapping_delete")
def _(w: SimpleNamespace) -> Expect:
    mapping = RoleMapping.objects.create(claim_value="group-2", role=Role.VIEWER)
    return Expect(
        w.pmo,
        lambda: accounts.role_mapping_delete(mapping=mapping, actor=w.pmo),
        history=[RoleMapping],
    )


@case("governance.services.board_save")
def _(w: SimpleNamespace) -> Expect:
    w.stb.purpose = "The design authority."
    return Expect(
        w.pmo,
        lambda: governance.board_save(board=w.stb, members=[w.board, w.sro], actor=w.pmo),
        history=[Board],
    )


@case("governance.services.person_boards_set")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.pmo,
        lambda: governance.person_boards_set(person=w.sro, boards=[w.delivery], actor=w.pmo),
        history=[Board],
    )


@case("governance.services.person_work_reassign")
def _(w: SimpleNamespace) -> Expect:
    governance.action_create(
        programme=w.programme, title="Chase", owner=w.board, due_date=date(2030, 1, 1),
        actor=w.pmo,
    )  # fmt: skip
    return Expect(
        w.pmo,
        lambda: governance.person_work_reassign(person=w.board, actions_to=w.manager, actor=w.pmo),
        history=[Action],
    )


@case("notifications.services.notification_resend")
def _(w: SimpleNamespace) -> Expect:
    from notifications.models import Notification, Status
    from notifications.outbox import Message, notify

    notify(kind="action_assigned", about=w.stb, period="audit", recipients=[w.manager],
           message=Message(subject="s", summary="t", path="/"))  # fmt: skip
    row = Notification.objects.get(period="audit")
    Notification.objects.filter(pk=row.pk).update(status=Status.FAILED)
    return Expect(
        w.pmo,
        lambda: notifications.notification_resend(notification=row, actor=w.pmo),
        records=[(Notification, "resent_by")],
    )


@case("notifications.services.notification_choices_set")
def _(w: SimpleNamespace) -> Expect:
    from notifications.models import Preference

    return Expect(
        w.board,
        lambda: notifications.notification_choices_set(
            person=w.board, choices={"review_reached": "daily"}, actor=w.board
        ),
        history=[Preference],
    )


@case("notifications.services.webhook_set")
def _(w: SimpleNamespace) -> Expect:
    from notifications.models import Webhook

    return Expect(
        w.pmo,
        lambda: notifications.webhook_set(
            target=w.stb, url="https://52.96.10.20/workflows/a", actor=w.pmo
        ),
        history=[Webhook],
    )


@case("api.services.access_token_create")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.manager,
        lambda: api.access_token_create(actor=w.manager, name="Power BI", expires_in_days=30),
        records=[(AccessToken, "owner")],
    )


@case("api.services.access_token_revoke")
def _(w: SimpleNamespace) -> Expect:
    token, _secret = api.access_token_create(actor=w.manager, name="Excel", expires_in_days=30)
    return Expect(
        w.pmo,
        lambda: api.access_token_revoke(token=token, actor=w.pmo),
        records=[(AccessToken, "revoked_by")],
    )


@case("governance.administration.open_items_hand_over")
def _(w: SimpleNamespace) -> Expect:
    RiskFactory(programme=w.programme, owner=w.manager)
    return Expect(
        w.pmo,
        lambda: administration.open_items_hand_over(
            programme=w.programme, old=w.manager, new=w.sro, actor=w.pmo
        ),
        history=[Risk],
    )


@case("governance.administration.programme_settings_update")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.pmo,
        lambda: administration.programme_settings_update(
            programme=w.programme, changes={"description": "Renamed."}, actor=w.pmo
        ),
        history=[Programme],
    )


@case("governance.administration.board_create")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.pmo,
        lambda: administration.board_create(
            name="Income Programme Board",
            kind=BoardKind.PROGRAMME,
            programme=w.programme,
            chair=w.board,
            members=[w.board],
            actor=w.pmo,
        ),
        history=[Board],
    )


@case("governance.administration.board_archive")
def _(w: SimpleNamespace) -> Expect:
    board = BoardFactory(kind=BoardKind.PROGRAMME, members=[w.board])
    return Expect(
        w.pmo, lambda: administration.board_archive(board=board, actor=w.pmo), history=[Board]
    )


@case("governance.closure.closure_checklist_record")
def _(w: SimpleNamespace) -> Expect:
    risk = RiskFactory(programme=w.programme, owner=w.manager)
    return Expect(
        w.manager,
        lambda: closure.closure_checklist_record(
            programme=w.programme,
            resolutions=[closure.Resolution(key=f"risk-{risk.pk}", outcome="close")],
            actor=w.manager,
        ),
        history=[Risk],
        records=[(ClosureHandover, "recorded_by")],
    )


@case("governance.escalations.escalation_raise")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.manager,
        lambda: escalations.escalation_raise(
            programme=w.programme,
            board=w.delivery,
            source="decision_request",
            ask="Agree to recruit now.",
            title="Recruitment",
            actor=w.manager,
        ),
        records=[(Escalation, "raised_by")],
    )


@case("governance.escalations.escalation_respond")
def _(w: SimpleNamespace) -> Expect:
    escalation = escalations.escalation_raise(
        programme=w.programme, board=w.delivery, source="decision_request",
        ask="Agree to recruit now.", title="Recruitment", actor=w.manager,
    )  # fmt: skip
    return Expect(
        w.board,
        lambda: escalations.escalation_respond(
            escalation=escalation, response="Agreed.", actor=w.board
        ),
        records=[(Escalation, "responded_by"), (Decision, "recorded_by")],
    )


# --- the lessons-learned library ---------------------------------------------------------


def a_lesson(w: SimpleNamespace, title: str = "Name a procurement lead early") -> Lesson:
    return lessons.lesson_record(
        programme=w.programme, title=title, what_happened="The framework was late.",
        polarity="negative", actor=w.manager,
    )  # fmt: skip


@case("governance.lessons.lesson_record")
def _(w: SimpleNamespace) -> Expect:
    return Expect(
        w.manager,
        lambda: lessons.lesson_record(
            programme=w.programme,
            title="Lesson",
            what_happened="It happened.",
            polarity="positive",
            actor=w.manager,
        ),
        history=[Lesson],
        records=[(Lesson, "recorded_by")],
    )


@case("governance.lessons.lesson_update")
def _(w: SimpleNamespace) -> Expect:
    lesson = a_lesson(w)
    return Expect(
        w.sro,
        lambda: lessons.lesson_update(
            lesson=lesson,
            title="Corrected",
            what_happened="It happened.",
            polarity="positive",
            actor=w.sro,
        ),
        history=[Lesson],
    )


@case("governance.lessons.lesson_adopt")
def _(w: SimpleNamespace) -> Expect:
    lesson = a_lesson(w)
    return Expect(
        w.pmo,
        lambda: lessons.lesson_adopt(lesson=lesson, what_changed="A new check.", actor=w.pmo),
        history=[Lesson],
        records=[(Lesson, "adopted_by")],
    )


@case("governance.lessons.lesson_merge")
def _(w: SimpleNamespace) -> Expect:
    keep, duplicate = a_lesson(w), a_lesson(w, "Procurement lead")
    return Expect(
        w.pmo, lambda: lessons.lesson_merge(lesson=duplicate, into=keep, actor=w.pmo),
        history=[Lesson],
    )  # fmt: skip


@case("governance.lessons.lessons_from_closure")
def _(w: SimpleNamespace) -> Expect:
    programme = ProgrammeFactory(
        portfolio=w.portfolio, manager=w.manager, sro=w.sro, stage=Stage.DELIVER
    )
    for template in SectionTemplate.objects.filter(
        document=DocumentKind.CLOSURE_REPORT, required=True
    ):
        portfolio.section_save(
            programme=programme, kind=DocumentKind.CLOSURE_REPORT, key=template.key,
            text="What went well:\n- Early engagement.", base_version=0, actor=w.manager,
        )  # fmt: skip
    review = governance.gate_review_submit(programme=programme, actor=w.manager)
    GateReview.objects.filter(pk=review.pk).update(status="approved")
    review.refresh_from_db()
    return Expect(
        w.board,
        lambda: lessons.lessons_from_closure(review=review, actor=w.board),
        history=[Lesson],
        records=[(Lesson, "recorded_by")],
    )


@case("reports.services.report_lessons_choose")
def _(w: SimpleNamespace) -> Expect:
    report, lesson = started_report(w), a_lesson(w)
    return Expect(
        w.pmo, lambda: reports.report_lessons_choose(report=report, lessons=[lesson], actor=w.pmo),
        history=[QuarterlyReport],
    )  # fmt: skip


@case("benefits.services.benefit_realisation_claim")
def _(w: SimpleNamespace) -> Expect:
    benefit = BenefitFactory(programme=w.programme, owner=w.manager)
    return Expect(
        w.manager,
        lambda: benefits.benefit_realisation_claim(
            benefit=benefit, claim="realised", note="Budget book line 12.", actor=w.manager
        ),
        history=[Benefit],
    )


@case("benefits.services.benefit_realisation_confirm")
def _(w: SimpleNamespace) -> Expect:
    benefit = BenefitFactory(programme=w.programme, owner=w.manager)
    benefits.benefit_realisation_claim(
        benefit=benefit, claim="not_realised", note="Service redesigned.", actor=w.manager
    )
    return Expect(
        w.pmo,
        lambda: benefits.benefit_realisation_confirm(benefit=benefit, confirm=True, actor=w.pmo),
        history=[Benefit],
    )


@case("benefits.baselines.benefit_baselines_lock")
def _(w: SimpleNamespace) -> Expect:
    BenefitProfileFactory(benefit=BenefitFactory(programme=w.programme))
    return Expect(
        w.board,
        lambda: baselines.benefit_baselines_lock(programme=w.programme, actor=w.board),
        history=[Benefit, BenefitProfile],
    )


@case("governance.services.closure_submit")
def _(w: SimpleNamespace) -> Expect:
    programme = ProgrammeFactory(
        portfolio=w.portfolio, manager=w.manager, sro=w.sro, stage=Stage.DELIVER
    )
    for template in SectionTemplate.objects.filter(
        document=DocumentKind.CLOSURE_REPORT, required=True
    ):
        portfolio.section_save(
            programme=programme, kind=DocumentKind.CLOSURE_REPORT, key=template.key,
            text="Written.", base_version=0, actor=w.manager,
        )  # fmt: skip
    risk = RiskFactory(programme=programme, owner=w.manager)
    return Expect(
        w.manager,
        lambda: governance.closure_submit(
            programme=programme,
            resolutions=[closure.Resolution(key=f"risk-{risk.pk}", outcome="close")],
            actor=w.manager,
        ),
        history=[Risk, GateReview, StageDocument],
        records=[(ClosureHandover, "recorded_by")],
    )


@case("portfolio.services.document_carry_over")
def _(w: SimpleNamespace) -> Expect:
    programme = ProgrammeFactory(
        portfolio=w.portfolio, manager=w.manager, sro=w.sro, stage=Stage.DEFINE
    )
    for template in SectionTemplate.objects.filter(document=DocumentKind.INITIAL_BRIEF):
        portfolio.section_save(
            programme=programme, kind=DocumentKind.INITIAL_BRIEF, key=template.key,
            text="Written.", base_version=0, actor=w.manager,
        )  # fmt: skip
    review = governance.gate_review_submit(programme=programme, actor=w.manager)
    GateReview.objects.filter(pk=review.pk).update(status="approved")
    return Expect(
        w.manager,
        lambda: portfolio.document_carry_over(
            programme=programme, kind=DocumentKind.FULL_BRIEF, actor=w.manager
        ),
        history=[DocumentSection],
    )


def test_every_service_has_an_entry():
    assert len(SERVICES) > 30
    missing = sorted(set(SERVICES) - set(CASES))
    assert not missing, f"Services taking an actor with no entry in CASES: {missing}"
    assert not set(CASES) - set(SERVICES), "CASES names a service that no longer exists"


def _latest_history_id(model: type[models.Model]) -> int:
    return model.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_attributes_its_history_rows_to_its_actor(service, w):
    expect = CASES[service](w)
    assert expect.history or expect.records, f"{service}: say what it writes"
    history_before = {model: _latest_history_id(model) for model in expect.history}
    # Outside any request: nothing in simple_history's context names a user.
    assert getattr(HistoricalRecords.context, "request", None) is None
    expect.call()
    assert getattr(HistoricalRecords.context, "request", None) is None
    for model, before in history_before.items():
        rows = list(model.history.filter(history_id__gt=before).select_related("history_user"))
        assert rows, f"{service} wrote no history row for {model.__name__}"
        assert {row.history_user for row in rows} == {expect.actor}, (
            f"{service}: {model.__name__} history names "
            f"{sorted({str(row.history_user) for row in rows})}, not {expect.actor}"
        )
    for model, attribute in expect.records:
        record = model.objects.order_by("-pk").first()
        assert record is not None, f"{service} wrote no {model.__name__}"
        assert getattr(record, attribute) == expect.actor


def test_the_raci_grid_writes_a_history_row_per_cell_changed(w):
    activity = RaciActivity.objects.create(programme=w.programme, name="Maintain the RAID log")
    RaciAssignment.objects.create(activity=activity, person=w.manager, role="A")
    RaciAssignment.objects.create(activity=activity, person=w.pmo, role="I")
    RaciAssignment.objects.create(activity=activity, person=w.board, role="C")
    before = _latest_history_id(RaciAssignment)
    governance.raci_save(
        programme=w.programme,
        cells={activity.pk: {w.manager.pk: "R", w.sro.pk: "A", w.pmo.pk: "", w.board.pk: "C"}},
        new_activity="",
        actor=w.pmo,
    )
    rows = RaciAssignment.history.filter(history_id__gt=before)
    assert sorted((r.person_id, r.role, r.history_type) for r in rows) == sorted(
        [(w.manager.pk, "R", "~"), (w.sro.pk, "A", "+"), (w.pmo.pk, "I", "-")]
    )
    assert {r.history_user for r in rows} == {w.pmo}
    assert dict(activity.cells.values_list("person", "role")) == {
        w.manager.pk: "R", w.sro.pk: "A", w.board.pk: "C",
    }  # fmt: skip


def test_the_raci_grid_can_swap_who_is_accountable(w):
    activity = RaciActivity.objects.create(programme=w.programme, name="Sign off")
    RaciAssignment.objects.create(activity=activity, person=w.manager, role="A")
    RaciAssignment.objects.create(activity=activity, person=w.sro, role="R")
    governance.raci_save(
        programme=w.programme,
        cells={activity.pk: {w.manager.pk: "R", w.sro.pk: "A"}},
        new_activity="",
        actor=w.pmo,
    )
    assert dict(activity.cells.values_list("person", "role")) == {w.manager.pk: "R", w.sro.pk: "A"}


def test_acting_as_nests_and_restores_what_was_there(w):
    assert current_actor() is None
    request = SimpleNamespace(user=w.manager, path="/somewhere/")
    HistoricalRecords.context.request = request
    try:
        with acting_as(w.pmo):
            assert current_actor() == w.pmo
            assert HistoricalRecords.context.request.path == "/somewhere/"
            with acting_as(w.board):
                assert current_actor() == w.board
            assert current_actor() == w.pmo
        assert HistoricalRecords.context.request is request
    finally:
        del HistoricalRecords.context.request
    with acting_as(None):
        assert current_actor() is None
    assert not hasattr(HistoricalRecords.context, "request")


def test_a_service_called_inside_a_request_names_its_actor_not_the_signed_in_user(w):
    HistoricalRecords.context.request = SimpleNamespace(user=w.manager)
    try:
        benefit = benefits.benefit_create(
            programme=w.programme, title="Saved by the PMO", type="cashable_saving", actor=w.pmo
        )
    finally:
        del HistoricalRecords.context.request
    assert benefit.history.get().history_user == w.pmo


def test_a_failed_service_leaves_the_context_as_it_found_it(w):
    with pytest.raises(governance.GateError):
        governance.gate_policy_update(policy=GatePolicy.objects.first(), sign_offs=[], actor=w.pmo)
    assert not hasattr(HistoricalRecords.context, "request")
