from django.urls import path

from . import people

app_name = "people"

urlpatterns = [
    path("", people.person_list, name="list"),
    path("add/", people.person_add, name="add"),
    path("sign-in-groups/", people.role_mappings, name="role_mappings"),
    path("sign-in-groups/<int:pk>/delete/", people.role_mapping_delete, name="role_mapping_delete"),
    path("<int:pk>/", people.person_detail, name="detail"),
    path("<int:pk>/roles/", people.person_roles, name="roles"),
    path("<int:pk>/boards/", people.person_boards, name="boards"),
    path("<int:pk>/deactivate/", people.person_deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", people.person_reactivate, name="reactivate"),
    path("<int:pk>/reassign/", people.person_reassign, name="reassign"),
]
