"""The permission matrix: every named URL × every HTTP method it allows × every actor.

test_permission_matrix.py walks the URLconf and fails on any named URL without an entry in
EXPECTATIONS below, so a new view cannot ship without saying who may use it.

Adding a URL is a five-line job. Add an entry keyed by the URL's name (``namespace:name``):

    "governance:raid_log": Entry(
        kwargs=lambda demo: {"slug": demo.programme.slug},   # sample kwargs from the demo data
        GET=statuses(200, anonymous=302, scrutiny=403, no_role=403),
        POST=statuses(403, anonymous=302, pmo=302, own_manager=302, sro=302),
    ),

``statuses(default, **overrides)`` gives the expected status for every actor in ACTORS: the
default, except the actors named. List every method the view allows; any other method
(of GET, POST, PUT, PATCH, DELETE) is expected to give 405 to a signed-in PMO, unless the
entry says otherwise in ``others`` (a dict of actor → status). ``data`` gives a body per
method (default: empty, which must give a form error or a refusal, never a change). Anonymous
302s must go to the sign-in page.

The actors, resolved from the demo data (tests/security/test_permission_matrix.py):
anonymous, pmo, own_manager (manages THE sample programme), other_manager (manages another),
sro (the demo SRO), board, scrutiny, viewer, no_role (signed in, no role).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from accounts.models import User
from tests.security import samples

ACTORS = [
    "anonymous",
    "pmo",
    "own_manager",
    "other_manager",
    "sro",
    "board",
    "scrutiny",
    "viewer",
    "no_role",
]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]

# Django's admin guards itself (staff only) and is not one of the service's pages.
EXEMPT_NAMESPACES = {"admin"}


def actor_users(programme: Any) -> dict[str, User | None]:
    """The signed-in user for each actor (None for anonymous), for ``programme``."""
    other_manager = (
        User.objects.filter(managed_programmes__isnull=False)
        .exclude(pk=programme.manager_id)
        .exclude(pk=programme.sro_id)
        .first()
    )
    return {
        "anonymous": None,
        "pmo": User.objects.get(username="pmo"),
        "own_manager": programme.manager,
        "other_manager": other_manager,
        "sro": User.objects.get(username="sro"),
        "board": User.objects.get(username="board"),
        "scrutiny": User.objects.get(username="scrutiny"),
        "viewer": User.objects.get(username="viewer"),
        "no_role": User.objects.get_or_create(username="no-role")[0],
    }


def statuses(default: int, **overrides: int) -> dict[str, int]:
    unknown = set(overrides) - set(ACTORS)
    if unknown:
        raise ValueError(f"unknown actors {sorted(unknown)}; the actors are {ACTORS}")
    return {actor: overrides.get(actor, default) for actor in ACTORS}


@dataclass
class DemoObjects:
    """What sample kwargs can be resolved from: the sample programme (own_manager manages it)."""

    programme: Any


@dataclass
class Entry:
    kwargs: Callable[[DemoObjects], dict[str, Any]] = lambda demo: {}
    GET: dict[str, int] | None = None
    POST: dict[str, int] | None = None
    PUT: dict[str, int] | None = None
    PATCH: dict[str, int] | None = None
    DELETE: dict[str, int] | None = None
    others: dict[str, int] = field(default_factory=lambda: {"pmo": 405})
    data: dict[str, dict[str, Any]] = field(default_factory=dict)

    def methods(self) -> dict[str, dict[str, int]]:
        return {m: getattr(self, m) for m in METHODS if getattr(self, m) is not None}


def _report_quarter(demo: DemoObjects) -> dict[str, Any]:
    """The demo's Q4 2019/20 quarterly report draft."""
    return {"quarter": "2019-20-q4"}


