from django.contrib import admin

from .models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Platform staff: read the import history of any establishment (support), never edit it."""

    list_display = ["created_at", "establishment", "source", "status", "created_by_name"]
    list_filter = ["status", "source"]
    search_fields = ["establishment__uai", "establishment__name", "created_by_name"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
