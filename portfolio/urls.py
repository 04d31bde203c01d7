from django.urls import path

from . import views

app_name = "portfolio"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("<slug:slug>/", views.programme_detail, name="programme_detail"),
]
