from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("outbox/", views.outbox_list, name="outbox"),
    path("outbox/<int:pk>/send-again/", views.outbox_resend, name="resend"),
    path("settings/", views.choices, name="choices"),
]
