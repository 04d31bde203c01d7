"""The lessons-learned library: capture from each source, the closure report's conversion, search
(PostgreSQL full-text ranking and the SQLite fallback), curation and who may do what."""

from datetime import date
from importlib import import_module

import pytest
from django.db import connection

from governance.lessons import (
    LessonError,
    closure_lessons_parse,
    lesson_adopt,
    lesson_merge,
    lesson_record,
    lesson_update,
    lessons_from_closure,
)
from governance.models import Lesson, LessonSource, LessonStatus, LessonTheme
from governance.queries import (
    LESSONS_PER_PAGE,
    LessonFilters,
    StoredSearchVector,
    lesson_search,
    lesson_search_vector,
    lessons_page,
)
from governance.services import gate_review_decide, gate_review_submit
from portfolio.models import DocumentKind, HighlightReport, Stage
from portfolio.services import section_save
from tests.governance.conftest import approve_until_last, submit, write_document
from tests.portfolio.factories import DirectorateFactory

VECTOR = import_module("governance.migrations.0014_lessons_themes_and_search_index").VECTOR
STORED = "governance.migrations.0021_lessons_stored_search_vector"

pytestmark = pytest.mark.django_db

CLOSURE_LESSONS = """What went well:
- Early engagement with the commercial team paid off. Suppliers bid on time.
- Weekly stand-ups with the receiving service

What did not go well:
- Procurement was not ready: we waited three months for a framework
"""


@pytest.fixture
def adults(world):
    return DirectorateFactory(slug="adults", name="Adult Social Care")


@pytest.fixture
def delivering(world, make_programme, adults):
    return make_programme(
        slug="income", name="Income", stage=Stage.DELIVER, category="B", directorate=adults
    )


def report_for(programme, user, month=date(2020, 1, 1)):
    return HighlightReport.objects.create(
        programme=programme, month=month, delivery_confidence="amber", schedule_rag="amber",
        budget_rag="green", benefits_rag="green", risk_rag="amber",
        progress="The framework is late.", created_by=user,
    )  # fmt: skip


def lesson_post(**extra):
    return {
        "title": "Book the procurement framework before Gate 3",
        "polarity": "negative",
        "what_happened": "The framework was not ready and delivery waited three months.",
        "why": "Nobody owned procurement before the Full Brief.",
        "next_time": "Name a procurement lead in the Initial Brief.",
        "stage": "deliver",
        **extra,
    }


# --- capture from each source ------------------------------------------------------------------


def test_a_manager_records_a_lesson_from_a_highlight_report(world, delivering, client_as):
    report = report_for(delivering, world.manager)
    theme = LessonTheme.objects.get(slug="commercial")
    client = client_as(world.manager)
    workbook = client.get("/programmes/income/workbook/").content.decode()
    link = f"/programmes/income/lessons/new/?source=highlight_report&amp;id={report.pk}"
    assert link in workbook
    page = client.get(link.replace("&amp;", "&"))
    assert "highlight report, January 2020" in page.content.decode()
    response = client.post(link.replace("&amp;", "&"), lesson_post(themes=[theme.pk]))
    lesson = Lesson.objects.get()
    assert response.status_code == 302
    assert response["Location"] == lesson.get_absolute_url()
    assert lesson.source == LessonSource.HIGHLIGHT_REPORT
    assert lesson.highlight_report == report
    assert lesson.directorate.slug == "adults"
    assert lesson.category == "B"
    assert list(lesson.themes.all()) == [theme]
    assert lesson.recorded_by == world.manager
    detail = client.get(lesson.get_absolute_url()).content.decode()
    assert f"/programmes/income/workbook/#report-{report.pk}" in detail
    assert "Highlight report, January 2020" in detail


def test_a_lesson_from_a_gate_decision_links_back_to_the_review(world, make_programme, client_as):
    programme = make_programme(slug="gated", name="Gated", stage=Stage.DESIGN, category="B")
    review = approve_until_last(submit(programme, world.manager), world)
    client = client_as(world.sro)
    page = client.get(review.get_absolute_url()).content.decode()
    link = f"/programmes/gated/lessons/new/?source=gate_review&amp;id={review.pk}"
    assert link in page
    response = client.post(link.replace("&amp;", "&"), lesson_post(stage="design"))
    assert response.status_code == 302
    lesson = Lesson.objects.get()
    assert lesson.source == LessonSource.GATE_REVIEW
    assert lesson.gate_review == review
    assert lesson.source_url == review.get_absolute_url()


