from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    # Before <quarter>/…: a programme's deep-dive packs.
    path("deep-dives/<slug:slug>/", views.deep_dive_list, name="deep_dive_list"),
    path("deep-dives/<slug:slug>/generate/", views.deep_dive_generate, name="deep_dive_generate"),
    path("deep-dives/<slug:slug>/status/", views.deep_dive_status, name="deep_dive_status"),
    path(
        "deep-dives/<slug:slug>/<int:number>.pdf",
        views.deep_dive_download,
        name="deep_dive_download",
    ),
    # Before <quarter>/…: a board pack's PDFs.
    path("board-packs/<slug:slug>/", views.board_pack_pdf_list, name="board_pack_pdf_list"),
    path(
        "board-packs/<slug:slug>/generate/",
        views.board_pack_pdf_generate,
        name="board_pack_pdf_generate",
    ),
    path(
        "board-packs/<slug:slug>/status/", views.board_pack_pdf_status, name="board_pack_pdf_status"
    ),
    path(
        "board-packs/<slug:slug>/<int:number>.pdf",
        views.board_pack_pdf_download,
        name="board_pack_pdf_download",
    ),
    path(
        "board-packs/<slug:slug>/<int:number>.xlsx",
        views.board_pack_workbook_download,
        name="board_pack_workbook_download",
    ),
    path("<str:quarter>/", views.report_detail, name="report_detail"),
    path("<str:quarter>/status/", views.report_status, name="report_status"),
    path("<str:quarter>/edit/", views.report_edit, name="report_edit"),
    path("<str:quarter>/progress/<int:pk>/", views.report_progress_edit, name="progress_edit"),
    path("<str:quarter>/sections/new/", views.report_section_edit, name="section_add"),
    path("<str:quarter>/sections/<int:pk>/", views.report_section_edit, name="section_edit"),
    path("<str:quarter>/lessons/", views.report_lessons_edit, name="lessons_edit"),
    path("<str:quarter>/generate/", views.report_generate, name="report_generate"),
    path("<str:quarter>/correct/", views.report_correct, name="report_correct"),
    path("<str:quarter>/v<int:number>/publish/", views.report_publish, name="report_publish"),
    path("<str:quarter>/v<int:number>/<str:fmt>/", views.report_download, name="report_download"),
]
