"""Sample URL kwargs resolved from the demo data, for the permission matrix and the
object-level tests. Each takes the sample programme (``demo.programme``) and returns the kwargs
of one URL; the objects belong to that programme where the URL is a programme's."""

from datetime import date
from typing import Any

from accounts.models import User
from api.models import AccessToken
from api.services import access_token_create
from benefits.models import Benefit, BenefitType, MTFPPlan
from governance.models import Board, ChangeRequest, GatePolicy, GateReview, Risk
from portfolio.models import DocumentVersion, Milestone, StageDocument

Kwargs = dict[str, Any]


def programme(demo: Any) -> Kwargs:
    return {"slug": demo.programme.slug}


def portfolio(demo: Any) -> Kwargs:
    return {"slug": demo.programme.portfolio.slug}


def document(demo: Any) -> Kwargs:
    doc = StageDocument.objects.filter(programme=demo.programme).order_by("pk").first()
    return {"slug": demo.programme.slug, "document": doc.kind}


def section(demo: Any) -> Kwargs:
    doc = StageDocument.objects.filter(programme=demo.programme).order_by("pk").first()
    return {**document(demo), "key": doc.sections.order_by("pk").first().key}


def document_version(demo: Any) -> Kwargs:
    version = (
        DocumentVersion.objects.filter(document__programme=demo.programme)
        .select_related("document")
        .order_by("pk")
        .first()
    )
    return {
        "slug": demo.programme.slug,
        "document": version.document.kind,
        "number": version.number,
    }


def milestone(demo: Any) -> Kwargs:
    """A milestone of the sample programme's plan (its own, beside the demo's)."""
    row, _ = Milestone.objects.get_or_create(
        programme=demo.programme,
        title="Sample milestone",
        defaults={"due_date": date(2026, 3, 31), "baseline_date": date(2026, 3, 31)},
    )
    return {"slug": demo.programme.slug, "pk": row.pk}


def gate_review(demo: Any) -> Kwargs:
    return {"pk": GateReview.objects.filter(programme=demo.programme).order_by("pk").first().pk}


def gate_policy(demo: Any) -> Kwargs:
    return {"pk": GatePolicy.objects.order_by("pk").first().pk}


def log_entry(related: str):
    def kwargs(demo: Any) -> Kwargs:
        row = getattr(demo.programme, related).order_by("pk").first()
        return {"slug": demo.programme.slug, "pk": row.pk}

    return kwargs


def portfolio_risk(demo: Any) -> Kwargs:
    """A portfolio-level risk (no programme): only the PMO edits those."""
    return {"pk": Risk.objects.filter(programme=None).order_by("pk").first().pk}


def change_request(demo: Any) -> Kwargs:
    return {"pk": ChangeRequest.objects.filter(programme=demo.programme).order_by("pk").first().pk}


def board(demo: Any) -> Kwargs:
    return {"slug": Board.objects.order_by("pk").first().slug}


def benefit(demo: Any) -> Kwargs:
    """The demo gives the sample programme (Commercial) no benefit yet, so one is added."""
    row, _ = Benefit.objects.get_or_create(
        programme=demo.programme,
        title="Income from the first two commercial offerings",
        defaults={"type": BenefitType.INCOME},
    )
    return {"slug": demo.programme.slug, "pk": row.pk}


def mtfp_plan(demo: Any) -> Kwargs:
    return {"slug": MTFPPlan.objects.order_by("pk").first().slug}


def mtfp_line(demo: Any) -> Kwargs:
    plan = MTFPPlan.objects.order_by("pk").first()
    return {"slug": plan.slug, "pk": plan.lines.order_by("pk").first().pk}


def planned_benefit(demo: Any) -> Kwargs:
    """A benefit of the sample programme counting towards an MTFP line: its grid takes the plan's
    years only."""
    line = MTFPPlan.objects.order_by("pk").first().lines.order_by("pk").first()
    row, _ = Benefit.objects.get_or_create(
        programme=demo.programme,
        title="Savings from renegotiated commercial contracts",
        defaults={"type": BenefitType.CASHABLE_SAVING, "mtfp_line": line},
    )
    return {"slug": demo.programme.slug, "pk": row.pk}


def person(demo: Any) -> Kwargs:
    """A viewer whom the people pages change (not one of the matrix's actors)."""
    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import role_groups

    someone, created = User.objects.get_or_create(
        username="sample.person", defaults={"first_name": "Sam", "last_name": "Sample"}
    )
    if created:
        someone.groups.add(*role_groups([Role.VIEWER]))
    return {"pk": someone.pk}


def role_mapping(demo: Any) -> Kwargs:
    from accounts.models import RoleMapping
    from accounts.roles import Role

    mapping, _ = RoleMapping.objects.get_or_create(claim_value="sample-group", role=Role.VIEWER)
    return {"pk": mapping.pk}


