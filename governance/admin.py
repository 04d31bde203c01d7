"""The PMO's admin for governance records. Decisions are public accountability records: the
admin shows them but nobody (not even a superuser) adds, changes or deletes one here; they are
recorded through governance.services.decision_record only."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Action, Board, ChangeThresholds, Decision, GatePolicy, Risk


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("summary", "programme", "board", "decided_on", "recorded_by")
    list_filter = ("board",)
    search_fields = ("summary", "decision")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Board)
class BoardAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "chair")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ("title", "programme", "owner", "due_date", "status")
    list_filter = ("status",)
    search_fields = ("title",)


@admin.register(Risk)
class RiskAdmin(SimpleHistoryAdmin):
    list_display = ("title", "programme", "portfolio", "status")
    list_filter = ("status",)
    search_fields = ("title",)


admin.site.register(GatePolicy, SimpleHistoryAdmin)
admin.site.register(ChangeThresholds, SimpleHistoryAdmin)
