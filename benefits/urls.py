from django.urls import path

from . import views

app_name = "benefits"

# config/urls.py includes these before portfolio.urls, whose programmes/<slug>/ they extend.
programme_patterns = [
    path("programmes/<slug:slug>/benefits/", views.benefit_register, name="register"),
    path("programmes/<slug:slug>/benefits/add/", views.benefit_edit, name="benefit_add"),
    path("programmes/<slug:slug>/benefits/<int:pk>/", views.benefit_detail, name="benefit_detail"),
    path("programmes/<slug:slug>/benefits/<int:pk>/edit/", views.benefit_edit, name="benefit_edit"),
    path(
        "programmes/<slug:slug>/benefits/<int:pk>/profile/",
        views.benefit_profile_save,
        name="profile_save",
    ),
    path(
        "programmes/<slug:slug>/benefits/<int:pk>/realised/",
        views.benefit_realised,
        name="benefit_realised",
    ),
    path(
        "programmes/<slug:slug>/benefits/<int:pk>/realised/confirm/",
        views.benefit_realisation_confirm,
        name="benefit_realisation_confirm",
    ),
    path(
        "programmes/<slug:slug>/benefits/<int:pk>/deliverability/",
        views.benefit_deliverability,
        name="benefit_deliverability",
    ),
    path("programmes/<slug:slug>/one-off-costs/", views.one_off_costs, name="one_off_costs"),
]

urlpatterns = [
    *programme_patterns,
    path("benefits/mine/", views.my_benefits, name="mine"),
    path("benefits/realisation/", views.realisation, name="realisation"),
    path("mtfp/", views.mtfp_list, name="mtfp_list"),
    path("mtfp/recalculate/", views.rollup_recalculate, name="recalculate"),
    path("mtfp/<slug:slug>/", views.mtfp_detail, name="mtfp_detail"),
    path("mtfp/<slug:slug>/targets/", views.mtfp_targets, name="mtfp_targets"),
    path("mtfp/<slug:slug>/import/", views.mtfp_import, name="mtfp_import"),
    path(
        "mtfp/<slug:slug>/import/template.xlsx",
        views.mtfp_import_template,
        name="mtfp_import_template",
    ),
    path(
        "mtfp/<slug:slug>/lines/<int:pk>/deliverability/",
        views.mtfp_line_deliverability,
        name="line_deliverability",
    ),
]
