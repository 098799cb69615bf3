from django.contrib import admin

from .models import Establishment, ScenarioFieldLabel


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    list_display = ["uai", "name", "email", "transfer_enabled", "is_active", "created_at"]
    list_filter = ["is_active", "transfer_enabled", "book_enabled"]
    search_fields = ["uai", "name", "email"]


@admin.register(ScenarioFieldLabel)
class ScenarioFieldLabelAdmin(admin.ModelAdmin):
    list_display = ["establishment", "diploma_code", "field", "label"]
    list_filter = ["diploma_code", "field"]
    search_fields = ["establishment__uai", "label"]
    list_select_related = ["establishment"]
