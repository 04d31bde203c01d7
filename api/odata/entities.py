"""Every OData entity set, declared once: its model, the fields it exposes and who may read it.

One ``EntitySet`` drives both ``$metadata`` (the CSDL) and the JSON rows, so they cannot
disagree. Property types come from the model fields: money (DecimalField) is ``Edm.Decimal``
with the column's precision and scale, dates ``Edm.Date``, timestamps ``Edm.DateTimeOffset``,
financial years ``Edm.Int32`` (the year the financial year starts: 2019 is 2019/20). A foreign
key ``programme`` becomes the property ``ProgrammeId`` and, where its target is an entity set
too, the navigation property ``Programme`` (``$expand``-able).

Who may read a set is the permission the pages use (accounts/rules.py), checked for the actor
(the token's owner); ``scope`` narrows the rows where the pages do (a benefit owner with no
portfolio role sees only the benefits they own, as on "My benefits").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import F

from accounts.models import User
from benefits.models import (
    Benefit,
    BenefitProfile,
    MTFPLine,
    MTFPPlan,
    MTFPTarget,
    OneOffCost,
    RollupRow,
    RollupSnapshot,
)
from governance.models import (
    Action,
    Assumption,
    Board,
    ChangeRequest,
    Decision,
    Dependency,
    GateReview,
    Issue,
    Risk,
)
from portfolio.models import (
    Directorate,
    HighlightReport,
    Milestone,
    Portfolio,
    Programme,
    StageDocument,
)

NAMESPACE = "DeliveryHub"
# Money is GBP with pence; the roll-up's signed sums are wider than a register's cells.


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


@dataclass(frozen=True)
class Property:
    name: str  # OData name
    path: str  # Django field (or annotation) name
    edm: str
    nullable: bool
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None


@dataclass(frozen=True)
class Navigation:
    name: str  # OData name, e.g. "Programme"
    key: str  # the OData property holding its id, e.g. "ProgrammeId"
    target: str  # entity set name, e.g. "Programmes"
    nullable: bool


def _edm(model_field: models.Field) -> dict[str, Any]:
    if isinstance(model_field, models.BigAutoField | models.BigIntegerField):
        return {"edm": "Edm.Int64"}
    if isinstance(model_field, models.AutoField | models.IntegerField):
        return {"edm": "Edm.Int32"}
    if isinstance(model_field, models.DecimalField):
        return {
            "edm": "Edm.Decimal",
            "precision": model_field.max_digits,
            "scale": model_field.decimal_places,
        }
    if isinstance(model_field, models.DateTimeField):
        return {"edm": "Edm.DateTimeOffset"}
    if isinstance(model_field, models.DateField):
        return {"edm": "Edm.Date"}
    if isinstance(model_field, models.BooleanField):
        return {"edm": "Edm.Boolean"}
    if isinstance(model_field, models.CharField):
        return {"edm": "Edm.String", "max_length": model_field.max_length}
    if isinstance(model_field, models.TextField):
        return {"edm": "Edm.String"}
    raise TypeError(f"no Edm type for {model_field!r}")


def _everyone(actor: Any, queryset: models.QuerySet) -> models.QuerySet:
    return queryset


@dataclass
class EntitySet:
    name: str  # "Programmes"
    type_name: str  # "Programme"
    model: type[models.Model]
    fields: tuple[str, ...]  # Django field names, "id" first
    perm: str  # accounts/rules.py permission that reads the whole set
    description: str
    computed: dict[str, tuple[Any, str]] = field(default_factory=dict)  # name: (expr, Edm)
    # For actors without ``perm``: the rows they may still read, or None for none at all.
    fallback: Callable[[Any, models.QuerySet], models.QuerySet | None] | None = None
    properties: list[Property] = field(init=False, default_factory=list)
    navigations: list[Navigation] = field(init=False, default_factory=list)

    def bind(self, sets_by_model: dict[type[models.Model], str]) -> None:
        """Derive the properties and navigation properties from the model's fields."""
        self.properties, self.navigations = [], []
        for name in self.fields:
            model_field = self.model._meta.get_field(name)
            if isinstance(model_field, models.ForeignKey | models.OneToOneField):
                key = pascal(name) + "Id"
                target_pk = model_field.target_field
                self.properties.append(
                    Property(key, model_field.attname, **_edm(target_pk), nullable=model_field.null)
                )
                target = sets_by_model.get(model_field.related_model)
                if target:
                    self.navigations.append(
                        Navigation(pascal(name), key, target, nullable=model_field.null)
                    )
                continue
            nullable = model_field.null and not model_field.primary_key
            self.properties.append(
                Property(pascal(name), name, nullable=nullable, **_edm(model_field))
            )
        for name, (_expression, edm) in self.computed.items():
            self.properties.append(Property(name, _annotation(name), edm, nullable=True))

    @property
    def by_name(self) -> dict[str, Property]:
        return {prop.name: prop for prop in self.properties}

    @property
    def navigation_by_name(self) -> dict[str, Navigation]:
        return {nav.name: nav for nav in self.navigations}

    def queryset(self, actor: Any) -> models.QuerySet | None:
        """The rows ``actor`` may read, or None if they may read none of this set."""
        base = self.model._default_manager.all()
        if self.computed:
            base = base.annotate(
                **{_annotation(name): expr for name, (expr, _edm) in self.computed.items()}
            )
        if actor.has_perm(self.perm):
            return base
        if self.fallback is not None:
            return self.fallback(actor, base)
        return None