def _report_version(demo: DemoObjects) -> dict[str, Any]:
    """A queued (unfinished, unpublished) version of the demo report: no file is written."""
    from reports.models import QuarterlyReport, ReportVersion
    from reports.quarterly import quarter_end

    report = QuarterlyReport.objects.get(financial_year=2019, quarter_number=4)
    version, _ = ReportVersion.objects.get_or_create(
        report=report,
        number=1,
        defaults={
            "as_of": quarter_end(report.quarter),
            "requested_by": User.objects.get(username="pmo"),
        },
    )
    return {"quarter": "2019-20-q4", "number": version.number}


def _report_progress(demo: DemoObjects) -> dict[str, Any]:
    from reports.models import ProgrammeProgress

    row = ProgrammeProgress.objects.filter(report__quarter_number=4).order_by("pk").first()
    return {"quarter": "2019-20-q4", "pk": row.pk}


def _report_section(demo: DemoObjects) -> dict[str, Any]:
    from reports.models import ReportSection

    section = ReportSection.objects.filter(report__quarter_number=4).order_by("pk").first()
    return {"quarter": "2019-20-q4", "pk": section.pk}


PMO_ONLY_PAGE = statuses(403, anonymous=302, pmo=200)
PMO_ONLY_ACTION = statuses(403, anonymous=302, pmo=302)

STAFF_READ = statuses(200, anonymous=302, scrutiny=403, no_role=403)
# Changing a programme's documents, logs and benefits: the PMO, its manager and its SRO (the demo
# SRO is Commercial's); a manager of another programme, board members and viewers are refused.
PROGRAMME_EDIT = statuses(
    200, anonymous=302, other_manager=403, board=403, scrutiny=403, viewer=403, no_role=403
)
# The same people, where a successful POST redirects (a state change with no form to show).
PROGRAMME_ACT = statuses(
    302, anonymous=302, other_manager=403, board=403, scrutiny=403, viewer=403, no_role=403
)
# A data feed: read as the page would be, but 401 (not a sign-in redirect) without credentials.
FEED_READ = statuses(200, anonymous=401, scrutiny=403, no_role=403)
# Portfolio-wide configuration: the PMO only.
PMO_ONLY = statuses(403, anonymous=302, pmo=200)


def read(kwargs: Callable[[DemoObjects], dict[str, Any]] = lambda demo: {}) -> Entry:
    """A page every staff role reads (not scrutiny, not a signed-in user without a role)."""
    return Entry(kwargs=kwargs, GET=STAFF_READ)


def edit_page(kwargs: Callable[[DemoObjects], dict[str, Any]], who: dict[str, int]) -> Entry:
    """A form page: GET shows it, an empty POST shows it again with errors (200), to ``who``."""
    return Entry(kwargs=kwargs, GET=who, POST=who)


def _with_fmt(kwargs: Callable[[DemoObjects], dict[str, Any]]):
    return lambda demo: {**kwargs(demo), "fmt": "csv"}


def log_entries(kind: str, editable: bool = True) -> dict[str, Entry]:
    """The entries for one of governance's log_patterns (governance/urls.py)."""
    name = kind.replace("-", "_")
    entries = {
        f"governance:{name}_list": read(samples.programme),
        f"governance:{name}_export": read(_with_fmt(samples.programme)),
    }
    if editable:
        row = samples.log_entry(name)
        entries |= {
            f"governance:{name}_add": edit_page(samples.programme, PROGRAMME_EDIT),
            f"governance:{name}_edit": edit_page(row, PROGRAMME_EDIT),
            f"governance:{name}_row": Entry(kwargs=row, GET=PROGRAMME_EDIT),
        }
    return entries


