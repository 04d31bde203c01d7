from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from accounts.forms import ThrottledAdminAuthenticationForm
from dashboard import views as dashboard_views

from . import health, pages

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("inbox/", dashboard_views.inbox_page, name="inbox"),
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    path("accounts/oidc/start/", account_views.oidc_start, name="oidc_start"),
    path("accounts/oidc/callback/", account_views.oidc_callback, name="oidc_callback"),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("people/", include("dashboard.people_urls")),
    path("healthz", health.healthz, name="healthz"),
    # Before the apps: the CSVW metadata beside their CSV downloads shares their export paths.
    path("", include("api.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("reports/", include("reports.urls")),
    path("onboarding/", include("onboarding.urls")),
    path("notifications/", include("notifications.urls")),
    # governance and benefits serve pages under programmes/<slug>/…: they must come before
    # portfolio's own programmes/<slug>/<document>/ pattern.
    path("", include("governance.urls")),
    path("", include("benefits.urls")),
    path("programmes/", include("portfolio.urls")),
    path("admin/", admin.site.urls),
]

# The admin's sign-in goes through the same throttle as /accounts/login/.
admin.site.login_form = ThrottledAdminAuthenticationForm

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
