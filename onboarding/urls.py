from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("", views.start, name="start"),
    path("template.xlsx", views.template_download, name="template"),
    path("portfolio.xlsx", views.portfolio_export, name="portfolio_export"),
    path("programmes/<slug:slug>.xlsx", views.programme_export, name="programme_export"),
    path("uploads/<int:pk>/", views.preview, name="preview"),
    path("uploads/<int:pk>/status/", views.status, name="status"),
    path("uploads/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("uploads/<int:pk>/discard/", views.discard, name="discard"),
]