def access_token(demo: Any) -> Kwargs:
    """A token of the demo viewer's: its owner and the PMO may revoke it, nobody else."""
    token = AccessToken.objects.filter(owner__username="viewer", revoked_at=None).first()
    if token is None:
        viewer = User.objects.get(username="viewer")
        token, _secret = access_token_create(actor=viewer, name="Matrix", expires_in_days=30)
    return {"pk": token.pk}


def escalation(demo: Any) -> Kwargs:
    """An escalation of the sample programme to the Delivery Board (the demo has none)."""
    from accounts.models import User
    from governance.models import Escalation

    board = Board.objects.get(slug="delivery-board")
    row, _ = Escalation.objects.get_or_create(
        programme=demo.programme,
        title="Agree the commercial team's recruitment",
        defaults={
            "source": "decision_request",
            "board": board,
            "ask": "Agree to recruit the new commercial team now.",
            "raised_by": User.objects.get(username="pmo"),
        },
    )
    return {"pk": row.pk}


def notification(demo: Any) -> Kwargs:
    """A failed email in the outbox (to the demo viewer): the PMO may send it again."""
    from notifications.models import Notification, Status
    from notifications.outbox import Message, notify

    viewer = User.objects.get(username="viewer")
    notify(
        kind="action_assigned", about=viewer, period="matrix", recipients=[viewer],
        message=Message(subject="Matrix sample", summary="A sample.", path="/"),
    )  # fmt: skip
    row = Notification.objects.get(period="matrix", recipient=viewer)
    Notification.objects.filter(pk=row.pk).update(status=Status.FAILED, last_error="Sample.")
    return {"pk": row.pk}


def deep_dive(demo: Any) -> Kwargs:
    """A generated deep-dive pack of the sample programme (with a small file)."""
    from django.core.files.base import ContentFile

    from reports.models import DeepDivePack, VersionStatus

    pack = DeepDivePack.objects.filter(programme=demo.programme, status="generated").first()
    if pack is None:
        pack = DeepDivePack.objects.create(
            programme=demo.programme, number=1, status=VersionStatus.GENERATED, progress=100,
            requested_by=User.objects.get(username="pmo"),
        )  # fmt: skip
        pack.pdf.save(pack.filename(), ContentFile(b"%PDF-1.4\n%sample\n"))
    return {"slug": demo.programme.slug, "number": pack.number}


def lesson(demo: Any) -> Kwargs:
    """A lesson recorded on the sample programme by its manager (the demo has none)."""
    from governance.lessons import lesson_record
    from governance.models import Lesson

    row = Lesson.objects.filter(programme=demo.programme).order_by("pk").first()
    if row is None:
        row = lesson_record(
            programme=demo.programme, title="Name a procurement lead before Gate 3",
            what_happened="The procurement framework was late.", polarity="negative",
            next_time="Name the lead in the Initial Brief.", actor=demo.programme.manager,
        )  # fmt: skip
    return {"pk": row.pk}


def board_pack_pdf(demo: Any) -> Kwargs:
    """A generated PDF of the sample board's pack (with a small file)."""
    from django.core.files.base import ContentFile

    from reports.models import BoardPackPdf, VersionStatus

    board = Board.objects.order_by("pk").first()
    row = BoardPackPdf.objects.filter(board=board, status="generated").first()
    if row is None:
        row = BoardPackPdf.objects.create(
            board=board, number=1, status=VersionStatus.GENERATED, progress=100,
            requested_by=User.objects.get(username="pmo"),
        )  # fmt: skip
        row.pdf.save(row.filename(), ContentFile(b"%PDF-1.4\n%sample\n"))
        row.xlsx.save(row.filename("xlsx"), ContentFile(b"PK\x03\x04sample"))
    return {"slug": board.slug, "number": row.number}


def raid_import(demo: Any) -> Kwargs:
    """A finished background RAID import of the sample programme."""
    from governance.models import ImportStatus, RaidImport

    row = RaidImport.objects.filter(programme=demo.programme).first()
    if row is None:
        row = RaidImport.objects.create(
            programme=demo.programme, filename="raid.xlsx", status=ImportStatus.IMPORTED,
            progress=100, risks=1, requested_by=demo.programme.manager,
        )  # fmt: skip
    return {"slug": demo.programme.slug, "pk": row.pk}


def onboarding_upload(demo: Any) -> Kwargs:
    """An onboarding upload whose check found a problem: confirming it is refused; the PMO may
    discard it."""
    from onboarding.models import OnboardingUpload, UploadStatus

    upload = OnboardingUpload.objects.create(
        filename="onboarding.xlsx", data=b"x", size=1, status=UploadStatus.INVALID,
        problems=[{"sheet": "Risks", "row": 2, "column": "Title", "message": "Title is empty."}],
        problem_count=1, uploaded_by=User.objects.get(username="pmo"),
    )  # fmt: skip
    return {"pk": upload.pk}
