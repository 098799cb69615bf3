from django.contrib import admin

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
