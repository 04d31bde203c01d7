"""A small world for the lifecycle tests: one user per part, STB and the Delivery Board, and
helpers that write and submit a stage document through the services."""

from types import SimpleNamespace

import pytest

from accounts.roles import Role
from governance.models import BoardKind, Gate, GateReview
from governance.services import gate_policy_install_defaults, gate_review_decide, gate_review_submit
from portfolio.models import SectionTemplate
from portfolio.services import section_save, section_templates_install
from tests.governance.factories import BoardFactory, build_logs_world
from tests.portfolio.factories import PortfolioFactory, ProgrammeFactory


@pytest.fixture
def world(db, make_user):
    section_templates_install()
    gate_policy_install_defaults()
    w = SimpleNamespace(
        pmo=make_user(Role.PMO, username="pmo-user"),
        manager=make_user(Role.PROGRAMME_MANAGER, username="manager-user"),
        sro=make_user(Role.SRO, username="sro-user"),
        board=make_user(Role.BOARD_MEMBER, username="board-user"),
        outsider_board=make_user(Role.BOARD_MEMBER, username="outsider-board-user"),
        viewer=make_user(Role.VIEWER, username="viewer-user"),
        scrutiny=make_user(Role.SCRUTINY_MEMBER, username="scrutiny-user"),
    )
    w.stb = BoardFactory(
        name="Strategic Transformation Board", slug="stb", kind=BoardKind.STB, members=[w.board]
    )
    w.delivery = BoardFactory(
        name="Delivery Board", slug="delivery-board", kind=BoardKind.DELIVERY, members=[w.board]
    )
    w.portfolio = PortfolioFactory(name="Partner of Choice", slug="partner-of-choice")
    return w


@pytest.fixture
def make_programme(world):
    def make(**kwargs):
        kwargs.setdefault("manager", world.manager)
        kwargs.setdefault("sro", world.sro)
        kwargs.setdefault("portfolio", world.portfolio)
        return ProgrammeFactory(**kwargs)

    return make


def write_document(programme, kind, actor, text="Written for the gate."):
    for template in SectionTemplate.objects.filter(document=kind, required=True):
        section = programme.documents.filter(kind=kind).first()
        version = 0
        if section is not None:
            existing = section.sections.filter(key=template.key).first()
            version = existing.version if existing else 0
        section_save(
            programme=programme, kind=kind, key=template.key, actor=actor,
            text=f"{template.title}: {text}", base_version=version,
        )  # fmt: skip


def submit(programme, actor):
    from governance.models import Gate as G

    gate = G.for_stage(programme.stage)
    write_document(programme, G(gate).document, actor)
    return gate_review_submit(programme=programme, actor=actor)


def approve_until_last(review: GateReview, world) -> GateReview:
    """Approve every step but the last, each by who may decide it."""
    while not review.is_last_step:
        actor = world.sro if review.current_sign_off == "sro" else world.board
        extra = {}
        if review.gate == Gate.GATE_1:
            extra = {"portfolio": world.portfolio, "category": "B"}
        review = gate_review_decide(
            review=review, step=review.current_step, outcome="approve", reasons="Fine.",
            actor=actor, **extra,
        )  # fmt: skip
    return review


@pytest.fixture
def logs_world(make_user):
    return build_logs_world(make_user)  # tests/governance/factories.py