def test_a_lesson_recorded_directly_on_a_programme_at_any_stage(world, make_programme, client_as):
    programme = make_programme(slug="idea", name="Idea", stage=Stage.IDENTIFY, category="")
    client = client_as(world.manager)
    assert "/programmes/idea/lessons/new/" in client.get("/programmes/idea/").content.decode()
    response = client.post("/programmes/idea/lessons/new/", lesson_post(stage="identify"))
    assert response.status_code == 302
    lesson = Lesson.objects.get()
    assert (lesson.source, lesson.stage) == (LessonSource.DIRECT, "identify")
    assert lesson.source_url == programme.get_absolute_url()


def test_an_empty_or_foreign_source_is_refused_and_nothing_saved(
    world, delivering, make_programme, client_as
):
    other = make_programme(slug="other", name="Other", stage=Stage.DELIVER)
    foreign = report_for(other, world.manager)
    client = client_as(world.manager)
    response = client.post("/programmes/income/lessons/new/", {})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the lesson in a sentence" in page
    assert "Say what to do next time" in page
    bad = f"/programmes/income/lessons/new/?source=highlight_report&id={foreign.pk}"
    assert client.post(bad, lesson_post()).status_code == 404
    assert client.get("/programmes/income/lessons/new/?source=nonsense&id=1").status_code == 404
    assert not Lesson.objects.exists()
    with pytest.raises(LessonError, match="not this programme's"):
        lesson_record(
            programme=delivering, title="x", what_happened="y", polarity="positive",
            highlight_report=foreign, actor=world.pmo,
        )  # fmt: skip


# --- the closure report --------------------------------------------------------------------------


def test_the_closure_reports_lessons_section_is_split_by_heading_and_bullet():
    lessons = closure_lessons_parse(CLOSURE_LESSONS + "\nEven better if: a template existed.")
    assert [(lesson.polarity, lesson.text) for lesson in lessons] == [
        ("positive", "Early engagement with the commercial team paid off. Suppliers bid on time."),
        ("positive", "Weekly stand-ups with the receiving service"),
        ("negative", "Procurement was not ready: we waited three months for a framework"),
        ("negative", "a template existed."),
    ]
    assert lessons[0].title == "Early engagement with the commercial team paid off."
    assert [p.text for p in closure_lessons_parse("One.\n\nTwo\nlines.")] == ["One.", "Two lines."]
    assert closure_lessons_parse("  \n\n") == []


def close_with_lessons(programme, world, text=CLOSURE_LESSONS, outcome="approve"):
    write_document(programme, DocumentKind.CLOSURE_REPORT, world.manager)
    section = programme.documents.get(kind=DocumentKind.CLOSURE_REPORT).sections.get(
        key="lessons-learned"
    )
    section_save(
        programme=programme, kind=DocumentKind.CLOSURE_REPORT, key="lessons-learned",
        text=text, base_version=section.version, actor=world.manager,
    )  # fmt: skip
    review = gate_review_submit(programme=programme, actor=world.manager)
    return gate_review_decide(
        review=review, step=0, outcome=outcome, reasons="Delivered.", actor=world.board
    )


def test_the_closure_reports_lessons_become_records_when_the_closure_is_approved(
    world, delivering, client_as
):
    review = close_with_lessons(delivering, world)
    delivering.refresh_from_db()
    assert delivering.stage == Stage.CLOSED
    lessons = list(Lesson.objects.order_by("pk"))
    assert [lesson.polarity for lesson in lessons] == ["positive", "positive", "negative"]
    first = lessons[0]
    assert first.source == LessonSource.CLOSURE_REPORT
    assert first.stage == Stage.CLOSED
    assert first.closure_version == review.version
    assert first.gate_review == review
    assert first.directorate.slug == "adults"
    assert first.recorded_by == world.board  # who approved the closure
    assert (
        first.source_url == f"/programmes/income/closure-report/versions/{review.version.number}/"
    )
    assert lessons_from_closure(review=review, actor=world.pmo) == []  # once only
    detail = client_as(world.pmo).get(first.get_absolute_url()).content.decode()
    assert f"Closure report, version {review.version.number}" in detail


