"""Gates (/gates/) and the programme pages governance serves (history, submit, board status)."""

from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("gates/", views.gate_list, name="gate_list"),
    path("gates/policy/", views.gate_policy_list, name="gate_policy_list"),
    path("gates/policy/<int:pk>/", views.gate_policy_edit, name="gate_policy_edit"),
    path("gates/<int:pk>/", views.review_detail, name="review_detail"),
    path("gates/<int:pk>/withdraw/", views.review_withdraw, name="review_withdraw"),
    path("programmes/<slug:slug>/history/", views.programme_history_page, name="programme_history"),
    path("programmes/<slug:slug>/submit/", views.review_submit, name="review_submit"),
    path("programmes/<slug:slug>/status/", views.programme_status, name="programme_status"),
]