def _annotation(name: str) -> str:
    return "odata_" + name.lower()


def _own_benefits(actor: Any, queryset: models.QuerySet) -> models.QuerySet | None:
    # "My benefits": a benefit's owner keeps tracking it after closure, with or without a role
    # (benefits.view_own_benefits / is_benefit_owner).
    if actor.has_perm("benefits.view_own_benefits"):
        return queryset.filter(owner=actor)
    return None


def _own_benefit_years(actor: Any, queryset: models.QuerySet) -> models.QuerySet | None:
    if actor.has_perm("benefits.view_own_benefits"):
        return queryset.filter(benefit__owner=actor)
    return None


READ_PORTFOLIO = "portfolio.view_portfolio"
READ_LOGS = "governance.view_logs"
READ_GATES = "governance.view_gates"
READ_BENEFITS = "benefits.view_benefits"
READ_MTFP = "benefits.view_mtfp"

ENTITY_SETS: list[EntitySet] = [
    EntitySet("Portfolios", "Portfolio", Portfolio, ("id", "name", "slug", "description", "lead",
              "position"), READ_PORTFOLIO, "Employer, Partner and Place Shaper of Choice."),
    EntitySet("Directorates", "Directorate", Directorate, ("id", "name", "slug"), READ_PORTFOLIO,
              "The council's directorates."),
    EntitySet("People", "Person", User, ("id", "first_name", "last_name", "job_title"),
              READ_PORTFOLIO, "Staff named as owners, managers, SROs and chairs."),
    EntitySet("Programmes", "Programme", Programme, ("id", "name", "slug", "description",
              "portfolio", "directorate", "sro", "manager", "category", "light_touch",
              "guardrails", "workstream_group", "stage", "stage_entered_at", "created_at",
              "updated_at"), READ_PORTFOLIO, "Every programme and its stage."),
    EntitySet("StageDocuments", "StageDocument", StageDocument, ("id", "programme", "kind",
              "locked", "created_at"), READ_PORTFOLIO,
              "Each programme's stage documents (SOC, briefs, workbook, closure)."),
    EntitySet("GateReviews", "GateReview", GateReview, ("id", "programme", "gate",
              "current_step", "current_sign_off", "status", "submitted_by", "submitted_at",
              "closed_at"), READ_GATES, "Stage gate reviews, open and decided."),
    EntitySet("Boards", "Board", Board, ("id", "name", "slug", "kind", "chair", "portfolio",
              "programme", "purpose", "next_meeting"), READ_LOGS,
              "STB, the Delivery Board, Portfolio and Programme Boards."),
    EntitySet("Decisions", "Decision", Decision, ("id", "programme", "board", "decided_on",
              "summary", "decision", "rationale", "change_request", "gate_review",
              "recorded_by", "recorded_at"), READ_LOGS, "The decision log."),
    EntitySet("Actions", "Action", Action, ("id", "programme", "title", "description", "owner",
              "due_date", "status", "completed_on", "decision", "created_at"), READ_LOGS,
              "The action log."),
    EntitySet("Risks", "Risk", Risk, ("id", "programme", "portfolio", "title", "cause", "event",
              "effect", "inherent_likelihood", "inherent_impact", "residual_likelihood",
              "residual_impact", "target_likelihood", "target_impact", "existing_controls",
              "further_action", "owner", "review_date", "proximity", "response", "status",
              "escalated", "created_at"), READ_LOGS, "RAID: risks (5×5 scores).",
              computed={
                  "InherentScore": (F("inherent_likelihood") * F("inherent_impact"), "Edm.Int32"),
                  "ResidualScore": (F("residual_likelihood") * F("residual_impact"), "Edm.Int32"),
                  "TargetScore": (F("target_likelihood") * F("target_impact"), "Edm.Int32"),
              }),
    EntitySet("Issues", "Issue", Issue, ("id", "programme", "title", "description", "priority",
              "owner", "resolution", "status", "raised_on", "risk", "created_at"), READ_LOGS,
              "RAID: issues."),
    EntitySet("Assumptions", "Assumption", Assumption, ("id", "programme", "title",
              "description", "owner", "validation_date", "status", "created_at"), READ_LOGS,
              "RAID: assumptions."),
    EntitySet("Dependencies", "Dependency", Dependency, ("id", "programme", "title",
              "description", "depends_on", "outside_body", "owner", "needed_by", "status",
              "created_at"), READ_LOGS, "RAID: dependencies, on programmes or outside bodies."),
    EntitySet("ChangeRequests", "ChangeRequest", ChangeRequest, ("id", "programme", "title",
              "kind", "description", "time_impact_days", "baseline", "milestone",
              "new_due_date", "benefit", "financial_year", "baseline_before", "baseline_after",
              "routed_to", "status", "raised_by", "raised_on", "decided_by", "decided_on",
              "reasons"), READ_LOGS, "The change request log."),
    EntitySet("Milestones", "Milestone", Milestone, ("id", "programme", "title", "due_date",
              "baseline_date", "completed_on"), READ_PORTFOLIO, "Programme milestones."),
    EntitySet("HighlightReports", "HighlightReport", HighlightReport, ("id", "programme",
              "month", "delivery_confidence", "schedule_rag", "budget_rag", "benefits_rag",
              "risk_rag", "progress", "next_period", "escalations", "updated_at"),
              READ_PORTFOLIO, "Monthly highlight reports: delivery confidence over time."),
    EntitySet("Benefits", "Benefit", Benefit, ("id", "programme", "title", "description", "type",
              "owner", "directorate", "measure", "baseline", "target", "status", "mtfp_line"),
              READ_BENEFITS, "The benefits register.", fallback=_own_benefits),
    EntitySet("BenefitProfileYears", "BenefitProfileYear", BenefitProfile, ("id", "benefit",
              "financial_year", "planned", "forecast", "actual"), READ_BENEFITS,
              "Planned, forecast and actual value of each benefit per financial year (GBP).",
              fallback=_own_benefit_years),
    EntitySet("OneOffCosts", "OneOffCost", OneOffCost, ("id", "programme", "financial_year",
              "budget", "actual", "note"), READ_BENEFITS,
              "Investment budget against actual spend per financial year (GBP)."),
    EntitySet("MtfpPlans", "MtfpPlan", MTFPPlan, ("id", "name", "slug", "first_year",
              "last_year", "approved_on", "status", "notes"), READ_MTFP,
              "Medium Term Financial Plans."),
    EntitySet("MtfpLines", "MtfpLine", MTFPLine, ("id", "plan", "name", "directorate",
              "programme", "rating_override"), READ_MTFP, "Savings lines of each plan."),
    EntitySet("MtfpTargets", "MtfpTarget", MTFPTarget, ("id", "line", "financial_year",
              "amount"), READ_MTFP, "Savings target of each line per financial year (GBP)."),
    EntitySet("RollupSnapshots", "RollupSnapshot", RollupSnapshot, ("id", "as_of",
              "checked_at", "content_hash"), READ_MTFP,
              "Each dated roll-up the dashboard reads (the latest has the greatest AsOf)."),
    EntitySet("RollupRows", "RollupRow", RollupRow, ("id", "snapshot", "portfolio", "programme",
              "directorate", "category", "mtfp_line", "financial_year", "target", "planned",
              "forecast", "actual", "variance", "budget", "spend"), READ_MTFP,
              "The roll-up's rows: money by programme, MTFP line and financial year."),
]  # fmt: skip

_SETS_BY_MODEL = {entity_set.model: entity_set.name for entity_set in ENTITY_SETS}
for _entity_set in ENTITY_SETS:
    _entity_set.bind(_SETS_BY_MODEL)

BY_NAME: dict[str, EntitySet] = {entity_set.name: entity_set for entity_set in ENTITY_SETS}
