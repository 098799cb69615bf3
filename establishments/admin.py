from django.contrib import admin

from .models import Establishment


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    list_display = ["uai", "name", "email", "transfer_enabled", "is_active", "created_at"]
    list_filter = ["is_active", "transfer_enabled", "book_enabled"]
    search_fields = ["uai", "name", "email"]
