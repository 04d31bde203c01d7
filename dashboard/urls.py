from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:table>.<str:fmt>", views.dashboard_export, name="export"),
    path("savings/<int:year>/", views.savings_year, name="savings_year"),
    path("savings/<int:year>.<str:fmt>", views.savings_year, name="savings_year_export"),
]