def test_a_deferred_closure_makes_no_lesson_records(world, delivering):
    close_with_lessons(delivering, world, outcome="defer")
    assert not Lesson.objects.exists()


def test_done_when_the_pmo_finds_closure_lessons_from_a_new_programme_in_the_directorate(
    world, delivering, make_programme, adults, client_as
):
    close_with_lessons(delivering, world)
    make_programme(
        slug="new-idea", name="New idea", stage=Stage.IDENTIFY, category="", directorate=adults
    )
    make_programme(slug="elsewhere", name="Elsewhere", stage=Stage.IDENTIFY, category="")
    client = client_as(world.pmo)
    page = client.get("/programmes/new-idea/").content.decode()
    assert "Lessons from similar programmes" in page
    assert 'hx-get="/programmes/new-idea/lessons/similar/"' in page
    panel = client.get("/programmes/new-idea/lessons/similar/", headers={"HX-Request": "true"})
    text = panel.content.decode()
    assert "Early engagement with the commercial team paid off." in text
    assert "See all 3 lessons from similar programmes" in text
    library = client.get("/lessons/?similar=new-idea").content.decode()
    assert "3 lessons" in library
    assert "Procurement was not ready" in library
    # Without htmx the panel's URL is the library filtered to similar programmes.
    assert client.get("/programmes/new-idea/lessons/similar/")["Location"] == (
        "/lessons/?similar=new-idea"
    )
    nothing = client.get("/programmes/elsewhere/lessons/similar/", headers={"HX-Request": "true"})
    assert "No similar programme has recorded a lesson yet" in nothing.content.decode()


def test_the_soc_links_its_risks_to_lessons_from_similar_programmes(
    world, make_programme, client_as
):
    make_programme(slug="idea", name="Idea", stage=Stage.IDENTIFY)
    page = client_as(world.manager).get("/programmes/idea/soc/").content.decode()
    assert '/lessons/?similar=idea">lessons from similar programmes</a>' in page


# --- search ------------------------------------------------------------------------------------


def record(programme, actor, title, **fields):
    fields.setdefault("what_happened", "Something happened.")
    fields.setdefault("polarity", "negative")
    return lesson_record(programme=programme, title=title, actor=actor, **fields)


def test_an_empty_library_says_how_lessons_get_there_and_an_empty_search_says_to_widen_it(
    world, delivering, client_as
):
    client = client_as(world.viewer)
    empty = client.get("/lessons/").content.decode()
    assert "No lessons have been recorded yet." in empty
    assert "No lessons match this search" not in empty
    record(delivering, world.pmo, "Procurement framework late")
    missed = client.get("/lessons/?q=zebra").content.decode()
    assert "No lessons match this search. Try fewer words or fewer filters." in missed
    assert "No lessons have been recorded yet." not in missed


def test_search_finds_words_in_any_text_and_filters_combine(
    world, delivering, make_programme, client_as
):
    other = make_programme(slug="other", name="Other", stage=Stage.DEFINE, category="A")
    theme = LessonTheme.objects.get(slug="commercial")
    a = record(delivering, world.pmo, "Procurement framework late", themes=[theme])
    b = record(other, world.pmo, "Stakeholders", next_time="Check the procurement route early.",
               polarity="positive")  # fmt: skip
    record(other, world.pmo, "Unrelated lesson about data")
    assert set(lesson_search(LessonFilters(text="procurement"))) == {a, b}
    assert list(lesson_search(LessonFilters(text="procurement", polarity="positive"))) == [b]
    assert list(lesson_search(LessonFilters(text="procurement", category="B"))) == [a]
    assert list(lesson_search(LessonFilters(theme=theme))) == [a]
    assert list(lesson_search(LessonFilters(stage="define", text="route"))) == [b]
    assert list(lesson_search(LessonFilters(directorate=delivering.directorate))) == [a]
    page = client_as(world.viewer).get("/lessons/?q=procurement&category=B").content.decode()
    assert "1 lesson matching" in page
    assert "Procurement framework late" in page
    assert "Stakeholders</a>" not in page
    bad = client_as(world.viewer).get("/lessons/?category=Z&theme=nope&page=abc")
    assert bad.status_code == 200  # an unknown filter is ignored, never a 500


