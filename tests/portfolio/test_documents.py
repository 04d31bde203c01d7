"""Stage documents: section autosave, the edit conflict, completeness, locking, frozen versions,
highlight reports, new programmes and the audit trail."""

import pytest

from governance.services import gate_review_submit
from portfolio.models import (
    DocumentSection,
    DocumentVersion,
    HighlightReport,
    Programme,
    Stage,
    StageDocument,
)
from portfolio.services import canonical_hash
from tests.governance.conftest import submit, write_document

pytestmark = pytest.mark.django_db

SOC = "soc"


def section_url(programme, key="strategic-case", document=SOC):
    return f"/programmes/{programme.slug}/{document}/sections/{key}/"


def test_autosave_saves_a_section_without_a_page_reload(world, make_programme, client_as):
    programme = make_programme(category="")
    response = client_as(world.manager).post(
        section_url(programme), {"text": "Income is below comparable councils.", "version": 0},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    text = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in text
    assert "Draft saved at" in text
    assert 'id="version-strategic-case" value="1" hx-swap-oob="true"' in text
    section = DocumentSection.objects.get(key="strategic-case")
    assert (section.text, section.version, section.updated_by) == (
        "Income is below comparable councils.", 1, world.manager,
    )  # fmt: skip


def test_the_save_button_works_without_javascript(world, make_programme, client_as):
    programme = make_programme(category="")
    response = client_as(world.manager).post(
        section_url(programme), {"text": "Draft text", "version": 0}, follow=True
    )
    assert "Strategic case saved." in response.content.decode()
    assert "Draft text" in response.content.decode()


def test_the_document_page_autosaves_with_a_debounced_trigger(world, make_programme, client_as):
    programme = make_programme(category="")
    text = client_as(world.manager).get(f"/programmes/{programme.slug}/soc/").content.decode()
    assert 'hx-trigger="keyup changed delay:1500ms, change"' in text
    assert f'action="{section_url(programme)}"' in text


def test_two_people_editing_one_section_get_both_texts_to_merge(world, make_programme, client_as):
    programme = make_programme(category="")
    client_as(world.manager).post(section_url(programme), {"text": "Manager's words", "version": 0})
    # The SRO loaded the page at version 0 and saves after the manager.
    client = client_as(world.sro)
    response = client.post(section_url(programme), {"text": "SRO's words", "version": 0})
    text = response.content.decode()
    assert response.status_code == 409
    assert "This section changed while you were editing it" in text
    assert "Manager&#x27;s words" in text
    assert "SRO&#x27;s words" in text
    section = DocumentSection.objects.get(key="strategic-case")
    assert (section.text, section.version) == (
        "Manager's words",
        1,
    )  # nothing lost, nothing overwritten
    # htmx: the section is swapped for the merge view.
    response = client.post(
        section_url(programme), {"text": "SRO's words", "version": 0}, HTTP_HX_REQUEST="true"
    )
    assert response["HX-Retarget"] == "#section-strategic-case"
    assert "Save merged text" in response.content.decode()
    # Saving the merged text against the version shown succeeds.
    client.post(section_url(programme), {"text": "Manager's and SRO's words", "version": 1})
    section.refresh_from_db()
    assert (section.text, section.version) == ("Manager's and SRO's words", 2)


def test_saving_merged_text_swaps_the_section_back_to_the_editor(world, make_programme, client_as):
    programme = make_programme(category="")
    client_as(world.manager).post(section_url(programme), {"text": "Manager's words", "version": 0})
    response = client_as(world.sro).post(
        section_url(programme), {"text": "Merged words", "version": 1},
        HTTP_HX_REQUEST="true", HTTP_HX_TARGET="section-strategic-case",
    )  # fmt: skip
    text = response.content.decode()
    assert response.status_code == 200
    assert text.lstrip().startswith('<section class="app-doc-section" id="section-strategic-case"')
    assert "Merged words</textarea>" in text
    assert "Draft saved at" in text
    assert 'id="version-strategic-case" value="2"' in text
    assert "Save merged text" not in text


def test_completeness_lists_the_missing_required_sections(world, make_programme, client_as):
    programme = make_programme(category="")
    client_as(world.manager).post(section_url(programme), {"text": "Why", "version": 0})
    text = client_as(world.manager).get(f"/programmes/{programme.slug}/soc/").content.decode()
    assert "1 of 5 required sections written." in text
    missing = text.split("Still to write before submitting:")[1].split("</ul>")[0]
    for title in ["Economic case", "Commercial case", "Financial case", "Management case"]:
        assert title in missing
    assert "Strategic case" not in missing
    assert "Data and insight" not in missing  # optional


def test_full_brief_requires_scia_climate_and_staff_implications(world, make_programme):
    from portfolio.models import SectionTemplate

    required = set(
        SectionTemplate.objects.filter(document="full-brief", required=True).values_list(
            "title", flat=True
        )
    )
    assert {
        "Service and Community Impact Assessment (SCIA)",
        "Climate and sustainability assessment",
        "Staff implications",
    } <= required


def test_editing_a_locked_draft_is_refused_and_changes_nothing(world, make_programme, client_as):
    programme = make_programme(category="")
    submit(programme, world.manager)
    section = DocumentSection.objects.get(key="strategic-case")
    response = client_as(world.manager).post(
        section_url(programme), {"text": "Sneaky edit", "version": section.version}, follow=True
    )
    assert "locked until the review is decided or withdrawn" in response.content.decode()
    assert DocumentSection.objects.get(pk=section.pk).text == section.text
    page = client_as(world.manager).get(f"/programmes/{programme.slug}/soc/").content.decode()
    assert "The draft is locked" in page
    assert "Save section" not in page


def test_only_the_team_and_pmo_edit_documents(world, make_programme, client_as):
    programme = make_programme(category="")
    for user in (world.board, world.viewer):
        assert (
            client_as(user).post(section_url(programme), {"text": "x", "version": 0}).status_code
            == 403
        )
    assert client_as(world.scrutiny).get(f"/programmes/{programme.slug}/soc/").status_code == 403
    page = client_as(world.board).get(f"/programmes/{programme.slug}/soc/").content.decode()
    assert "Save section" not in page  # read-only for a board member
    assert (
        client_as(world.pmo).post(section_url(programme), {"text": "x", "version": 0}).status_code
        == 302
    )


def test_a_frozen_version_is_numbered_hashed_and_diffable(world, make_programme, client_as):
    programme = make_programme(category="")
    review = submit(programme, world.manager)
    from governance.services import gate_review_withdraw

    gate_review_withdraw(review=review, actor=world.manager)
    section = DocumentSection.objects.get(key="economic-case")
    client_as(world.manager).post(
        section_url(programme, "economic-case"),
        {"text": "Economic case: three options, option 3 preferred.", "version": section.version},
    )
    second = gate_review_submit(programme=programme, actor=world.manager).version
    first = DocumentVersion.objects.get(number=1)
    assert second.number == 2
    assert second.content_hash == canonical_hash(second.content) != first.content_hash
    url = f"/programmes/{programme.slug}/soc/versions/2/?view=diff"
    text = client_as(world.viewer).get(url).content.decode()
    assert "Changes since version 1" in text
    added = text.split('<ins class="app-diff-added">')[1].split("</ins>")[0]
    assert "three options, option 3 preferred." in added
    assert "(unchanged)" in text


def test_history_page_shows_who_changed_what(world, make_programme, client_as):
    programme = make_programme(category="")
    client_as(world.manager).post(section_url(programme), {"text": "First thoughts", "version": 0})
    client_as(world.sro).post(
        section_url(programme), {"text": "First and second thoughts", "version": 1}
    )
    text = client_as(world.viewer).get(f"/programmes/{programme.slug}/history/").content.decode()
    assert "Strategic Outline Case (SOC): Strategic case" in text
    assert str(world.manager) in text
    assert str(world.sro) in text
    assert text.index(str(world.sro)) < text.index(str(world.manager))  # newest first
    assert "and second" in text.split('app-doc-text">First <ins class="app-diff-added">')[1]


def test_pmo_creates_a_programme_idea_in_identify(world, client_as):
    response = client_as(world.pmo).post(
        "/programmes/new/",
        {"name": "Income Generation", "description": "Generate income like other councils.",
         "manager": world.manager.pk, "sro": world.sro.pk},
        follow=True,
    )  # fmt: skip
    programme = Programme.objects.get(name="Income Generation")
    assert "is recorded in Identify" in response.content.decode()
    assert (programme.slug, programme.stage, programme.manager) == (
        "income-generation", Stage.IDENTIFY, world.manager,
    )  # fmt: skip
    assert StageDocument.objects.filter(programme=programme, kind=SOC).exists()
    assert client_as(world.manager).get("/programmes/new/").status_code == 403


def test_new_programme_needs_a_name_and_an_idea(world, client_as):
    response = client_as(world.pmo).post("/programmes/new/", {"name": ""})
    assert "There is a problem" in response.content.decode()
    assert not Programme.objects.exists()


def test_highlight_reports_are_written_monthly_in_deliver(world, make_programme, client_as):
    programme = make_programme(stage=Stage.DELIVER, category="B")
    data = {"month": "2024-05", "delivery_confidence": "amber_green", "schedule_rag": "green",
            "budget_rag": "amber", "benefits_rag": "green", "risk_rag": "amber",
            "progress": "Platform procured.", "next_period": "Build",
            "confidence_rationale": "One supplier date is unconfirmed."}  # fmt: skip
    response = client_as(world.manager).post(
        f"/programmes/{programme.slug}/workbook/", data, follow=True
    )
    assert "Highlight report for May 2024 saved." in response.content.decode()
    assert "Amber/Green" in response.content.decode()
    report = HighlightReport.objects.get()
    assert str(report.month) == "2024-05-01"
    data["delivery_confidence"] = "red"
    client_as(world.manager).post(f"/programmes/{programme.slug}/workbook/", data)
    assert HighlightReport.objects.get().delivery_confidence == "red"  # one report a month
    assert (
        client_as(world.viewer).post(f"/programmes/{programme.slug}/workbook/", data).status_code
        == 403
    )


def test_latest_highlight_report_per_programme(world, make_programme):
    from datetime import date

    first, second = make_programme(stage=Stage.DELIVER), make_programme(stage=Stage.DELIVER)
    for programme, months in ((first, [1, 2, 3]), (second, [5, 4])):
        for month in months:
            HighlightReport.objects.create(
                programme=programme, month=date(2024, month, 1), delivery_confidence="amber",
                schedule_rag="green", budget_rag="green", benefits_rag="green", risk_rag="green",
                progress="x", created_by=world.manager,
            )  # fmt: skip
    latest = {r.programme_id: r.month.month for r in HighlightReport.objects.latest_per_programme()}
    assert latest == {first.pk: 3, second.pk: 5}


def test_programme_page_shows_timeline_current_document_and_open_review(
    world, make_programme, client_as
):
    from governance.services import gate_review_decide

    programme = make_programme(stage=Stage.DEFINE, category="B")
    review = submit(programme, world.manager)
    gate_review_decide(review=review, step=0, outcome="approve", reasons="Ok", actor=world.sro)
    gate_review_decide(review=review, step=1, outcome="approve", reasons="Ok", actor=world.board)
    programme.refresh_from_db()
    submit(programme, world.manager)
    text = client_as(world.viewer).get(f"/programmes/{programme.slug}/").content.decode()
    assert "Gate 2: Initial Programme Brief</a>: approved" in text
    assert (
        "Full Programme Brief (Section B)</a>: 10 of 10 required sections written; submitted"
        in text
    )
    assert "awaiting the SRO sign-off (step 1 of 2)" in text
    assert "See the history of changes" in text


def test_programme_page_query_count_is_constant(
    world, make_programme, client_as, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from governance.services import gate_review_decide

    programme = make_programme(stage=Stage.DEFINE, category="A")
    client = client_as(world.viewer)

    def cycle():
        review = submit(programme, world.manager)
        for step, actor in enumerate([world.sro, world.board]):
            gate_review_decide(
                review=review, step=step, outcome="approve", reasons="Ok", actor=actor
            )
        gate_review_decide(
            review=review, step=2, outcome="defer", reasons="Not yet", actor=world.board
        )

    cycle()
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/programmes/{programme.slug}/").status_code == 200
    for _ in range(4):
        cycle()
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(f"/programmes/{programme.slug}/").status_code == 200


def test_viewer_reads_but_cannot_submit(world, make_programme, client_as):
    programme = make_programme(category="")
    write_document(programme, SOC, world.manager)
    viewer = client_as(world.viewer)
    page = viewer.get(f"/programmes/{programme.slug}/{SOC}/")
    assert page.status_code == 200
    assert "Written for the gate." in page.text
    assert "<textarea" not in page.text
    assert viewer.post(f"/programmes/{programme.slug}/submit/").status_code == 403
    assert not programme.gate_reviews.exists()


def test_a_submitted_version_cannot_be_changed(world, make_programme):
    version = submit(make_programme(category=""), world.manager).version
    version.content = []
    with pytest.raises(ValueError, match="immutable"):
        version.save()
    version.refresh_from_db()
    assert version.content != []
