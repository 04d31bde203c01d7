from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from dashboard import views as dashboard_views

from . import health

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("inbox/", dashboard_views.inbox_page, name="inbox"),
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    path("healthz", health.healthz, name="healthz"),
    path("dashboard/", include("dashboard.urls")),
    path("reports/", include("reports.urls")),
    # governance and benefits serve pages under programmes/<slug>/…: they must come before
    # portfolio's own programmes/<slug>/<document>/ pattern.
    path("", include("governance.urls")),
    path("", include("benefits.urls")),
    path("programmes/", include("portfolio.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