EXPECTATIONS: dict[str, Entry] = {
    # --- config / accounts ----------------------------------------------------------------------
    "home": Entry(GET=statuses(200, anonymous=302)),
    "login": Entry(
        # Signed-in users are sent home; an empty form is shown again with its errors.
        GET=statuses(302, anonymous=200),
        POST=statuses(302, anonymous=200),
        PUT=statuses(302, anonymous=200),  # Django's FormView treats PUT as POST
        others={"anonymous": 405},  # a signed-in user is sent home whatever the method
    ),
    "logout": Entry(POST=statuses(302), others={"anonymous": 405, "pmo": 405}),
    # Single sign-on is off in the matrix (no OIDC_ISSUER): both URLs are 404 to everyone.
    # tests/accounts/test_sso.py covers them switched on, against a real provider.
    "oidc_start": Entry(GET=statuses(404), others=dict.fromkeys(ACTORS, 405)),
    "oidc_callback": Entry(GET=statuses(404), others=dict.fromkeys(ACTORS, 405)),
    "accessibility": Entry(GET=statuses(200), others=dict.fromkeys(ACTORS, 405)),
    # --- people: the PMO's ------------------------------------------------------------------
    "people:list": Entry(GET=PMO_ONLY_PAGE),
    "people:add": edit_page(lambda demo: {}, PMO_ONLY),
    "people:role_mappings": edit_page(lambda demo: {}, PMO_ONLY),
    "people:role_mapping_delete": Entry(kwargs=samples.role_mapping, POST=PMO_ONLY_ACTION),
    "people:detail": Entry(kwargs=samples.person, GET=PMO_ONLY_PAGE),
    # The sample person is a viewer: posting that back changes nothing.
    "people:roles": Entry(
        kwargs=samples.person,
        GET=PMO_ONLY_PAGE,
        POST=PMO_ONLY_ACTION,
        data={"POST": {"roles": ["viewer"]}},
    ),
    "people:boards": edit_page(samples.person, PMO_ONLY),
    "people:deactivate": Entry(kwargs=samples.person, GET=PMO_ONLY_PAGE, POST=PMO_ONLY_ACTION),
    # The sample person is active: the PMO is told so and sent back to their page.
    "people:reactivate": Entry(kwargs=samples.person, POST=PMO_ONLY_ACTION),
    "people:reassign": edit_page(samples.person, PMO_ONLY),
    "healthz": Entry(GET=statuses(200)),
    "inbox": read(),
    # --- portfolio ------------------------------------------------------------------------------
    "portfolio:programme_list": Entry(GET=STAFF_READ),
    "portfolio:programme_detail": Entry(
        kwargs=lambda demo: {"slug": demo.programme.slug}, GET=STAFF_READ
    ),
    # --- dashboard: savings drill-down --------------------------------------------------------
    "dashboard:savings_year": Entry(kwargs=lambda demo: {"year": 2019}, GET=STAFF_READ),
    "dashboard:savings_year_export": Entry(
        kwargs=lambda demo: {"year": 2019, "fmt": "csv"}, GET=STAFF_READ
    ),
    # --- quarterly reports ------------------------------------------------------------------------
    # Readers and scrutiny see published reports only: the demo's Q4 2019/20 report is a draft
    # (404 to them; its Q3 2019/20 report is published). An empty POST gives the PMO a form
    # error, or a refusal message and redirect.
    "reports:report_list": Entry(
        GET=statuses(200, anonymous=302, no_role=403),
        POST=statuses(403, anonymous=302, pmo=200),
    ),
    "reports:report_detail": Entry(
        kwargs=_report_quarter, GET=statuses(404, anonymous=302, no_role=403, pmo=200)
    ),
    "reports:report_status": Entry(
        kwargs=_report_quarter,
        GET=PMO_ONLY_ACTION,  # without htmx: back to the report page
    ),
    "reports:report_edit": Entry(kwargs=_report_quarter, GET=PMO_ONLY_PAGE, POST=PMO_ONLY_PAGE),
    "reports:progress_edit": Entry(kwargs=_report_progress, GET=PMO_ONLY_PAGE, POST=PMO_ONLY_PAGE),
    "reports:section_add": Entry(kwargs=_report_quarter, GET=PMO_ONLY_PAGE, POST=PMO_ONLY_PAGE),
    "reports:section_edit": Entry(kwargs=_report_section, GET=PMO_ONLY_PAGE, POST=PMO_ONLY_PAGE),
    # An empty POST (not even the CSRF token a browser sends) shows the form again, unchanged.
    "reports:lessons_edit": Entry(kwargs=_report_quarter, GET=PMO_ONLY_PAGE, POST=PMO_ONLY_PAGE),
    "reports:report_generate": Entry(kwargs=_report_quarter, POST=PMO_ONLY_ACTION),
    "reports:report_correct": Entry(kwargs=_report_quarter, POST=PMO_ONLY_ACTION),
    "reports:report_publish": Entry(kwargs=_report_version, POST=PMO_ONLY_ACTION),
    "reports:report_download": Entry(
        # An unfinished version: nobody but the PMO may ask, and it has no file yet.
        kwargs=lambda demo: {**_report_version(demo), "fmt": "pdf"},
        GET=statuses(403, anonymous=302, no_role=403, pmo=404),
    ),
    "portfolio:programme_new": edit_page(lambda demo: {}, PMO_ONLY),
    "portfolio:workbook": Entry(kwargs=samples.programme, GET=STAFF_READ, POST=PROGRAMME_EDIT),
    "portfolio:assurance_rating_new": Entry(
        kwargs=samples.programme, GET=PMO_ONLY_PAGE, POST=PMO_ONLY_PAGE
    ),
    "governance:dependencies": read(),
    "portfolio:plan": Entry(kwargs=samples.programme, GET=STAFF_READ, POST=PROGRAMME_EDIT),
    "portfolio:milestone_edit": Entry(
        kwargs=samples.milestone, GET=STAFF_READ, POST=PROGRAMME_EDIT
    ),
    # An empty POST: the form again with its error (complete), back to the plan (move).
    "portfolio:milestone_complete": Entry(kwargs=samples.milestone, POST=PROGRAMME_EDIT),
    "portfolio:milestone_move": Entry(kwargs=samples.milestone, POST=PROGRAMME_ACT),
    # An empty upload or confirmation: the import page again with the error.
    "portfolio:plan_export": read(_with_fmt(samples.programme)),
    "portfolio:plan_import": edit_page(samples.programme, PROGRAMME_EDIT),
    "portfolio:plan_import_confirm": Entry(kwargs=samples.programme, POST=PROGRAMME_EDIT),
    "portfolio:document_edit": read(samples.document),
    "portfolio:document_version": read(samples.document_version),
    "portfolio:section_update": Entry(kwargs=samples.section, POST=PROGRAMME_ACT),
    # --- lifecycle: gates -----------------------------------------------------------------------
    "governance:gate_list": read(),
    "governance:gate_policy_list": read(),
    "governance:gate_policy_edit": edit_page(samples.gate_policy, PMO_ONLY),
    # The gate's deciders (the PMO, the programme's SRO and board members) may POST a decision.
    "governance:review_detail": Entry(
        kwargs=samples.gate_review,
        GET=STAFF_READ,
        POST=statuses(403, anonymous=302, pmo=200, sro=200, board=200),
    ),
    "governance:summary_slide": read(lambda demo: {**samples.gate_review(demo), "fmt": "pptx"}),
    "governance:review_submit": Entry(kwargs=samples.programme, POST=PROGRAMME_ACT),
    "governance:review_withdraw": Entry(kwargs=samples.gate_review, POST=PROGRAMME_ACT),
    # Closing or suspending a programme is the PMO's or a board member's decision.
    "governance:programme_status": edit_page(
        samples.programme, statuses(403, anonymous=302, pmo=200, board=200)
    ),
    "governance:programme_history": read(samples.programme),
    # The sample programme is in Deliver with open items: an empty checklist is a form error.
    "governance:closure_checklist": edit_page(samples.programme, PROGRAMME_EDIT),
    # The programme team and the PMO escalate (no source: a decision request); an empty POST is
    # a form error.
    "governance:escalation_add": edit_page(samples.programme, PROGRAMME_EDIT),
    # The escalation's board (the demo board member sits on it) or the PMO answer it; an empty
    # POST is a form error shown again.
    "governance:escalation_detail": Entry(
        kwargs=samples.escalation,
        GET=STAFF_READ,
        POST=statuses(403, anonymous=302, pmo=200, board=200),
    ),
    # --- the lessons-learned library: staff read it (scrutiny only in a published report); the
    # programme team and the PMO record and correct; the PMO curates (an empty POST is a form
    # error shown on the lesson's page). Without htmx the similar-lessons panel redirects.
    "governance:lesson_list": read(),
    "governance:lesson_detail": read(samples.lesson),
    "governance:lesson_add": edit_page(samples.programme, PROGRAMME_EDIT),
    "governance:lesson_edit": edit_page(samples.lesson, PROGRAMME_EDIT),
    "governance:lesson_adopt": Entry(kwargs=samples.lesson, POST=PMO_ONLY),
    "governance:lesson_merge": Entry(kwargs=samples.lesson, POST=PMO_ONLY),
    "governance:lesson_similar": Entry(
        kwargs=samples.programme, GET=statuses(302, scrutiny=403, no_role=403)
    ),
    # The PMO administers a programme; its SRO changes its description and lead directorate.
    "governance:programme_settings": edit_page(
        samples.programme, statuses(403, anonymous=302, pmo=200, sro=200)
    ),
    # --- governance logs ------------------------------------------------------------------------
    **log_entries("risks"),
    **log_entries("assumptions"),
    **log_entries("issues"),
    **log_entries("dependencies"),
    **log_entries("actions"),
    **log_entries("decisions", editable=False),
    **log_entries("change-requests", editable=False),
    "governance:programme_raid": read(samples.programme),
    "governance:risk_issue": Entry(kwargs=samples.log_entry("risks"), POST=PROGRAMME_ACT),
    "governance:raid_import": edit_page(samples.programme, PROGRAMME_EDIT),
    "governance:raid_import_template": read(),
    # A background RAID import's progress: whoever may import into the programme follows it.
    "governance:raid_import_status": Entry(kwargs=samples.raid_import, GET=PROGRAMME_EDIT),
    "governance:decision_add": edit_page(samples.programme, PROGRAMME_EDIT),
    "governance:change_request_add": edit_page(samples.programme, PROGRAMME_EDIT),
    # A change request is decided by whoever it is routed to (the demo's goes to a board member).
    "governance:change_request_detail": Entry(
        kwargs=samples.change_request,
        GET=STAFF_READ,
        POST=statuses(403, anonymous=302, board=200),
    ),
    "governance:thresholds": edit_page(lambda demo: {}, PMO_ONLY),
    "governance:reporting_calendar": edit_page(lambda demo: {}, PMO_ONLY),
    "governance:raci": read(samples.programme),
    "governance:raci_edit": edit_page(samples.programme, PROGRAMME_EDIT),
    "governance:portfolio_raid": read(samples.portfolio),
    "governance:portfolio_raid_export": read(
        lambda demo: {"portfolio": demo.programme.portfolio.slug, "fmt": "csv"}
    ),
    "governance:raid": read(),
    "governance:raid_export": read(lambda demo: {"fmt": "csv"}),
    "governance:portfolio_risk_edit": edit_page(samples.portfolio_risk, PMO_ONLY),
    "governance:portfolio_risk_row": Entry(kwargs=samples.portfolio_risk, GET=PMO_ONLY),
    "governance:my_actions": read(),
    "governance:board_list": read(),
    "governance:board_detail": read(samples.board),
    "governance:board_pack": read(samples.board),
    "governance:board_edit": edit_page(samples.board, PMO_ONLY),
    "governance:board_new": edit_page(lambda demo: {}, PMO_ONLY),
    # The sample board is STB, which cannot be archived: the PMO is told so and sent back.
    "governance:board_archive": Entry(kwargs=samples.board, POST=PMO_ONLY_ACTION),
    "governance:terms_of_reference_edit": edit_page(samples.board, PMO_ONLY),
    # The board's Teams webhook: the PMO's alone (the address is a secret).
    "governance:board_teams": edit_page(samples.board, PMO_ONLY),
    # --- notifications --------------------------------------------------------------------------
    # The outbox names who was told what: the PMO's. Everyone chooses how they are told.
    "notifications:outbox": Entry(GET=PMO_ONLY_PAGE),
    "notifications:resend": Entry(kwargs=samples.notification, POST=PMO_ONLY_ACTION),
    "notifications:choices": Entry(
        GET=statuses(200, anonymous=302), POST=statuses(200, anonymous=302)
    ),
    # --- benefits -------------------------------------------------------------------------------
    "benefits:register": read(samples.programme),
    "benefits:benefit_add": edit_page(samples.programme, PROGRAMME_EDIT),
    "benefits:benefit_detail": read(samples.benefit),
    "benefits:benefit_edit": edit_page(samples.benefit, PROGRAMME_EDIT),
    # An empty profile grid is a broken form (no management form): 400, nothing saved.
    "benefits:profile_save": Entry(
        kwargs=samples.benefit,
        POST=statuses(
            400, anonymous=302, other_manager=403, board=403, scrutiny=403, viewer=403, no_role=403
        ),
    ),
    # The programme team (while it is open), the PMO and the benefit's owner mark it realised
    # or not realised (an empty form is an error on the page); the PMO confirms it.
    "benefits:benefit_realised": Entry(kwargs=samples.benefit, POST=PROGRAMME_EDIT),
    "benefits:benefit_realisation_confirm": Entry(kwargs=samples.benefit, POST=PMO_ONLY_PAGE),
    # Overriding a deliverability rating is the PMO's call.
    "benefits:benefit_deliverability": Entry(
        kwargs=samples.benefit, POST=statuses(403, anonymous=302, pmo=302)
    ),
    # An empty one-off costs grid is a broken form (no management form): 400, nothing saved.
    "benefits:one_off_costs": Entry(
        kwargs=samples.programme,
        GET=STAFF_READ,
        POST=statuses(
            400, anonymous=302, other_manager=403, board=403, scrutiny=403, viewer=403, no_role=403
        ),
    ),
    # A programme's deep-dive pack: staff read it; the PMO generates it (a redirect either way).
    "reports:deep_dive_list": Entry(kwargs=samples.programme, GET=STAFF_READ),
    "reports:deep_dive_status": Entry(
        kwargs=samples.programme, GET=statuses(302, anonymous=302, scrutiny=403, no_role=403)
    ),
    "reports:deep_dive_generate": Entry(kwargs=samples.programme, POST=PMO_ONLY_ACTION),
    "reports:deep_dive_download": Entry(
        kwargs=samples.deep_dive, GET=statuses(200, anonymous=302, scrutiny=403, no_role=403)
    ),
    # A board pack's PDF: whoever reads the board pack generates and downloads it.
    "reports:board_pack_pdf_list": Entry(kwargs=samples.board, GET=STAFF_READ),
    "reports:board_pack_pdf_status": Entry(
        kwargs=samples.board, GET=statuses(302, anonymous=302, scrutiny=403, no_role=403)
    ),
    "reports:board_pack_pdf_generate": Entry(
        kwargs=samples.board, POST=statuses(302, scrutiny=403, no_role=403)
    ),
    "reports:board_pack_pdf_download": Entry(kwargs=samples.board_pack_pdf, GET=STAFF_READ),
    "reports:board_pack_workbook_download": Entry(kwargs=samples.board_pack_pdf, GET=STAFF_READ),
    # --- onboarding: the PMO's (a programme's workbook too) ------------------------------------
    # An empty upload: the page again with the error. Confirming an upload whose check found a
    # problem is refused with a message (back to its preview); discarding it is the PMO's.
    "onboarding:start": edit_page(lambda demo: {}, PMO_ONLY),
    "onboarding:template": Entry(GET=PMO_ONLY),
    "onboarding:portfolio_export": Entry(GET=PMO_ONLY),
    "onboarding:programme_export": Entry(kwargs=samples.programme, GET=PMO_ONLY),
    "onboarding:preview": Entry(kwargs=samples.onboarding_upload, GET=PMO_ONLY),
    "onboarding:status": Entry(kwargs=samples.onboarding_upload, GET=PMO_ONLY_ACTION),
    "onboarding:confirm": Entry(kwargs=samples.onboarding_upload, POST=PMO_ONLY_ACTION),
    "onboarding:discard": Entry(kwargs=samples.onboarding_upload, POST=PMO_ONLY_ACTION),
    "benefits:mine": read(),
    "benefits:realisation": read(),
    "benefits:mtfp_list": read(),
    "benefits:mtfp_detail": read(samples.mtfp_plan),
    # The MTFP is the PMO's: targets, import, deliverability of a line, recalculating the roll-up.
    "benefits:mtfp_targets": Entry(
        kwargs=samples.mtfp_plan, POST=statuses(403, anonymous=302, pmo=302)
    ),
    "benefits:mtfp_import": Entry(
        kwargs=samples.mtfp_plan, GET=PMO_ONLY, POST=statuses(403, anonymous=302, pmo=400)
    ),
    "benefits:mtfp_import_template": Entry(kwargs=samples.mtfp_plan, GET=PMO_ONLY),
    "benefits:line_deliverability": Entry(
        kwargs=samples.mtfp_line, POST=statuses(403, anonymous=302, pmo=302)
    ),
    "benefits:recalculate": Entry(POST=statuses(403, anonymous=302, pmo=302)),
    # --- dashboard ------------------------------------------------------------------------------
    "dashboard:dashboard": read(),
    "dashboard:export": read(lambda demo: {"table": "pipeline", "fmt": "csv"}),
    # --- data out (api/): the feeds take a signed-in session or a personal access token ---------
    # With neither, a feed answers 401 (never a sign-in redirect: its clients are not browsers).
    # tests/api/ repeats the reads with each role's token.
    "api:odata_service": Entry(GET=statuses(200, anonymous=401)),
    "api:odata_metadata": Entry(GET=statuses(200, anonymous=401)),
    "api:odata_entity_set": Entry(kwargs=lambda demo: {"name": "Programmes"}, GET=FEED_READ),
    "api:odata_count": Entry(kwargs=lambda demo: {"name": "Risks"}, GET=FEED_READ),
    "api:calendar_mine": Entry(GET=FEED_READ),
    "api:calendar_programme": Entry(kwargs=samples.programme, GET=FEED_READ),
    "api:token_list": Entry(GET=statuses(200, anonymous=302), POST=statuses(200, anonymous=302)),
    "api:token_admin": Entry(GET=PMO_ONLY_PAGE),
    "api:token_revoke": Entry(
        kwargs=samples.access_token,
        POST=statuses(403, anonymous=302, pmo=302, viewer=302),
    ),
    "api:data_help": Entry(GET=statuses(200, anonymous=302)),
    "api:csvw_dashboard": read(lambda demo: {"table": "savings"}),
    "api:csvw_savings_year": read(lambda demo: {"year": 2019}),
    **{
        f"api:csvw_{kind}": read(samples.programme)
        for kind in (
            "risks",
            "assumptions",
            "issues",
            "dependencies",
            "actions",
            "decisions",
            "change_requests",
        )
    },
    "api:csvw_portfolio_raid": read(lambda demo: {"portfolio": demo.programme.portfolio.slug}),
    "api:csvw_raid": read(),
}
