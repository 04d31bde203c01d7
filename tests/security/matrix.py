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
    """The demo's Q3 2019/20 quarterly report draft."""
    return {"quarter": "2019-20-q3"}


def _report_version(demo: DemoObjects) -> dict[str, Any]:
    """A queued (unfinished, unpublished) version of the demo report: no file is written."""
    from dashboard.models import QuarterlyReport, ReportVersion
    from dashboard.reports import quarter_end

    report = QuarterlyReport.objects.get(financial_year=2019, quarter_number=3)
    version, _ = ReportVersion.objects.get_or_create(
        report=report,
        number=1,
        defaults={
            "as_of": quarter_end(report.quarter),
            "requested_by": User.objects.get(username="pmo"),
        },
    )
    return {"quarter": "2019-20-q3", "number": version.number}


def _report_progress(demo: DemoObjects) -> dict[str, Any]:
    from dashboard.models import ProgrammeProgress

    row = ProgrammeProgress.objects.filter(report__financial_year=2019).order_by("pk").first()
    return {"quarter": "2019-20-q3", "pk": row.pk}


def _report_section(demo: DemoObjects) -> dict[str, Any]:
    from dashboard.models import ReportSection

    section = ReportSection.objects.filter(report__financial_year=2019).order_by("pk").first()
    return {"quarter": "2019-20-q3", "pk": section.pk}


PMO_ONLY_PAGE = statuses(403, anonymous=302, pmo=200)
PMO_ONLY_ACTION = statuses(403, anonymous=302, pmo=302)

STAFF_READ = statuses(200, anonymous=302, scrutiny=403, no_role=403)

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
    "healthz": Entry(GET=statuses(200)),
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
    # Readers and scrutiny see published reports only: the demo's Q3 2019/20 report is a draft
    # (404 to them). An empty POST gives the PMO a form error, or a refusal message and redirect.
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
    "reports:report_generate": Entry(kwargs=_report_quarter, POST=PMO_ONLY_ACTION),
    "reports:report_correct": Entry(kwargs=_report_quarter, POST=PMO_ONLY_ACTION),
    "reports:report_publish": Entry(kwargs=_report_version, POST=PMO_ONLY_ACTION),
    "reports:report_download": Entry(
        # An unfinished version: nobody but the PMO may ask, and it has no file yet.
        kwargs=lambda demo: {**_report_version(demo), "fmt": "pdf"},
        GET=statuses(403, anonymous=302, no_role=403, pmo=404),
    ),
}
