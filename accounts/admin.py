from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import FailedSignIn, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("Role details", {"fields": ("job_title",)}))
    list_display = ("username", "first_name", "last_name", "job_title", "is_staff")


@admin.register(FailedSignIn)
class FailedSignInAdmin(admin.ModelAdmin):
    """Read-only: deleting a username's rows lifts its sign-in throttle early."""

    list_display = ("username", "ip_address", "attempted_at")
    search_fields = ("username", "ip_address")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
