from django.urls import path

from . import views

app_name = "portfolio"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("new/", views.programme_new, name="programme_new"),
    path("<slug:slug>/", views.programme_detail, name="programme_detail"),
    path("<slug:slug>/workbook/", views.workbook, name="workbook"),
    path(
        "<slug:slug>/workbook/assurance/",
        views.assurance_rating_new,
        name="assurance_rating_new",
    ),
    path("<slug:slug>/plan/", views.plan, name="plan"),
    path("<slug:slug>/plan/export.<str:fmt>", views.plan_export, name="plan_export"),
    path("<slug:slug>/plan/import/", views.plan_import_page, name="plan_import"),
    path("<slug:slug>/plan/import/confirm/", views.plan_import_confirm, name="plan_import_confirm"),
    path("<slug:slug>/plan/<int:pk>/", views.milestone_edit, name="milestone_edit"),
    path(
        "<slug:slug>/plan/<int:pk>/complete/",
        views.milestone_complete_view,
        name="milestone_complete",
    ),
    path("<slug:slug>/plan/<int:pk>/move/", views.milestone_move_view, name="milestone_move"),
    path("<slug:slug>/<slug:document>/", views.document_edit, name="document_edit"),
    path(
        "<slug:slug>/<slug:document>/sections/<slug:key>/",
        views.section_update,
        name="section_update",
    ),
    path(
        "<slug:slug>/<slug:document>/versions/<int:number>/",
        views.document_version,
        name="document_version",
    ),
]
