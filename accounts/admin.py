from django.contrib import admin

from establishments.models import AuditEntry

from .models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["login", "last_name", "first_name", "profile", "establishment", "is_active", "created_by_hand"]
    list_filter = ["profile", "is_active", "created_by_hand", "is_staff"]
    search_fields = ["login", "last_name", "first_name", "email", "ine", "establishment__uai"]
    list_select_related = ["establishment"]
    raw_id_fields = ["establishment"]
    exclude = ["password", "user_permissions", "groups"]
    readonly_fields = ["last_login", "date_joined", "deactivated_at"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The establishments' audit logs, read-only for the platform staff."""

    list_display = ["created_at", "establishment", "actor_name", "action", "target"]
    list_filter = ["action"]
    search_fields = ["establishment__uai", "actor_name", "target", "action"]
    list_select_related = ["establishment"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
