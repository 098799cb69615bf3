from django.contrib import admin

from .models import ScenarioFieldLabel


@admin.register(ScenarioFieldLabel)
class ScenarioFieldLabelAdmin(admin.ModelAdmin):
    list_display = ["establishment", "diploma_code", "field", "label"]
    list_filter = ["diploma_code", "field"]
    search_fields = ["establishment__uai", "label"]
    list_select_related = ["establishment"]