@pytest.mark.skipif("connection.vendor == 'postgresql'")
def test_the_sqlite_fallback_matches_every_word_case_insensitively(world, delivering):
    a = record(delivering, world.pmo, "Procurement framework late", why="No OWNER named.")
    record(delivering, world.pmo, "Procurement on time")
    assert list(lesson_search(LessonFilters(text="procurement owner"))) == [a]
    assert list(lesson_search(LessonFilters(text="PROCUREMENT framework"))) == [a]


@pytest.mark.postgres
def test_postgres_full_text_search_ranks_title_matches_first_and_stems(world, delivering):
    if connection.vendor != "postgresql":
        pytest.skip("full-text search needs PostgreSQL (DATABASE_URL)")
    body = record(delivering, world.pmo, "Suppliers", what_happened="The procurement slipped.")
    title = record(delivering, world.pmo, "Procurement planned too late")
    why = record(delivering, world.pmo, "Board", why="Procuring took long.")
    record(delivering, world.pmo, "Nothing to do with it")
    found = list(lesson_search(LessonFilters(text="procurement")))
    assert found == [title, body, why]  # title (A) > what happened (B) > why (C); "procuring"
    assert found[0].rank > found[1].rank > found[2].rank
    # The GIN index of migration 0021 exists on the stored words and serves a search (on a
    # table this small the planner prefers other scans unless they are switched off).
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM governance_lesson WHERE search_vector "
            "@@ websearch_to_tsquery('english'::regconfig, %s)",
            ["procurement"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "lessons_search_vector_gin" in plan


@pytest.mark.postgres
def test_the_stored_search_words_are_the_lessons_words_after_every_write(
    world, delivering, make_programme
):
    """Migration 0021's generated column holds exactly lesson_search_vector() (the expression
    of 0014, written out in SQL there), kept by PostgreSQL through records, corrections,
    adoption and closure conversions alike; so a search finds and ranks what it did."""
    if connection.vendor != "postgresql":
        pytest.skip("the stored words are PostgreSQL's (DATABASE_URL)")
    assert import_module(STORED).VECTOR == VECTOR
    lesson = record(delivering, world.pmo, "Procurement planned too late", why="Nobody owned it",
                    next_time="Name a lead.", what_happened="The framework slipped.")  # fmt: skip
    record(delivering, world.pmo, "Board papers", what_happened="Papers were late.")
    lesson_update(lesson=lesson, title="Suppliers named too late", what_happened="Slipped.",
                  polarity="positive", actor=world.pmo, why="Leads left.")  # fmt: skip
    lesson_adopt(lesson=lesson, what_changed="Gate 3 asks for the supplier list.", actor=world.pmo)
    pairs = Lesson.objects.annotate(
        stored=StoredSearchVector(), computed=lesson_search_vector()
    ).values_list("stored", "computed")
    assert len(pairs) == 2
    for stored, computed in pairs:
        assert stored == computed
    assert [found.pk for found in lesson_search(LessonFilters(text="supplier list"))] == [lesson.pk]
    assert not lesson_search(LessonFilters(text="procurement")).exists()  # the old words left


def test_a_page_of_the_library_is_the_search_sliced_in_the_same_order(world, delivering, adults):
    """lessons_page finds its lessons by key first; the lessons and their order are those of
    the search itself, on every page, with words and without (PostgreSQL and SQLite)."""
    texts = ["Procurement lead named late", "A procurement lesson", "Lead the board",
             "Procurement and leads", "Nothing here"]  # fmt: skip
    for n in range(2 * LESSONS_PER_PAGE + 7):
        record(delivering, world.pmo, f"{texts[n % len(texts)]} {n}",
               why="Procurement lead." if n % 3 == 0 else "")  # fmt: skip
    for filters in (
        LessonFilters(text="procurement lead"),
        LessonFilters(text="procurement"),
        LessonFilters(),
        LessonFilters(directorate=adults, polarity="negative"),
    ):
        every = list(lesson_search(filters))
        assert len(every) > LESSONS_PER_PAGE
        pages = -(-len(every) // LESSONS_PER_PAGE)
        for number in range(1, pages + 1):
            page = lessons_page(filters, str(number))
            first = (number - 1) * LESSONS_PER_PAGE
            assert list(page.object_list) == every[first : first + LESSONS_PER_PAGE]
            assert page.paginator.count == len(every)
        last = every[(pages - 1) * LESSONS_PER_PAGE :]
        assert list(lessons_page(filters, "99").object_list) == last  # past the end: the last


# Session, user with their roles (read once for the permission checks and the header), the filter
# form's directorates and themes, the count, the page of lessons, their themes: the same at any
# number of lessons.
LIBRARY_QUERIES = 7


def test_the_library_query_count_is_constant_in_the_number_of_lessons(
    world, delivering, client_as, django_assert_num_queries
):
    themes = list(LessonTheme.objects.all()[:3])
    client = client_as(world.pmo)

    def add(n):
        for i in range(n):
            record(delivering, world.pmo, f"Lesson {Lesson.objects.count()} {i}", themes=themes)

    for size in (3, 30):
        add(size)
        client.get("/lessons/?q=lesson")  # the header's inbox counts are cached after this
        with django_assert_num_queries(LIBRARY_QUERIES):
            response = client.get("/lessons/?q=lesson")
        assert f"{Lesson.objects.count()} lessons" in response.content.decode()


# --- curation and permissions ------------------------------------------------------------------


def test_the_pmo_marks_a_lesson_adopted_and_merges_a_duplicate(world, delivering, client_as):
    keep = record(delivering, world.manager, "Name a procurement lead early")
    theme = LessonTheme.objects.get(slug="commercial")
    duplicate = record(delivering, world.manager, "Procurement lead needed", themes=[theme])
    client = client_as(world.pmo)
    adopt = f"/lessons/{keep.pk}/adopt/"
    response = client.post(adopt, {"what_changed": ""})
    assert response.status_code == 200
    assert "Say what changed in practice" in response.content.decode()
    keep.refresh_from_db()
    assert keep.status == LessonStatus.RECORDED
    client.post(adopt, {"what_changed": "The Initial Brief template asks for a procurement lead."})
    keep.refresh_from_db()
    assert keep.status == LessonStatus.ADOPTED
    assert keep.adopted_by == world.pmo
    response = client.post(f"/lessons/{duplicate.pk}/merge/", {"into": keep.pk})
    assert response["Location"] == keep.get_absolute_url()
    duplicate.refresh_from_db()
    assert duplicate.status == LessonStatus.MERGED
    assert duplicate.merged_into == keep
    assert list(keep.themes.all()) == [theme]
    assert list(lesson_search(LessonFilters(text="procurement"))) == [keep]
    assert (
        "Duplicates merged into this lesson" in client.get(keep.get_absolute_url()).content.decode()
    )
    with pytest.raises(LessonError):
        lesson_merge(lesson=keep, into=duplicate, actor=world.pmo)
    with pytest.raises(LessonError, match="merged into another"):
        lesson_adopt(lesson=duplicate, what_changed="x", actor=world.pmo)
    refused = client.post(f"/lessons/{keep.pk}/merge/", {"into": keep.pk})
    assert refused.status_code == 200  # not a candidate: a form error, nothing changed


def test_who_may_read_record_and_curate(world, delivering, make_programme, make_user, client_as):
    from accounts.roles import Role

    lesson = record(delivering, world.manager, "A lesson")
    other_manager = make_user(Role.PROGRAMME_MANAGER, username="other-manager")
    make_programme(slug="theirs", name="Theirs", manager=other_manager)
    new = "/programmes/income/lessons/new/"
    for user, read, write, curate in [
        (world.pmo, 200, 200, True),
        (world.manager, 200, 200, False),
        (world.sro, 200, 200, False),
        (other_manager, 200, 403, False),
        (world.board, 200, 403, False),
        (world.viewer, 200, 403, False),
        (world.scrutiny, 403, 403, False),  # lessons only as published in a report
    ]:
        client = client_as(user)
        assert client.get("/lessons/").status_code == read, user
        assert client.get(lesson.get_absolute_url()).status_code == read, user
        assert client.get(new).status_code == write, user
        assert client.get(f"/lessons/{lesson.pk}/edit/").status_code == write, user
        status = client.post(f"/lessons/{lesson.pk}/adopt/", {"what_changed": "x"}).status_code
        assert (status == 302) == curate, user
        assert status in (302, 403), user
    with pytest.raises(LessonError):
        record(delivering, other_manager, "Not theirs")
    with pytest.raises(LessonError):
        lesson_adopt(lesson=lesson, what_changed="x", actor=world.manager)
