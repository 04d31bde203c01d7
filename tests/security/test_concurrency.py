"""Two users at once, on PostgreSQL (row locks; SQLite serialises writes, so these skip there).

(a) Two deciders approving the same gate step at once: one transition, one decision. That test
    lives with the lifecycle: tests/governance/test_lifecycle.py::
    test_concurrent_double_approval_moves_the_stage_exactly_once (not repeated here).
(b) Two editors saving the same document section from the same base version: one wins, the
    other gets exactly one SectionConflict carrying both texts to merge.
(c) Two roll-ups at once: the RollupState row lock serialises them; one snapshot, same figures.
"""

import pytest
from django.db import connection

from benefits.models import RollupSnapshot
from benefits.rollup import rollup_run
from portfolio.models import DocumentSection
from portfolio.services import SectionConflict, document_is_editable, section_save
from tests.support.threads import together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (DATABASE_URL); SQLite serialises writes")


def test_two_editors_saving_one_section_give_one_conflict_and_keep_both_texts(demo):
    section = next(
        s
        for s in DocumentSection.objects.select_related("document__programme").order_by("pk")
        if not s.document.locked and document_is_editable(s.document.programme, s.document.kind)
    )
    programme, kind, base = section.document.programme, section.document.kind, section.version
    texts = {
        "manager": "Our case, as the manager wrote it.",
        "pmo": "Our case, as the PMO wrote it.",
    }

    def save(text: str):
        return lambda: section_save(
            programme=programme, kind=kind, key=section.key, text=text, base_version=base,
            actor=programme.manager,
        )  # fmt: skip

    results = together(save(texts["manager"]), save(texts["pmo"]))
    conflicts = [r for r in results if isinstance(r, SectionConflict)]
    saved = [r for r in results if isinstance(r, DocumentSection)]
    assert len(conflicts) == 1, results
    assert len(saved) == 1, results
    section.refresh_from_db()
    assert section.version == base + 1
    assert section.text == saved[0].text  # the winner's text is saved
    loser = (set(texts.values()) - {section.text}).pop()
    assert conflicts[0].theirs == section.text  # the loser is shown the winner's text...
    assert conflicts[0].yours == loser  # ...and keeps their own, to merge


def test_two_roll_ups_at_once_make_one_snapshot_with_the_same_figures(demo):
    RollupSnapshot.objects.all().delete()
    first, second = together(rollup_run, rollup_run)
    assert isinstance(first, RollupSnapshot), first
    assert isinstance(second, RollupSnapshot), second
    assert RollupSnapshot.objects.count() == 1
    assert first.pk == second.pk
    assert first.content_hash == second.content_hash
