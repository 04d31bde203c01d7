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
