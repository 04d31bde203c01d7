"""Governance URLs: gates (/gates/), each programme's logs and lifecycle pages under
/programmes/<slug>/..., the portfolio roll-ups, "my actions", boards and their packs, change
requests. Included before portfolio.urls."""

from django.urls import path

from . import views

app_name = "governance"


def log_patterns(prefix: str, kind: str, editable: bool = True) -> list:
    name = kind.replace("-", "_")
    patterns = [
        path(f"{prefix}", views.log_list, {"kind": kind}, name=f"{name}_list"),
        path(f"{prefix}export.<str:fmt>", views.log_export, {"kind": kind}, name=f"{name}_export"),
    ]
    if editable:
        patterns += [
            path(f"{prefix}add/", views.entry_add, {"kind": kind}, name=f"{name}_add"),
            path(f"{prefix}<int:pk>/edit/", views.entry_edit, {"kind": kind}, name=f"{name}_edit"),
            path(f"{prefix}<int:pk>/", views.entry_row, {"kind": kind}, name=f"{name}_row"),
        ]
    return patterns


P = "programmes/<slug:slug>/"

urlpatterns = [
    path("gates/", views.gate_list, name="gate_list"),
    path("gates/policy/", views.gate_policy_list, name="gate_policy_list"),
    path("gates/policy/<int:pk>/", views.gate_policy_edit, name="gate_policy_edit"),
    path("gates/<int:pk>/", views.review_detail, name="review_detail"),
    path("gates/<int:pk>/withdraw/", views.review_withdraw, name="review_withdraw"),
    path("gates/<int:pk>/summary.<str:fmt>", views.summary_slide, name="summary_slide"),
    path("programmes/<slug:slug>/history/", views.programme_history_page, name="programme_history"),
    path("programmes/<slug:slug>/submit/", views.review_submit, name="review_submit"),
    path("programmes/<slug:slug>/status/", views.programme_status, name="programme_status"),
    path(f"{P}settings/", views.programme_settings, name="programme_settings"),
    path(f"{P}closure-checklist/", views.closure_checklist, name="closure_checklist"),
    path(f"{P}escalate/", views.escalation_add, name="escalation_add"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation_detail"),
    path(f"{P}raid/", views.log_list, {"kind": "risks"}, name="programme_raid"),
    path(f"{P}raid/import/", views.raid_import_page, name="raid_import"),
    path(f"{P}raid/import/<int:pk>/", views.raid_import_status, name="raid_import_status"),
    path(f"{P}raid/risks/<int:pk>/issue/", views.risk_issue, name="risk_issue"),
    *log_patterns(f"{P}raid/risks/", "risks"),
    *log_patterns(f"{P}raid/assumptions/", "assumptions"),
    *log_patterns(f"{P}raid/issues/", "issues"),
    *log_patterns(f"{P}raid/dependencies/", "dependencies"),
    *log_patterns(f"{P}actions/", "actions"),
    *log_patterns(f"{P}decisions/", "decisions", editable=False),
    path(f"{P}decisions/add/", views.decision_add, name="decision_add"),
    *log_patterns(f"{P}change-requests/", "change-requests", editable=False),
    path(f"{P}change-requests/add/", views.change_request_add, name="change_request_add"),
    path(f"{P}raci/", views.raci, name="raci"),
    path(f"{P}raci/edit/", views.raci_edit, name="raci_edit"),
    path("portfolios/<slug:slug>/raid/", views.portfolio_raid, name="portfolio_raid"),
    path(
        "portfolios/<slug:portfolio>/raid/export.<str:fmt>",
        views.log_export,
        {"kind": "risks"},
        name="portfolio_raid_export",
    ),
    path("raid/", views.raid, name="raid"),
    path("dependencies/", views.dependencies, name="dependencies"),
    path("raid/export.<str:fmt>", views.log_export, {"kind": "risks"}, name="raid_export"),
    path(
        "raid/risks/<int:pk>/edit/", views.entry_edit, {"kind": "risks"}, name="portfolio_risk_edit"
    ),
    path("raid/risks/<int:pk>/", views.entry_row, {"kind": "risks"}, name="portfolio_risk_row"),
    path("raid/import/template.xlsx", views.raid_import_template, name="raid_import_template"),
    path("actions/mine/", views.my_actions, name="my_actions"),
    path("change-requests/thresholds/", views.thresholds_edit, name="thresholds"),
    path("highlight-reports/due-day/", views.reporting_calendar_edit, name="reporting_calendar"),
    path("change-requests/<int:pk>/", views.change_request_detail, name="change_request_detail"),
    path("lessons/", views.lesson_list, name="lesson_list"),
    path("lessons/<int:pk>/", views.lesson_detail, name="lesson_detail"),
    path("lessons/<int:pk>/edit/", views.lesson_edit, name="lesson_edit"),
    path("lessons/<int:pk>/adopt/", views.lesson_adopt, name="lesson_adopt"),
    path("lessons/<int:pk>/merge/", views.lesson_merge, name="lesson_merge"),
    path(f"{P}lessons/new/", views.lesson_add, name="lesson_add"),
    path(f"{P}lessons/similar/", views.lesson_similar, name="lesson_similar"),
    path("boards/", views.board_list, name="board_list"),
    path("boards/new/", views.board_new, name="board_new"),
    path("boards/<slug:slug>/", views.board_detail, name="board_detail"),
    path("boards/<slug:slug>/archive/", views.board_archive, name="board_archive"),
    path("boards/<slug:slug>/edit/", views.board_edit, name="board_edit"),
    path("boards/<slug:slug>/teams/", views.board_teams, name="board_teams"),
    path(
        "boards/<slug:slug>/terms-of-reference/",
        views.terms_of_reference_edit,
        name="terms_of_reference_edit",
    ),
    path("boards/<slug:slug>/pack/", views.board_pack, name="board_pack"),
]
